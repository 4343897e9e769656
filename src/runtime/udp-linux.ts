/**
 * Linux's socket constants and struct layouts for the recvmmsg receiver
 * (udp-mmsg.ts), the same on x86_64 and aarch64: socket(7), ip(7),
 * recvmmsg(2). No FFI here: each runtime binds the calls (LinuxSocketCalls)
 * with its own FFI, udp-libc.ts on Bun, udp-libc-deno.ts on Deno.
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

/** struct mmsghdr (recvmmsg(2)): a 56-byte msghdr, then msg_len, padded to 64; struct iovec: base, length. */
export const MMSGHDR_BYTES = 64;
export const MSG_IOV = 16;
export const MSG_IOVLEN = 24;
export const MSG_FLAGS = 48;
export const MSG_LEN = 56;
export const IOVEC_BYTES = 16;

/** The libc calls the receiver makes; buffers are passed as typed arrays, each binding turns them into pointers. */
export interface LinuxSocketCalls {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Uint8Array): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  /** `value` and `length` (a u32 holding value's size) are written by the kernel. */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, length: Uint8Array): number;
  /** recvmmsg(fd, headers, n, flags, NULL). */
  recvmmsg(fd: number, headers: Uint8Array, n: number, flags: number): number;
  /** getsockname(2) / getpeername(2): `address` and `length` (a u32 holding address's size) are written by the kernel. */
  getsockname(fd: number, address: Uint8Array, length: Uint8Array): number;
  getpeername(fd: number, address: Uint8Array, length: Uint8Array): number;
  close(fd: number): number;
  /** errno of the last failed call on this thread. */
  errno(): number;
  strerror(code: number): string;
  /** Address of bytes[0], to write into an iovec; `bytes` must stay referenced while the kernel may use it. */
  address(bytes: Uint8Array): bigint;
}

/** "what: strerror(errno)" for the last failed call. */
export function failure(c: LinuxSocketCalls, what: string): Error {
  const e = c.errno();
  return new Error(`${what}: ${c.strerror(e)} (errno ${e})`);
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

/** struct ip_mreq / ip_mreq_source (ip(7)): group, interface[, source], network order. */
export function ipMreq(group: Uint8Array, iface: Uint8Array, source: Uint8Array | undefined): Uint8Array {
  const mreq = new Uint8Array(source ? 12 : 8);
  mreq.set(group, 0);
  mreq.set(iface, 4);
  if (source) mreq.set(source, 8);
  return mreq;
}

export function setIntOption(c: LinuxSocketCalls, fd: number, level: number, name: number, value: number): boolean {
  return c.setsockopt(fd, level, name, new Uint8Array(Int32Array.of(value).buffer)) === 0;
}

export function getIntOption(c: LinuxSocketCalls, fd: number, level: number, name: number): number {
  const v = new Int32Array(1);
  const len = Uint32Array.of(4);
  return c.getsockopt(fd, level, name, new Uint8Array(v.buffer), new Uint8Array(len.buffer)) === 0 ? v[0]! : 0;
}

/** libc's socket functions as both FFIs expose them: a typed array where C takes a pointer. */
export interface LibcSocketSymbols {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Uint8Array, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, length: Uint8Array): number;
  recvmmsg(fd: number, headers: Uint8Array, n: number, flags: number, timeout: null): number;
  getsockname(fd: number, address: Uint8Array, length: Uint8Array): number;
  getpeername(fd: number, address: Uint8Array, length: Uint8Array): number;
  close(fd: number): number;
}

/** The calls every runtime binds alike; errno, strerror and addresses are each FFI's own. */
export function socketCalls(s: LibcSocketSymbols, own: Pick<LinuxSocketCalls, "errno" | "strerror" | "address">): LinuxSocketCalls {
  return {
    socket: (domain, type, protocol) => s.socket(domain, type, protocol),
    bind: (fd, address) => s.bind(fd, address, address.byteLength),
    setsockopt: (fd, level, name, value) => s.setsockopt(fd, level, name, value, value.byteLength),
    getsockopt: (fd, level, name, value, length) => s.getsockopt(fd, level, name, value, length),
    recvmmsg: (fd, headers, n, flags) => s.recvmmsg(fd, headers, n, flags, null),
    getsockname: (fd, address, length) => s.getsockname(fd, address, length),
    getpeername: (fd, address, length) => s.getpeername(fd, address, length),
    close: (fd) => s.close(fd),
    ...own,
  };
}
