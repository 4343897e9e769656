import type { ListeningServer, Runtime } from "./types.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { startCodeSearchBun } from "./start-code-bun.ts";
import { connectTcpBun } from "./tcp-bun.ts";
import { receiveUdpBun } from "./udp-recvmmsg.ts";
import { bindUdp, bindUdpPair } from "./udp-socket.ts";
import { listenTcp } from "./tcp-server.ts";

export const bunRuntime: Runtime = {
  name: "bun",
  version: Bun.version,
  args: process.argv.slice(2),
  env: (name) => process.env[name],
  envNames: () => Object.keys(process.env),
  async serve({ port, hostname, fetch }): Promise<ListeningServer> {
    const server = Bun.serve({
      port,
      hostname,
      // Seconds without any byte moving before Bun drops the connection: a stalled client lets go of its socket.
      idleTimeout: 30,
      fetch: (request, srv) => fetch(request, { remoteAddress: srv.requestIP(request)?.address ?? "" }),
    });
    return { port: server.port ?? port, stop: () => server.stop(true) };
  },
  readFile: async (path) => new Uint8Array(await Bun.file(path).arrayBuffer()),
  readTextFile: (path) => Bun.file(path).text(),
  memory: () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed };
  },
  onShutdown(fn) {
    process.on("SIGINT", fn);
    process.on("SIGTERM", fn);
  },
  exit: (code) => process.exit(code),
  receiveUdp: receiveUdpBun,
  connectTcp: connectTcpBun,
  writeFileAtomic,
  bindUdpPair,
  listenTcp,
  bindUdp,
  startCodeSearch: startCodeSearchBun,
};
