import type { ChunkPool } from "../core/chunk-pool.ts";
import type { RingReader } from "../core/reader.ts";
import type { Stream } from "../core/stream.ts";
import type { HlsConfig, HlsVariant } from "../config/schema.ts";
import { logger } from "../core/log.ts";
import { judge, type LiveEdge, type Verdict } from "./delivery-directives.ts";
import { Fmp4Packager } from "./fmp4-packager.ts";
import type { InitSegment } from "./init-segment.ts";
import { codecsOf, renderMultivariantPlaylist, resolutionOf } from "./multivariant.ts";
import type { Packager } from "./packager.ts";
import type { Part } from "./part.ts";
import { type PlaylistEntry, renderMediaPlaylist, skippableSegments, targetDurationFor } from "./playlist.ts";
import type { Segment } from "./segment.ts";
import { Segmenter } from "./segmenter.ts";
import { SegmentWindow } from "./segment-window.ts";
import { TsPackager } from "./ts-packager.ts";
import { Waiters } from "./waiters.ts";

export interface RenderedPlaylist {
  readonly body: Uint8Array;
  readonly etag: string;
}

/** The media playlist's name, relative to the multivariant playlist. */
export const MEDIA_PLAYLIST = "index.m3u8";
/** PART-HOLD-BACK in part targets: RFC 8216bis 4.4.3.8 says at least three. */
const PART_HOLD_BACK_PARTS = 3;
/** CAN-SKIP-UNTIL in target durations: RFC 8216bis 4.4.3.8 says at least six. */
const SKIP_BOUNDARY_TARGETS = 6;
/** A blocked playlist request gets 503 after this many target durations (RFC 8216bis 6.2.5.2). */
export const BLOCK_TARGETS = 3;
/** Complete segments whose EXT-X-PART tags stay listed; with the open one, within three target durations of the end (RFC 8216bis 6.2.2). */
const SEGMENTS_WITH_PARTS = 2;

const encoder = new TextEncoder();
const log = logger("hls");
let instances = 0;

/**
 * The HLS output of one stream in one variant: a ring reader feeding the
 * segmenter, the window of segments, and the playlists kept as bytes. One per
 * stream, shared by every viewer.
 */
export class HlsMuxer {
  readonly variant: HlsVariant;
  private readonly window: SegmentWindow;
  private readonly packager: Packager;
  private readonly namePrefix: string;
  private targetDuration = 0;
  /** Advertised PART-TARGET: the longest part so far (whole frames of at most the configured target). */
  private partTarget = 0;
  /** Grows with every published segment or part; keys the cached renders. */
  private revision = 0;
  private segmentRevision = 0;
  private rendered: RenderedPlaylist | undefined;
  private delta: { revision: number; playlist: RenderedPlaylist } | undefined;
  private multivariantCache: { revision: number; playlist: RenderedPlaylist } | undefined;
  private readonly reader: RingReader;
  /** Made at the first unit, when the stream knows its tracks (alwaysRemux starts us before that). */
  private segmenter: Segmenter | undefined;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  /** Blocking playlist reloads and preload-hinted parts being held (low-latency variant). */
  private readonly waiters: Waiters;
  private firstWaiters = 0;
  closed = false;
  lastRequest = Date.now();

  constructor(
    readonly stream: Stream,
    private readonly config: HlsConfig,
    pool: ChunkPool,
  ) {
    this.variant = config.variant;
    this.window = new SegmentWindow(config.segmentCount);
    this.waiters = new Waiters(config.maxBlockedRequests);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    // Base 36 time + counter: a restarted muxer never reuses a segment URL that a cache may hold.
    this.namePrefix = `s${Date.now().toString(36)}${(instances++).toString(36)}_`;
    this.packager = this.variant === "mpegts" ? new TsPackager(pool.chunkSize) : new Fmp4Packager(this.namePrefix);
    const options = {
      targetDuration: config.segmentDuration,
      namePrefix: this.namePrefix,
      partTarget: this.lowLatency ? config.partDuration : undefined,
    };
    const events = { onPart: (p: Part) => this.addPart(p), onSegment: (s: Segment) => this.addSegment(s), onDiscard: (s: Segment) => this.window.forgetParts(s) };
    this.reader = stream.addReader("hls");
    this.reader.addCloseListener(() => this.close());
    // pump, not stream().pipeTo(): no promise chain per unit (bench/hotpath --mode rtp: −11 % CPU).
    this.reader
      .pump((au) => {
        if (this.closed) return;
        this.segmenter ??= new Segmenter(pool, this.packager, options, stream.tracks, events);
        this.segmenter.push(au);
      })
      .catch((e: unknown) => {
        log.error(`HLS muxer of "${stream.path}" stopped: ${e instanceof Error ? e.message : String(e)}`);
        this.close();
      });
  }

  get lowLatency(): boolean {
    return this.variant === "lowLatency";
  }

  /** Requests held by this muxer (first playlist, blocking reloads): it is in use, not idle. */
  get waiting(): number {
    return this.firstWaiters + this.waiters.size;
  }

  get playlist(): RenderedPlaylist | undefined {
    return this.rendered;
  }

  get segments(): readonly Segment[] {
    return this.window.segments;
  }

  /** How long a blocking request may be held (RFC 8216bis 6.2.5.2: three target durations). */
  get blockTimeoutMs(): number {
    return BLOCK_TARGETS * this.targetDuration * 1000;
  }

  /** Resolves true once the first segment exists, false after `timeoutMs` or on close. */
  async waitForPlaylist(timeoutMs: number): Promise<boolean> {
    if (this.rendered) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    this.firstWaiters++;
    try {
      await Promise.race([this.ready, timeout]);
    } finally {
      this.firstWaiters--;
      clearTimeout(timer);
      this.lastRequest = Date.now();
    }
    return this.rendered !== undefined;
  }

  /** The media playlist, or its delta update (low latency, `_HLS_skip`); rendered once per change. */
  playlistFor(skip: boolean): RenderedPlaylist | undefined {
    if (!skip || !this.lowLatency || !this.rendered) return this.rendered;
    if (this.delta?.revision !== this.revision) {
      const count = skippableSegments(
        this.window.segments.map((s) => s.duration),
        this.canSkipUntil,
      );
      const playlist = count > 0 ? this.render(count, "d") : this.rendered;
      this.delta = { revision: this.revision, playlist };
    }
    return this.delta.playlist;
  }

  /** The multivariant playlist, measured from the segments in the window; rendered once per segment. */
  multivariant(): RenderedPlaylist | undefined {
    const segments = this.window.segments;
    if (segments.length === 0) return undefined;
    if (this.multivariantCache?.revision !== this.segmentRevision) {
      const tracks = segments[segments.length - 1]!.tracks;
      // Short segments (cut early by a discontinuity) would inflate the peak: measure the full ones.
      const full = segments.filter((s) => s.duration >= this.config.segmentDuration / 2);
      const measured = full.length > 0 ? full : segments;
      let bits = 0;
      let seconds = 0;
      let peak = 0;
      const steps = new Map<number, number>();
      for (const s of measured) {
        bits += s.byteLength * 8;
        seconds += s.duration;
        if (s.duration > 0) peak = Math.max(peak, (s.byteLength * 8) / s.duration);
        for (const [ticks, n] of s.frameSteps) steps.set(ticks, (steps.get(ticks) ?? 0) + n);
      }
      let step = 0;
      for (const [ticks, n] of steps) if (n > (steps.get(step) ?? 0)) step = ticks;
      const video = tracks.find((t) => t.kind === "video");
      const text = renderMultivariantPlaylist({
        bandwidth: peak,
        averageBandwidth: seconds > 0 ? bits / seconds : peak,
        codecs: codecsOf(tracks, this.packager.extension),
        resolution: resolutionOf(tracks),
        frameRate: video && step > 0 ? video.clockRate / step : undefined,
        uri: MEDIA_PLAYLIST,
      });
      this.multivariantCache = { revision: this.segmentRevision, playlist: { body: encoder.encode(text), etag: `"${this.namePrefix}m${this.segmentRevision}"` } };
    }
    return this.multivariantCache.playlist;
  }

  /** Whether a blocking reload for `msn`/`part` can be answered now (low-latency variant). */
  judge(msn: number, part: number | undefined): Verdict {
    return judge(msn, part, this.edge());
  }

  /**
   * Holds a blocking reload until judge() says ready: true then, false after
   * the timeout or on close, undefined when too many requests are held.
   */
  waitForReload(msn: number, part: number | undefined, timeoutMs: number): Promise<boolean> | undefined {
    return this.waiters.wait(() => this.closed || this.judge(msn, part) === "ready", timeoutMs)?.then((ok) => ok && !this.closed);
  }

  /** A complete segment by name (the open one is served only by its parts). */
  segment(name: string): Segment | undefined {
    return this.window.byName(name);
  }

  /** A published part by name (`<prefix>p<id>.m4s`). */
  part(name: string): Part | undefined {
    const id = partId(name, this.namePrefix);
    const part = id === undefined ? undefined : this.window.part(id);
    return part?.name === name ? part : undefined;
  }

  /** True when `name` is the part the preload hint names: not there yet, but it will be. */
  isHinted(name: string): boolean {
    const id = partId(name, this.namePrefix);
    return this.lowLatency && id !== undefined && id === this.segmenter?.nextPartId;
  }

  /** Holds a preload-hinted part's request until the part exists; same bounds as blocking reloads. */
  waitForPart(name: string, timeoutMs: number): Promise<boolean> | undefined {
    return this.waiters.wait(() => this.closed || this.part(name) !== undefined, timeoutMs)?.then((ok) => ok && !this.closed);
  }

  /** An init segment (EXT-X-MAP) still needed by a segment we hold. */
  init(name: string): InitSegment | undefined {
    const open = this.segmenter?.openSegment?.init;
    if (open?.name === name) return open;
    return this.window.initByName(name);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close("hls muxer closed");
    this.waiters.close();
    this.segmenter?.close();
    this.window.clear();
    this.rendered = undefined;
    this.delta = undefined;
    this.multivariantCache = undefined;
    this.markReady();
  }

  private get canSkipUntil(): number {
    return SKIP_BOUNDARY_TARGETS * this.targetDuration;
  }

  private edge(): LiveEdge {
    const window = this.window;
    return {
      firstMsn: window.mediaSequence,
      lastMsn: window.lastMsn,
      partsOf: (msn) => window.byMsn(msn)?.parts.length,
      openParts: this.segmenter?.openSegment?.parts.length ?? 0,
      partTarget: this.partTarget || this.config.partDuration,
    };
  }

  private addPart(part: Part): void {
    if (this.closed) return;
    this.window.addPart(part);
    // As printed in EXT-X-PART (5 decimals), so no listed part is longer than PART-TARGET.
    this.partTarget = Math.max(this.partTarget, Math.round(part.duration * 1e5) / 1e5);
    // The last part of a segment being completed is published with the segment, just after.
    if (this.segmenter?.openSegment !== part.segment) return;
    this.publish();
  }

  private addSegment(segment: Segment): void {
    if (this.closed) return segment.release();
    this.window.add(segment);
    this.targetDuration = targetDurationFor(this.config.segmentDuration, this.window.longest, this.targetDuration);
    this.segmentRevision++;
    this.publish();
    this.markReady();
  }

  /** Renders the playlist for the new state and answers the requests that were waiting for it. */
  private publish(): void {
    // Nothing before the first complete segment: a player needs one, and its date is pinned at the first render.
    if (this.window.segments.length === 0) return;
    this.revision++;
    this.rendered = this.render(0, "");
    this.waiters.notify();
  }

  private render(skip: number, tag: string): RenderedPlaylist {
    const listed = this.window.segments;
    const entries: PlaylistEntry[] = listed.map((s, i) => ({
      name: s.name,
      duration: s.duration,
      discontinuity: s.discontinuity,
      programDateTime: s.programDateTime,
      map: s.init?.name,
      parts: this.lowLatency && i >= listed.length - SEGMENTS_WITH_PARTS ? s.parts : undefined,
    }));
    const open = this.segmenter?.openSegment;
    const text = renderMediaPlaylist({
      targetDuration: this.targetDuration,
      mediaSequence: this.window.mediaSequence,
      discontinuitySequence: this.window.discontinuitySequence,
      segments: entries,
      lowLatency: this.lowLatency
        ? {
            partTarget: this.partTarget,
            partHoldBack: PART_HOLD_BACK_PARTS * this.partTarget,
            canSkipUntil: this.canSkipUntil,
            open: open && open.parts.length > 0 ? { discontinuity: open.discontinuity, programDateTime: open.programDateTime, map: open.init?.name, parts: open.parts } : undefined,
            preloadHint: `${this.namePrefix}p${this.segmenter?.nextPartId ?? 0}.m4s`,
            skip,
          }
        : undefined,
    });
    return { body: encoder.encode(text), etag: `"${this.namePrefix}${this.revision}${tag}"` };
  }
}

/** The id in a part name `<prefix>p<id>.m4s`, or undefined. */
function partId(name: string, prefix: string): number | undefined {
  if (!name.startsWith(`${prefix}p`) || !name.endsWith(".m4s")) return undefined;
  const digits = name.slice(prefix.length + 1, -4);
  return /^\d{1,12}$/.test(digits) ? Number(digits) : undefined;
}
