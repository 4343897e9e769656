import { fullBox, type Box } from "./box.ts";

/** tr_flags (ISO 14496-12 8.8.8.1). */
export const TRUN_DATA_OFFSET = 0x000001;
export const TRUN_DURATION = 0x000100;
export const TRUN_SIZE = 0x000200;
export const TRUN_FLAGS = 0x000400;
export const TRUN_COMPOSITION_OFFSET = 0x000800;
/** Largest composition offset a signed 32-bit field holds. */
const MAX_OFFSET = 0x7fffffff;

export interface TrunSample {
  /** In the track's timescale. */
  readonly duration: number;
  readonly size: number;
  /** sample_flags, written when the run carries flags. */
  readonly flags: number;
  /** CTS - DTS in the track's timescale; negative allowed (version 1). */
  readonly compositionOffset: number;
}

export interface TrunFields {
  /** Per-sample flags (video: which frames are sync samples); else trex's default applies. */
  readonly flags: boolean;
  /** Per-sample composition offsets (B-frames). */
  readonly compositionOffsets: boolean;
}

/**
 * TrackRunBox version 1 (ISO 14496-12 8.8.8): signed composition offsets, so
 * a stream may present before it decodes without an edit list. `dataOffset`
 * is from the start of the moof to the run's first byte in the mdat.
 */
export function trun(samples: readonly TrunSample[], dataOffset: number, fields: TrunFields): Box {
  let flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE;
  let perSample = 8;
  if (fields.flags) {
    flags |= TRUN_FLAGS;
    perSample += 4;
  }
  if (fields.compositionOffsets) {
    flags |= TRUN_COMPOSITION_OFFSET;
    perSample += 4;
    for (const s of samples) if (Math.abs(s.compositionOffset) > MAX_OFFSET) throw new RangeError(`composition offset ${s.compositionOffset} out of range`);
  }
  return fullBox("trun", 1, flags, 8 + perSample * samples.length, (w) => {
    w.u32(samples.length);
    w.i32(dataOffset);
    for (const s of samples) {
      w.u32(s.duration);
      w.u32(s.size);
      if (fields.flags) w.u32(s.flags);
      if (fields.compositionOffsets) w.i32(s.compositionOffset);
    }
  });
}
