import type { AccessUnit } from "../core/access-unit.ts";
import type { ChunkPool } from "../core/chunk-pool.ts";
import { sameParameters, type Track } from "../core/track.ts";
import { TsMuxer, type TsPacketSink } from "../container/mpegts/muxer.ts";
import { Segment } from "./segment.ts";
import { SegmentWriter } from "./segment-writer.ts";

/** Codecs MPEG-TS HLS carries (RFC 8216 section 3.2 and Apple's HLS authoring spec). */
const TS_CODECS = new Set(["h264", "h265", "aac"]);

/** A gap this long between two units of one track is a timeline break, not loss. */
const MAX_GAP_SECONDS = 5;

/** Without keyframes a segment is cut anyway at this many target durations, to bound its memory. */
const FORCED_CUT_FACTOR = 4;

/** Tolerance for "reached the target": timestamps are whole 90 kHz ticks. */
const EPSILON = 0.001;

/** The muxer keeps one sink for its whole life (CC counters run on); the target switches per segment. */
class SwitchingSink implements TsPacketSink {
  target: SegmentWriter | undefined;
  packet(): Uint8Array {
    if (!this.target) throw new Error("no segment open");
    return this.target.packet();
  }
}

export interface SegmenterOptions {
  readonly targetDuration: number;
  /** Prefix of segment names; unique per muxer so a URL never names two different segments. */
  readonly namePrefix: string;
}

/**
 * Cuts access units into MPEG-TS segments on keyframes. A parameter change
 * or a timestamp break waits for the next keyframe and starts a segment
 * marked as a discontinuity.
 */
export class Segmenter {
  private readonly sink = new SwitchingSink();
  private muxer: TsMuxer | undefined;
  private readonly tracks: Track[] = [];
  private readonly lastDts = new Map<number, number>();
  private sequence = 0;
  private start = 0;
  /** Estimated end of the open segment: last primary dts plus its frame duration. */
  private end = 0;
  /**
   * Earliest (arrival wall-clock ms minus dts ms) of the open segment's primary
   * units: the wall-clock time its first unit came in, mapped through the
   * timestamps. The minimum, because a unit is never early but may be late (a
   * backlog read from the ring at start-up, a batch pushed at once).
   */
  private arrivalOffset = Infinity;
  private waitingForKey = true;
  private pendingDiscontinuity = false;
  private discontinuityOfOpen = false;
  /** Units left out while waiting for a keyframe after a break. */
  dropped = 0;

  private readonly hasVideo: boolean;

  constructor(
    private readonly pool: ChunkPool,
    private readonly options: SegmenterOptions,
    /** The stream's tracks when muxing starts, so the first PMT lists them all. */
    initialTracks: readonly Track[],
    private readonly onSegment: (segment: Segment) => void,
  ) {
    for (const t of initialTracks) if (t && TS_CODECS.has(t.codec)) this.tracks[t.id] = t;
    this.hasVideo = this.tracks.some((t) => t?.kind === "video");
  }

  /** `now`: wall-clock ms at which the unit reached us (tests pass their own). */
  push(au: AccessUnit, now = Date.now()): void {
    const track = au.track;
    if (!TS_CODECS.has(track.codec)) return;
    const t = au.dts / track.clockRate;
    const primary = this.hasVideo ? track.kind === "video" : true;
    const last = this.lastDts.get(track.id);
    this.lastDts.set(track.id, t);
    const known = this.tracks[track.id];
    const changed = known !== track;
    // A new publisher session brings new track objects at version 0 again: compare the parameters too.
    const paramsChanged = known === undefined || (changed && (known.version !== track.version || !sameParameters(known, track)));
    const timeBreak = last !== undefined && (t <= last || t - last > MAX_GAP_SECONDS);
    if (this.sink.target && (paramsChanged || timeBreak)) {
      // RFC 8216 section 6.2.1: a break in timestamps, encoding parameters or tracks needs EXT-X-DISCONTINUITY.
      this.pendingDiscontinuity = true;
      this.waitingForKey = true;
    }
    if (changed) {
      this.tracks[track.id] = track;
      this.muxer?.setTracks(this.tracks.filter(Boolean));
    }
    if (this.waitingForKey) {
      if (!(primary && au.key)) {
        if (this.sink.target) this.dropped++;
        return;
      }
      this.cut(t, this.sink.target ? this.end : t);
    } else if (primary) {
      const elapsed = t - this.start;
      if ((au.key && elapsed >= this.options.targetDuration - EPSILON) || elapsed >= this.options.targetDuration * FORCED_CUT_FACTOR) {
        this.cut(t, t);
      }
    }
    if (primary) {
      this.end = t + (last !== undefined && t > last ? t - last : 0);
      this.arrivalOffset = Math.min(this.arrivalOffset, now - t * 1000);
    }
    this.muxer!.writeAccessUnit(au);
  }

  /** Drops the open segment's bytes (muxer closing). */
  close(): void {
    this.sink.target?.discard();
    this.sink.target = undefined;
  }

  private cut(t: number, previousEnd: number): void {
    const writer = this.sink.target;
    if (writer) {
      const name = `${this.options.namePrefix}${this.sequence}.ts`;
      const duration = Math.max(previousEnd - this.start, 0);
      const programDateTime = Math.round(this.start * 1000 + this.arrivalOffset);
      this.onSegment(new Segment(name, this.sequence, duration, this.discontinuityOfOpen, programDateTime, writer.chunks, writer.byteLength, this.pool));
      this.sequence++;
    }
    this.discontinuityOfOpen = writer !== undefined && this.pendingDiscontinuity;
    this.pendingDiscontinuity = false;
    this.waitingForKey = false;
    this.start = t;
    this.end = t;
    this.arrivalOffset = Infinity;
    this.sink.target = new SegmentWriter(this.pool);
    if (!this.muxer) this.muxer = new TsMuxer(this.sink, this.tracks.filter(Boolean));
    // PAT and PMT open every segment so each one decodes alone.
    this.muxer.writeTables();
  }

}
