import { ByteScratch } from "./byte-scratch.ts";
import type { DepacketizedFrame, DepacketizerStats } from "./depacketizer.ts";
import { MAX_ACCESS_UNIT_SIZE, MAX_UNITS_PER_ACCESS_UNIT } from "./limits.ts";

/** What the assembler needs to know about a codec's NAL units. */
export interface NalRules {
  isKeyframe(units: readonly Uint8Array[]): boolean;
  /** Parameter sets and SEI: a frame of only these is passed on even while waiting for a keyframe. */
  isNonVcl(unit: Uint8Array): boolean;
  /**
   * Leading pictures that reference pictures before the keyframe (H.265 RASL,
   * 8.1.3): undecodable when decoding starts at that keyframe, so dropped
   * until the first frame for which this is false.
   */
  skippedAfterRecovery?(units: readonly Uint8Array[]): boolean;
}

/**
 * Groups NAL units into access units for RFC 6184 and RFC 7798 streams: all
 * packets of an access unit share one timestamp and the last one carries the
 * marker bit (RFC 6184 5.1, RFC 7798 4.1). A timestamp change also ends a
 * frame, for cameras that never set the marker.
 *
 * After damage (loss, a malformed packet, a limit passed) the damaged frame
 * and every following frame are dropped until a keyframe, since they would
 * reference pictures the decoder does not have. The stream starts in that
 * state too: frames before the first keyframe cannot be decoded.
 *
 * Units are copied in as they are added (no view of a packet outlives its
 * push) and frames come out as views of that copy, valid until the push
 * after the one that returned them. Two buffers take turns: one push can
 * end a frame (timestamp change) and start the next.
 */
export class FrameAssembler {
  private readonly buffers = [new ByteScratch(MAX_ACCESS_UNIT_SIZE), new ByteScratch(MAX_ACCESS_UNIT_SIZE)];
  private bytes = this.buffers[0]!;
  /** End offset in `bytes` of each unit of the current frame. */
  private ends: number[] = [];
  private ts = 0;
  private started = false;
  private damaged = false;
  private waitingForKeyframe = true;
  /** Decoding (re)started at the last keyframe: its leading pictures may be undecodable. */
  private recovering = false;

  constructor(
    private readonly rules: NalRules,
    private readonly stats: DepacketizerStats,
  ) {}

  get inProgress(): boolean {
    return this.started;
  }

  /** The current frame is already lost: its remaining packets need no checking. */
  get isDamaged(): boolean {
    return this.damaged;
  }

  get timestamp(): number {
    return this.ts;
  }

  /** Makes `ts` the current frame, ending (into `out`) a frame with another timestamp. */
  begin(ts: number, out: DepacketizedFrame[]): void {
    if (this.started && ts === this.ts) return;
    this.flush(out);
    this.started = true;
    this.ts = ts;
  }

  add(unit: Uint8Array): void {
    if (this.damaged || unit.length === 0) return;
    if (this.ends.length >= MAX_UNITS_PER_ACCESS_UNIT || !this.bytes.append(unit)) {
      this.damage();
      return;
    }
    this.ends.push(this.bytes.length);
  }

  /** The current frame is lost; later frames wait for a keyframe. */
  damage(): void {
    this.started = true;
    this.damaged = true;
    this.ends.length = 0;
    this.bytes.clear();
    this.waitingForKeyframe = true;
  }

  /** Ends the current frame: emits it into `out`, or counts it as dropped. */
  flush(out: DepacketizedFrame[]): void {
    if (!this.started) return;
    const units = this.take();
    const damaged = this.damaged;
    this.started = false;
    this.damaged = false;
    if (damaged) {
      this.stats.framesDropped++;
      return;
    }
    if (units.length === 0) return;
    const key = this.rules.isKeyframe(units);
    if (key) {
      this.recovering = this.waitingForKeyframe;
      this.waitingForKeyframe = false;
    } else if (this.waitingForKeyframe && !units.every((u) => this.rules.isNonVcl(u))) {
      this.stats.framesDropped++;
      return;
    } else if (this.recovering) {
      if (this.rules.skippedAfterRecovery?.(units)) {
        this.stats.framesDropped++;
        return;
      }
      this.recovering = units.every((u) => this.rules.isNonVcl(u));
    }
    this.stats.framesOut++;
    out.push({ units, timestamp: this.ts, key });
  }

  /** The current frame's units as views; the next frame goes to the other buffer. */
  private take(): Uint8Array[] {
    const ends = this.ends;
    const units = new Array<Uint8Array>(ends.length);
    for (let i = 0, from = 0; i < ends.length; i++) {
      units[i] = this.bytes.view(from, ends[i]!);
      from = ends[i]!;
    }
    ends.length = 0;
    this.bytes = this.bytes === this.buffers[0] ? this.buffers[1]! : this.buffers[0]!;
    this.bytes.clear();
    return units;
  }
}
