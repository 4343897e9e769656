import type { Track } from "../core/track.ts";
import type { InitSegment } from "./init-segment.ts";
import type { Part } from "./part.ts";
import type { SegmentBytes } from "./segment-bytes.ts";

/** Distinct frame steps counted per segment; a sane stream has one or two. */
const MAX_STEP_KINDS = 16;

/**
 * One media segment: its bytes (shared, refcounted), where it sits in time,
 * and, in the low-latency variant, its parts. It is open while the segmenter
 * appends to it and immutable once `complete`.
 */
export class Segment {
  readonly parts: Part[] = [];
  /** Seconds, from the first decode time of this segment to that of the next; set when complete. */
  duration = 0;
  complete = false;
  /**
   * How often each step between two video decode times occurs, in track
   * clock ticks (FRAME-RATE: the most common step, so a gap or a dropped
   * frame does not bend it). At most MAX_STEP_KINDS kinds.
   */
  readonly frameSteps = new Map<number, number>();
  /**
   * Earliest (arrival wall-clock ms minus dts ms) over the segment's primary
   * units so far: the wall-clock time its first unit came in, mapped through
   * the timestamps. The minimum, because a unit is never early but may be late
   * (the backlog a new muxer reads from the ring, a batch pushed at once).
   */
  arrivalOffset = Infinity;
  private pinnedDate: number | undefined;

  constructor(
    readonly name: string,
    readonly sequence: number,
    /** Decode time of the first primary unit, seconds. */
    readonly startTime: number,
    /** Timestamps or codec parameters break before this segment. */
    readonly discontinuity: boolean,
    readonly bytes: SegmentBytes,
    /** The tracks it carries (CODECS, RESOLUTION). */
    readonly tracks: readonly Track[],
    /** The EXT-X-MAP it needs (fMP4); undefined for MPEG-TS. */
    readonly init: InitSegment | undefined,
  ) {}

  /**
   * EXT-X-PROGRAM-DATE-TIME in ms. Fixed the first time a playlist shows the
   * segment, so it never moves under a player (RFC 8216bis 6.2.1 forbids
   * ambiguous dates); by then at least one of its units arrived live.
   */
  get programDateTime(): number {
    this.pinnedDate ??= Number.isFinite(this.arrivalOffset) ? Math.round(this.startTime * 1000 + this.arrivalOffset) : Date.now();
    return this.pinnedDate;
  }

  countFrameStep(ticks: number): void {
    const n = this.frameSteps.get(ticks);
    if (n !== undefined) this.frameSteps.set(ticks, n + 1);
    else if (this.frameSteps.size < MAX_STEP_KINDS) this.frameSteps.set(ticks, 1);
  }

  get byteLength(): number {
    return this.bytes.byteLength;
  }

  get references(): number {
    return this.bytes.references;
  }

  views(): Uint8Array[] {
    return this.bytes.views();
  }

  retain(): void {
    this.bytes.retain();
  }

  release(reuse = true): void {
    this.bytes.release(reuse);
  }
}
