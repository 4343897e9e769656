import { dlopen, FFIType, read } from "bun:ffi";
import { tcpCalls, type TcpSocketCalls } from "./tcp-linux.ts";

/**
 * The libc calls of the polled TCP client (tcp-polled.ts) through bun:ffi
 * (Linux, Bun only; tcp-libc-deno.ts is Deno's). Typed arrays are passed
 * where a pointer is expected: Bun hands over their address.
 */

const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  connect: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  getsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  // ssize_t read as its low 32 bits: see LibcTcpSymbols.
  recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
  strerror: { args: [FFIType.i32], returns: FFIType.cstring },
} as const;

let loaded: TcpSocketCalls | null | undefined;

/** glibc's TCP socket calls, or undefined where they cannot be loaded (not Linux x86_64/aarch64, musl). */
export function tcpLibc(): TcpSocketCalls | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) return undefined;
  try {
    const s = dlopen("libc.so.6", SYMBOLS).symbols;
    loaded = tcpCalls(s, {
      errno() {
        const p = s.__errno_location();
        return p === null ? 0 : read.i32(p, 0);
      },
      strerror: (code) => String(s.strerror(code)),
    });
  } catch {
    loaded = null;
  }
  return loaded ?? undefined;
}
