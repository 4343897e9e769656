import type { Config } from "./config/schema.ts";
import type { ChunkPool } from "./core/chunk-pool.ts";
import type { StreamRegistry } from "./core/registry.ts";
import type { HlsManager } from "./hls/manager.ts";
import type { SourceManager } from "./ingest/source-manager.ts";
import type { Runtime } from "./runtime/types.ts";
import type { WhepManager } from "./webrtc/whep-manager.ts";

/** What routes may reach: the engine's parts, never the runtime's globals. */
export interface ServerContext {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly registry: StreamRegistry;
  readonly hls: HlsManager;
  readonly sources: SourceManager;
  readonly pool: ChunkPool;
  /** WebRTC playback sessions; undefined when webrtc.enabled is false. */
  readonly whep: WhepManager | undefined;
  readonly startedAt: number;
  /** Ports bound at start (0 in the config means any free one): what the UI and /v1/info show. */
  readonly ports: { rtsp?: number };
  /** Static files read once at start-up (hls.js). */
  readonly assets: ReadonlyMap<string, { body: Uint8Array; type: string }>;
}
