import type { StartCodeSearch } from "../codec/annexb.ts";
import type { writeFileAtomic } from "./atomic-write.ts";
import type { connectTcp } from "./tcp.ts";
import type { listenTcp } from "./tcp-server.ts";
import type { receiveUdp } from "./udp.ts";
import type { bindUdp, bindUdpPair } from "./udp-socket.ts";

/** What the server needs from the runtime; src/runtime/bun.ts and deno.ts are the only implementations. */

export type FetchHandler = (request: Request, info: { remoteAddress: string }) => Response | Promise<Response>;

export interface ListeningServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface Runtime {
  readonly name: "bun" | "deno";
  readonly version: string;
  readonly args: readonly string[];
  env(name: string): string | undefined;
  /** Names of every environment variable (for MEDIA_SERVER_* setting overrides). */
  envNames(): string[];
  serve(options: { port: number; hostname: string; fetch: FetchHandler }): Promise<ListeningServer>;
  readFile(path: string): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  /** Replaces a file so a crash leaves the old or the new one (config write-back). */
  writeFileAtomic: typeof writeFileAtomic;
  /** Resident set size and JS heap in bytes. */
  memory(): { rss: number; heapUsed: number };
  onShutdown(fn: () => void): void;
  /** Batched UDP reception (node:dgram on both runtimes today). */
  receiveUdp: typeof receiveUdp;
  connectTcp: typeof connectTcp;
  bindUdpPair: typeof bindUdpPair;
  listenTcp: typeof listenTcp;
  bindUdp: typeof bindUdp;
  /** A faster Annex-B start code search than annexb.ts's skip scan, when the runtime has one (Bun's SIMD memmem). */
  readonly startCodeSearch?: StartCodeSearch;
  exit(code: number): never;
}
