import { dlopen, FFIType, ptr, read } from "bun:ffi";

/**
 * The few libc calls a UDP receiver needs, through bun:ffi (Linux, Bun only;
 * see udp-recvmmsg.ts for why). Constants and layouts are Linux's, the same
 * on x86_64 and aarch64: socket(7), ip(7), recvmmsg(2).
 */

export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_RCVBUF = 8;
export const IPPROTO_IP = 0;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_ADD_SOURCE_MEMBERSHIP = 39;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const EAGAIN = 11;
export const EINTR = 4;

const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  getsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  recvmmsg: { args: [FFIType.i32, FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
  strerror: { args: [FFIType.i32], returns: FFIType.cstring },
} as const;

export type Libc = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: Libc | null | undefined;

/** glibc's libc, or undefined where it cannot be loaded (not Linux x86_64/aarch64, musl, no FFI). */
export function libc(): Libc | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) return undefined;
  try {
    loaded = dlopen("libc.so.6", SYMBOLS).symbols;
  } catch {
    loaded = null;
  }
  return loaded ?? undefined;
}

export function errno(c: Libc): number {
  const p = c.__errno_location();
  return p === null ? 0 : read.i32(p, 0);
}

/** "what: strerror(errno)" for the last failed call. */
export function failure(c: Libc, what: string): Error {
  const e = errno(c);
  return new Error(`${what}: ${String(c.strerror(e))} (errno ${e})`);
}

/** An IPv4 literal as 4 bytes, or undefined for anything else (a hostname goes the node:dgram way). */
export function ipv4(address: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : undefined;
}

/** struct sockaddr_in (16 bytes): family (host order), port and address (network order), zero padding. */
export function sockaddrIn(address: Uint8Array, port: number): Uint8Array {
  const sa = new Uint8Array(16);
  sa[0] = AF_INET & 0xff;
  sa[1] = AF_INET >> 8;
  sa[2] = port >> 8;
  sa[3] = port & 0xff;
  sa.set(address, 4);
  return sa;
}

export function setIntOption(c: Libc, fd: number, level: number, name: number, value: number): boolean {
  const v = new Int32Array([value]);
  return c.setsockopt(fd, level, name, ptr(v), 4) === 0;
}

export function getIntOption(c: Libc, fd: number, level: number, name: number): number {
  const v = new Int32Array(1);
  const len = new Uint32Array([4]);
  return c.getsockopt(fd, level, name, ptr(v), ptr(len)) === 0 ? v[0]! : 0;
}
