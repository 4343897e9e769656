import type { ListeningServer, Runtime } from "./types.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { connectTcpDeno } from "./tcp-deno.ts";
import { libcDeno } from "./udp-libc-deno.ts";
import { receiveUdpDeno } from "./udp-recvmmsg-deno.ts";
import { bindUdp, bindUdpPair } from "./udp-socket.ts";
import { listenTcp } from "./tcp-server.ts";

/** The slice of the Deno namespace we use, typed here so src/ compiles without Deno's lib. */
interface DenoApi {
  version: { deno: string };
  args: string[];
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (request: Request, info: { remoteAddr: { hostname?: string } }) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void>; addr: { port: number } };
  readFile(path: string): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  memoryUsage(): { rss: number; heapUsed: number };
  addSignalListener(signal: "SIGINT" | "SIGTERM", fn: () => void): void;
  exit(code: number): never;
}

const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno;

/** libc for SO_RCVLOWAT (tcp-low-water.ts); none without --allow-ffi. */
function lowWaterCalls() {
  const calls = libcDeno();
  return typeof calls === "string" ? undefined : calls;
}

export const denoRuntime: Runtime = {
  name: "deno",
  version: Deno.version.deno,
  args: Deno.args,
  env: (name) => Deno.env.get(name),
  envNames: () => Object.keys(Deno.env.toObject()),
  async serve({ port, hostname, fetch }): Promise<ListeningServer> {
    let bound = port;
    const server = Deno.serve({ port, hostname, onListen: (addr) => (bound = addr.port) }, (request, info) =>
      fetch(request, { remoteAddress: info.remoteAddr.hostname ?? "" }),
    );
    return { port: server.addr?.port ?? bound, stop: () => server.shutdown() };
  },
  readFile: (path) => Deno.readFile(path),
  readTextFile: (path) => Deno.readTextFile(path),
  memory: () => {
    const m = Deno.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed };
  },
  onShutdown(fn) {
    Deno.addSignalListener("SIGINT", fn);
    Deno.addSignalListener("SIGTERM", fn);
  },
  exit: (code) => Deno.exit(code),
  receiveUdp: receiveUdpDeno,
  connectTcp: (host, port, timeoutMs, handlers, tls) => connectTcpDeno(host, port, timeoutMs, handlers, tls, lowWaterCalls),
  writeFileAtomic,
  bindUdpPair,
  listenTcp,
  bindUdp,
  // No startCodeSearch: annexb.ts's skip scan beats glibc's memmem through FFI on V8.
};
