import type { ChunkPool } from "../core/chunk-pool.ts";
import type { StreamRegistry } from "../core/registry.ts";
import type { HlsConfig, HlsVariant } from "../config/schema.ts";
import { HlsMuxer } from "./muxer.ts";
import { HlsRequestStats } from "./request-stats.ts";

/** How often idle muxers are looked for; closeAfter is at least a second. */
const SWEEP_MS = 1000;

/** A path's own HLS variant, if its settings name one. */
export type VariantResolver = (path: string) => HlsVariant | undefined;

/** Creates a stream's HLS muxer on the first request and closes it when nobody asks for closeAfter. */
export class HlsManager {
  private readonly muxers = new Map<string, HlsMuxer>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private resolver: VariantResolver = () => undefined;
  /** Answered requests and their response times, for /metrics. */
  readonly requests = new HlsRequestStats();

  constructor(
    private readonly registry: StreamRegistry,
    private readonly config: HlsConfig,
    private readonly pool: ChunkPool,
  ) {
    registry.on("add", (stream) => {
      if (config.alwaysRemux) this.muxer(stream.path);
    });
    registry.on("remove", (stream) => {
      this.stop(stream.path);
      this.requests.forget(stream.path);
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  /**
   * Where per-path variants come from (the path settings, which the API may
   * change). Running muxers of another variant are restarted in the right one.
   */
  setVariantResolver(resolver: VariantResolver): void {
    this.resolver = resolver;
    for (const [path, muxer] of [...this.muxers]) {
      if (muxer.variant === this.variantOf(path)) continue;
      this.stop(path);
      if (this.config.alwaysRemux) this.muxer(path);
    }
  }

  variantOf(path: string): HlsVariant {
    return this.resolver(path) ?? this.config.variant;
  }

  /** The running muxer of `path`, started if needed (or restarted when the path's variant changed); undefined when no such stream. */
  muxer(path: string): HlsMuxer | undefined {
    let muxer = this.muxers.get(path);
    const variant = this.variantOf(path);
    if (muxer && (muxer.closed || muxer.variant !== variant)) {
      this.stop(path);
      muxer = undefined;
    }
    if (!muxer) {
      const stream = this.registry.get(path);
      if (!stream) return undefined;
      muxer = new HlsMuxer(stream, { ...this.config, variant }, this.pool);
      this.muxers.set(path, muxer);
    }
    muxer.lastRequest = Date.now();
    return muxer;
  }

  /** The muxer if it runs, without starting or touching it. */
  peek(path: string): HlsMuxer | undefined {
    return this.muxers.get(path);
  }

  stop(path: string): void {
    this.muxers.get(path)?.close();
    this.muxers.delete(path);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const path of [...this.muxers.keys()]) this.stop(path);
  }

  private sweep(): void {
    if (this.config.alwaysRemux) return;
    const idleSince = Date.now() - this.config.closeAfter * 1000;
    for (const [path, muxer] of this.muxers) {
      if (muxer.closed || (muxer.waiting === 0 && muxer.lastRequest < idleSince)) this.stop(path);
    }
  }
}
