import type { AccessUnit } from "../../core/access-unit.ts";
import { MediaError } from "../../core/errors.ts";
import type { Track } from "../../core/track.ts";
import { AAC_FRAME_SAMPLES } from "../../codec/aac/config.ts";
import { timescaleOf, toTimescale } from "./mp4-track.ts";
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from "./sample-flags.ts";
import { samplePayload, type SamplePayload } from "./sample-payload.ts";
import type { TrunSample } from "./trun.ts";

/** Last-resort duration of a lone video frame with no history: 1/30 s at 90 kHz. */
const FALLBACK_VIDEO_DURATION = 3000;

export interface Sample extends TrunSample {
  /** Decode time in the track's timescale, shifted onto the writer's timeline. */
  readonly dts: number;
  readonly payload: SamplePayload;
}

/**
 * Turns one track's access units into samples, fragment after fragment, and
 * remembers where the track's decode time stands.
 *
 * A sample lasts until the next one's DTS. The last sample of a fragment has
 * no successor yet; its duration is, in this order: the DTS of the next
 * fragment's first unit when the caller has it (the HLS segmenter cuts when
 * it sees the next keyframe, so video usually has it); 1024 samples for AAC
 * (a frame is always that long, ISO 14496-3 4.5.1.1); else the last duration
 * measured between two real DTS values. Every fragment's tfdt is the real DTS
 * of its first sample, so an estimate never accumulates into drift.
 */
export class TrackSamples {
  private lastDts: number | undefined;
  private measured: number | undefined;
  readonly timescale: number;

  constructor(readonly track: Track) {
    this.timescale = timescaleOf(track);
  }

  /** Samples of `units` (this track's, in decode order); `shift` ticks are added to every time. */
  build(units: readonly AccessUnit[], nextDts: number | undefined, shift: number): Sample[] {
    const kept: { au: AccessUnit; payload: SamplePayload; dts: number }[] = [];
    for (const au of units) {
      const payload = samplePayload(au);
      if (payload.parts.length === 0) continue; // parameter sets only: nothing to present
      const dts = toTimescale(au.dts, this.track) + shift;
      const previous = kept.length > 0 ? kept[kept.length - 1]!.dts : this.lastDts;
      if (dts < 0) throw new MediaError(`track ${this.track.id}: decode time ${dts} before the timeline's start`);
      if (previous !== undefined && dts <= previous) {
        throw new MediaError(`track ${this.track.id}: decode time ${dts} not after ${previous}; a time break needs a new writer`);
      }
      if (kept.length === 0 && this.lastDts !== undefined) this.measured = dts - this.lastDts;
      kept.push({ au, payload, dts });
    }
    const samples: Sample[] = [];
    kept.forEach((k, i) => {
      const following = kept[i + 1]?.dts ?? (nextDts === undefined ? undefined : toTimescale(nextDts, this.track) + shift);
      let duration: number;
      if (following !== undefined && following > k.dts) {
        duration = following - k.dts;
        this.measured = duration;
      } else duration = this.lastDuration();
      const pts = toTimescale(k.au.pts, this.track) + shift;
      const key = this.track.kind === "audio" || k.au.key;
      samples.push({ dts: k.dts, duration, size: k.payload.size, flags: key ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC, compositionOffset: pts - k.dts, payload: k.payload });
    });
    if (kept.length > 0) this.lastDts = kept[kept.length - 1]!.dts;
    return samples;
  }

  private lastDuration(): number {
    if (this.track.codec === "aac") return Math.round((AAC_FRAME_SAMPLES * this.timescale) / this.track.sampleRate);
    return this.measured ?? FALLBACK_VIDEO_DURATION;
  }
}
