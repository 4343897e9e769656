import { dlopen, FFIType, ptr, read } from "bun:ffi";
import { type LinuxSocketCalls, socketCalls } from "./udp-linux.ts";

/**
 * The libc calls of the recvmmsg receiver (udp-mmsg.ts) through bun:ffi
 * (Linux, Bun only; udp-libc-deno.ts is Deno's). Typed arrays are passed
 * where a pointer is expected: Bun hands over their address.
 */

const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  getsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  recvmmsg: { args: [FFIType.i32, FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  getsockname: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  getpeername: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
  strerror: { args: [FFIType.i32], returns: FFIType.cstring },
} as const;

let loaded: LinuxSocketCalls | null | undefined;

/** glibc's socket calls, or undefined where they cannot be loaded (not Linux x86_64/aarch64, musl, no FFI). */
export function libc(): LinuxSocketCalls | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) return undefined;
  try {
    loaded = bind(dlopen("libc.so.6", SYMBOLS).symbols);
  } catch {
    loaded = null;
  }
  return loaded ?? undefined;
}

function bind(s: ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"]): LinuxSocketCalls {
  return socketCalls(s, {
    errno() {
      const p = s.__errno_location();
      return p === null ? 0 : read.i32(p, 0);
    },
    strerror: (code) => String(s.strerror(code)),
    address: (bytes) => BigInt(ptr(bytes)),
  });
}
