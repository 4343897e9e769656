import { type LibcSocketSymbols, type LinuxSocketCalls, socketCalls } from "./udp-linux.ts";

/**
 * The libc calls of the recvmmsg receiver (udp-mmsg.ts) through Deno's FFI
 * (Linux, Deno only; udp-libc.ts is Bun's). Needs --allow-ffi; without it
 * the caller falls back to node:dgram.
 */

/** The slice of Deno's FFI we use, typed here so src/ compiles without Deno's lib. */
type Pointer = object | null;
interface DenoFfi {
  build: { os: string; arch: string };
  permissions: { querySync(p: { name: "ffi" }): { state: "granted" | "prompt" | "denied" } };
  dlopen(path: string, symbols: typeof SYMBOLS): { symbols: Symbols };
  UnsafePointer: { of(bytes: Uint8Array): Pointer; value(p: Pointer): number | bigint };
  UnsafePointerView: { new (p: object): { getInt32(offset: number): number }; getCString(p: object): string };
}

interface Symbols extends LibcSocketSymbols {
  __errno_location(): Pointer;
  strerror(code: number): Pointer;
}

// "buffer" parameters take a typed array and pass its address (Deno's fast FFI path); calls run on the JS thread.
const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

const Deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;

let loaded: LinuxSocketCalls | string | undefined;

/** The socket calls, or why there are none (no --allow-ffi, not Linux x86_64/aarch64 with glibc); loaded once. */
export function libcDeno(): LinuxSocketCalls | string {
  return (loaded ??= load());
}

function load(): LinuxSocketCalls | string {
  if (Deno.build.os !== "linux" || (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64")) {
    return `recvmmsg needs Linux on x86_64 or aarch64 (this is ${Deno.build.os} ${Deno.build.arch})`;
  }
  // Asked first: a dlopen without the permission would prompt on a terminal instead of failing.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "Deno runs without --allow-ffi";
  try {
    return bind(Deno.dlopen("libc.so.6", SYMBOLS).symbols);
  } catch (e) {
    return `cannot load libc.so.6: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function bind(s: Symbols): LinuxSocketCalls {
  // errno is thread-local and JavaScript runs on one thread: its address does not change.
  let errnoView: { getInt32(offset: number): number } | undefined;
  return socketCalls(s, {
    errno() {
      if (!errnoView) {
        const p = s.__errno_location();
        if (p === null) return 0;
        errnoView = new Deno.UnsafePointerView(p);
      }
      return errnoView.getInt32(0);
    },
    strerror(code) {
      const p = s.strerror(code);
      return p === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(p);
    },
    address: (bytes) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes))),
  });
}
