import { type LibcTcpSymbols, tcpCalls, type TcpSocketCalls } from "./tcp-linux.ts";

/**
 * The libc calls of the polled TCP client (tcp-polled.ts) through Deno's
 * FFI (Linux, Deno only; tcp-libc.ts is Bun's). Needs --allow-ffi; without
 * it the caller stays on node:net.
 */

/** The slice of Deno's FFI we use, typed here so src/ compiles without Deno's lib. */
type Pointer = object | null;
interface DenoFfi {
  build: { os: string; arch: string };
  permissions: { querySync(p: { name: "ffi" }): { state: "granted" | "prompt" | "denied" } };
  dlopen(path: string, symbols: typeof SYMBOLS): { symbols: Symbols };
  UnsafePointerView: { new (p: object): { getInt32(offset: number): number }; getCString(p: object): string };
}

interface Symbols extends LibcTcpSymbols {
  __errno_location(): Pointer;
  strerror(code: number): Pointer;
}

// "buffer" parameters take a typed array and pass its address; calls run on the JS thread.
// ssize_t results read as their low 32 bits: see LibcTcpSymbols.
const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "u64", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "u64", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

const Deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
/** The socket calls, or why there are none (no --allow-ffi, not Linux x86_64/aarch64 with glibc). */
export function tcpLibcDeno(): TcpSocketCalls | string {
  if (Deno.build.os !== "linux" || (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64")) {
    return `polled TCP needs Linux on x86_64 or aarch64 (this is ${Deno.build.os} ${Deno.build.arch})`;
  }
  // Asked first: a dlopen without the permission would prompt on a terminal instead of failing.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "Deno runs without --allow-ffi";
  let s: Symbols;
  try {
    s = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  } catch (e) {
    return `cannot load libc.so.6: ${e instanceof Error ? e.message : String(e)}`;
  }
  // errno is thread-local and JavaScript runs on one thread: its address does not change.
  let errnoView: { getInt32(offset: number): number } | undefined;
  return tcpCalls(s, {
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
  });
}
