import type { AccessUnit } from "../core/access-unit.ts";
import type { ChunkPool } from "../core/chunk-pool.ts";
import { MediaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import { sameParameters, type Track } from "../core/track.ts";
import type { Packager } from "./packager.ts";
import { Part } from "./part.ts";
import { SegmentBytes } from "./segment-bytes.ts";
import { Segment } from "./segment.ts";

/** Codecs HLS carries, in MPEG-TS and fMP4 alike (RFC 8216 section 3, Apple's HLS authoring spec). */
const HLS_CODECS = new Set(["h264", "h265", "aac"]);

/** A gap this long between two units of one track is a timeline break, not loss. */
const MAX_GAP_SECONDS = 5;

/** Without keyframes a segment is cut anyway at this many target durations, to bound its memory. */
const FORCED_CUT_FACTOR = 4;

/**
 * A first segment that would go out without a declared track (a camera's
 * audio that starts late) is made again from the next keyframe, as long as
 * that keyframe is less than this many target durations after the first.
 */
const FIRST_SEGMENT_WAIT_TARGETS = 2;

/** Tolerance for "reached the target": timestamps are whole 90 kHz ticks. */
const EPSILON = 0.001;

/** Part durations are compared in whole 90 kHz ticks' worth; less than a tick is rounding. */
const PART_EPSILON = 1 / 90000;

const log = logger("hls");

export interface SegmenterOptions {
  readonly targetDuration: number;
  /** Prefix of segment names; unique per muxer so a URL never names two different segments. */
  readonly namePrefix: string;
  /** Part target in seconds (low-latency variant); undefined: no parts. */
  readonly partTarget?: number;
}

export interface SegmenterEvents {
  /** A part was completed (low-latency variant); its segment is still open or has just been completed. */
  onPart?(part: Part): void;
  /** A segment was completed. The segmenter lets go of it: the receiver owns its reference. */
  onSegment(segment: Segment): void;
  /** The first segment was dropped before completing (to wait for a track): forget its parts. */
  onDiscard?(segment: Segment): void;
}

/**
 * Cuts access units into segments on keyframes (and, in the low-latency
 * variant, into parts of about the part target). A parameter change or a
 * timestamp break waits for the next keyframe and starts a segment marked as
 * a discontinuity. What the bytes look like is the packager's business.
 */
export class Segmenter {
  private readonly tracks: Track[] = [];
  private readonly lastDts = new Map<number, number>();
  /** Ids of the tracks that have sent a unit. */
  private readonly arrived = new Set<number>();
  /** Decode time of the first keyframe, seconds: where the wait for late tracks is measured from. */
  private firstKey: number | undefined;
  private sequence = 0;
  private partId = 0;
  /** The segment being written, owned (one reference) until completed. */
  private open: Segment | undefined;
  private start = 0;
  /** Estimated end of the open segment: last primary dts plus its frame duration. */
  private end = 0;
  /** Decode time where the open part starts, and whether its first primary unit is a keyframe. */
  private partStart = 0;
  private partIndependent = false;
  /** Bytes of the open segment when the open part began. */
  private partOffset = 0;
  /** Decode time of the last video unit in clock ticks (frame steps for FRAME-RATE). */
  private lastVideoDts: number | undefined;
  /** Last step between two primary units: how long the newest one lasts. */
  private frameDuration = 0;
  private waitingForKey = true;
  private pendingDiscontinuity = false;
  /** Units left out while waiting for a keyframe after a break. */
  dropped = 0;
  private closed = false;

  private readonly hasVideo: boolean;

  constructor(
    private readonly pool: ChunkPool,
    private readonly packager: Packager,
    private readonly options: SegmenterOptions,
    /** The stream's track list (read at start, so the first PMT / init segment lists them all, and again at each parameter break). */
    private readonly streamTracks: readonly Track[],
    private readonly events: SegmenterEvents,
  ) {
    for (const t of streamTracks) if (t && HLS_CODECS.has(t.codec)) this.tracks[t.id] = t;
    this.hasVideo = this.tracks.some((t) => t?.kind === "video");
  }

  /** The segment being written (its parts are already published in the low-latency variant). */
  get openSegment(): Segment | undefined {
    return this.open;
  }

  /** Id the next part will get (the preload hint names it). */
  get nextPartId(): number {
    return this.partId;
  }

  /** `now`: wall-clock ms at which the unit reached us (tests pass their own). */
  push(au: AccessUnit, now = Date.now()): void {
    const track = au.track;
    if (this.closed || !HLS_CODECS.has(track.codec)) return;
    const t = au.dts / track.clockRate;
    this.arrived.add(track.id);
    const primary = this.hasVideo ? track.kind === "video" : true;
    const last = this.lastDts.get(track.id);
    this.lastDts.set(track.id, t);
    const known = this.tracks[track.id];
    const changed = known !== track;
    // A new publisher session brings new track objects at version 0 again: compare the parameters too.
    const paramsChanged = known === undefined || (changed && (known.version !== track.version || !sameParameters(known, track)));
    const timeBreak = last !== undefined && (t <= last || t - last > MAX_GAP_SECONDS);
    if (this.open && (paramsChanged || timeBreak)) this.breakTimeline();
    if (paramsChanged && this.sequence > 0) {
      // A new source session declares all its tracks at once (RTSP SETUP/RECORD): take them all at
      // this break, so the second track's first unit is not a second break a frame later.
      for (const t of this.streamTracks) if (t && HLS_CODECS.has(t.codec) && t.id !== track.id) this.tracks[t.id] = t;
    }
    if (changed) {
      this.tracks[track.id] = track;
      this.packager.setTracks(this.tracks.filter(Boolean));
    }
    try {
      if (this.waitingForKey) {
        if (!(primary && au.key)) {
          if (this.open || this.pendingDiscontinuity) this.dropped++;
          return;
        }
        this.cut(t, this.end, undefined);
      } else if (primary) {
        const elapsed = t - this.start;
        const keyCut = au.key && elapsed >= this.options.targetDuration - EPSILON;
        if (keyCut && this.awaitingTrack(t)) {
          this.restartFirst(t);
        } else if (keyCut || elapsed >= this.options.targetDuration * FORCED_CUT_FACTOR) {
          this.cut(t, t, au);
        } else if (this.partDue(t)) {
          this.closePart(this.open!, t, au);
        }
      }
    } catch (e) {
      if (!(e instanceof MediaError)) throw e;
      // The container refused (e.g. no parameter sets yet): start again at the next keyframe.
      log.warn(`segmenter: ${e.message}; waiting for the next keyframe`);
      this.breakTimeline();
      this.dropped++;
      return;
    }
    const open = this.open!;
    if (primary) {
      if (last !== undefined && t > last) this.frameDuration = t - last;
      this.end = t + this.frameDuration;
      open.arrivalOffset = Math.min(open.arrivalOffset, now - t * 1000);
      const lastTicks = this.lastVideoDts;
      if (track.kind === "video") {
        if (lastTicks !== undefined && au.dts > lastTicks) open.countFrameStep(au.dts - lastTicks);
        this.lastVideoDts = au.dts;
      }
      if (t === this.partStart) this.partIndependent = au.key;
    }
    this.packager.add(au);
  }

  /** Drops the open segment (muxer closing); parts already sent keep their bytes until their responses end. */
  close(): void {
    this.closed = true;
    this.packager.drop();
    this.open?.release();
    this.open = undefined;
  }

  /**
   * RFC 8216 section 6.2.1: a break in timestamps, encoding parameters or
   * tracks needs EXT-X-DISCONTINUITY. The open segment ends with what it has;
   * the next one starts at a keyframe, marked.
   */
  private breakTimeline(): void {
    if (this.open) this.finish(this.end, undefined);
    // Only after a segment: the first one has nothing to break from.
    this.pendingDiscontinuity = this.sequence > 0;
    this.waitingForKey = true;
  }

  /**
   * The first segment would be completed without a track the stream declared
   * (no unit of it yet) and the keyframe at `t` is still within the wait: a
   * player that probes the first segment (ffmpeg) would find that track
   * declared without data, so without codec parameters.
   */
  private awaitingTrack(t: number): boolean {
    if (this.open?.sequence !== 0 || this.open.discontinuity || this.firstKey === undefined) return false;
    if (t - this.firstKey >= FIRST_SEGMENT_WAIT_TARGETS * this.options.targetDuration - EPSILON) return false;
    return this.tracks.some((track) => !this.arrived.has(track.id));
  }

  /** Drops the unpublished first segment and starts it again at the keyframe at `t` (same name: no one saw the old one). */
  private restartFirst(t: number): void {
    const open = this.open!;
    this.open = undefined;
    this.packager.drop();
    this.events.onDiscard?.(open);
    open.release();
    this.sequence = open.sequence;
    this.cut(t, t, undefined);
  }

  /** The open part should end before a primary unit at `t`: taking it in would make the part longer than the target. */
  private partDue(t: number): boolean {
    const target = this.options.partTarget;
    if (target === undefined || t <= this.partStart) return false;
    return t + this.frameDuration - this.partStart > target + PART_EPSILON;
  }

  private closePart(open: Segment, end: number, next: AccessUnit | undefined): void {
    this.packager.flush(next);
    if (open.bytes.byteLength > this.partOffset) {
      const index = open.parts.length;
      const id = this.partId++;
      const part = new Part(id, `${this.options.namePrefix}p${id}.m4s`, open, index, this.partOffset, open.bytes.byteLength, Math.max(end - this.partStart, 0), this.partIndependent);
      open.parts.push(part);
      this.partOffset = open.bytes.byteLength;
      this.partStart = end;
      this.partIndependent = false;
      this.events.onPart?.(part);
    }
  }

  /** Completes the open segment at `end` (seconds); `next` is the unit that opens the following one. */
  private finish(end: number, next: AccessUnit | undefined): void {
    const open = this.open!;
    this.open = undefined;
    try {
      if (this.options.partTarget !== undefined) this.closePart(open, end, next);
      else this.packager.flush(next);
    } catch (e) {
      if (!(e instanceof MediaError)) throw e;
      log.warn(`segmenter: ${e.message}; the segment ends early`);
      this.packager.drop();
    }
    if (open.byteLength === 0) {
      open.release();
      return;
    }
    open.duration = Math.max(end - open.startTime, 0);
    open.complete = true;
    this.events.onSegment(open);
  }

  private cut(t: number, previousEnd: number, next: AccessUnit | undefined): void {
    if (this.open) this.finish(previousEnd, next);
    const discontinuity = this.pendingDiscontinuity;
    const tracks = this.tracks.filter(Boolean);
    const bytes = new SegmentBytes(this.pool);
    try {
      this.packager.begin(bytes, tracks, discontinuity);
    } catch (e) {
      bytes.release();
      throw e;
    }
    const name = `${this.options.namePrefix}${this.sequence}.${this.packager.extension}`;
    this.open = new Segment(name, this.sequence++, t, discontinuity, bytes, this.packager.tracks, this.packager.init);
    this.firstKey ??= t;
    this.pendingDiscontinuity = false;
    this.waitingForKey = false;
    this.start = t;
    this.end = t;
    this.partStart = t;
    this.partOffset = 0;
    this.partIndependent = false;
  }
}
