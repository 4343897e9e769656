import type { ChunkPool } from "../core/chunk-pool.ts";
import type { RingReader } from "../core/reader.ts";
import type { Stream } from "../core/stream.ts";
import type { HlsConfig } from "../config/schema.ts";
import { logger } from "../core/log.ts";
import { renderMediaPlaylist, targetDurationFor } from "./playlist.ts";
import type { Segment } from "./segment.ts";
import { Segmenter } from "./segmenter.ts";

export interface RenderedPlaylist {
  readonly body: Uint8Array;
  readonly etag: string;
}

const encoder = new TextEncoder();
const log = logger("hls");
let instances = 0;

/**
 * The HLS output of one stream: a ring reader feeding the segmenter, the
 * window of segments, and the playlist kept as bytes. One per stream, shared
 * by every viewer.
 */
export class HlsMuxer {
  /** Segments in the playlist, oldest first (at most config.segmentCount). */
  private readonly window: Segment[] = [];
  /**
   * Segments just removed from the playlist stay fetchable for a while
   * (RFC 8216 section 6.2.2: a player may have loaded the playlist just before).
   * At most segmentCount of them, so memory stays within two windows.
   */
  private readonly retired: Segment[] = [];
  private mediaSequence = 0;
  private discontinuitySequence = 0;
  private targetDuration = 0;
  private longest = 0;
  private rendered: RenderedPlaylist | undefined;
  private readonly reader: RingReader;
  /** Made at the first unit, when the stream knows its tracks (alwaysRemux starts us before that). */
  private segmenter: Segmenter | undefined;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  closed = false;
  lastRequest = Date.now();
  /** Playlist requests waiting for the first segment: the muxer is in use, not idle. */
  waiting = 0;

  constructor(
    readonly stream: Stream,
    private readonly config: HlsConfig,
    pool: ChunkPool,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    // Base 36 time + counter: a restarted muxer never reuses a segment URL that a cache may hold.
    const prefix = `s${Date.now().toString(36)}${(instances++).toString(36)}_`;
    const options = { targetDuration: config.segmentDuration, namePrefix: prefix };
    this.reader = stream.addReader("hls");
    this.reader.addCloseListener(() => this.close());
    this.reader
      .stream()
      .pipeTo(
        new WritableStream({
          write: (au) => {
            this.segmenter ??= new Segmenter(pool, options, stream.tracks, (s) => this.add(s));
            this.segmenter.push(au);
          },
        }),
      )
      .catch((e: unknown) => {
        log.error(`HLS muxer of "${stream.path}" stopped: ${e instanceof Error ? e.message : String(e)}`);
        this.close();
      });
  }

  get playlist(): RenderedPlaylist | undefined {
    return this.rendered;
  }

  get segments(): readonly Segment[] {
    return this.window;
  }

  /** Resolves true once the first segment exists, false after `timeoutMs` or on close. */
  async waitForPlaylist(timeoutMs: number): Promise<boolean> {
    if (this.rendered) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    this.waiting++;
    try {
      await Promise.race([this.ready, timeout]);
    } finally {
      this.waiting--;
      clearTimeout(timer);
      this.lastRequest = Date.now();
    }
    return this.rendered !== undefined;
  }

  segment(name: string): Segment | undefined {
    return this.window.find((s) => s.name === name) ?? this.retired.find((s) => s.name === name);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close("hls muxer closed");
    this.segmenter?.close();
    for (const s of this.window.splice(0)) s.release();
    for (const s of this.retired.splice(0)) s.release();
    this.rendered = undefined;
    this.markReady();
  }

  private add(segment: Segment): void {
    if (this.closed) return segment.release();
    this.window.push(segment);
    this.longest = Math.max(this.longest, segment.duration);
    while (this.window.length > this.config.segmentCount) {
      const old = this.window.shift()!;
      this.mediaSequence++;
      if (old.discontinuity) this.discontinuitySequence++;
      this.retired.push(old);
      if (this.retired.length > this.config.segmentCount) this.retired.shift()!.release();
    }
    this.targetDuration = targetDurationFor(this.config.segmentDuration, this.longest, this.targetDuration);
    const text = renderMediaPlaylist({
      targetDuration: this.targetDuration,
      mediaSequence: this.mediaSequence,
      discontinuitySequence: this.discontinuitySequence,
      segments: this.window,
    });
    this.rendered = { body: encoder.encode(text), etag: `"${segment.name}-${this.mediaSequence}"` };
    this.markReady();
  }
}
