import { container, fullBox, type Box } from "./box.ts";
import { MATRIX_SIZE, writeUnityMatrix } from "./matrix.ts";

/** Movie timescale: only used for durations, which are zero for a live, fragmented movie. */
export const MOVIE_TIMESCALE = 1000;
/** 1.0 as 16.16 (rate) and 8.8 (volume) fixed point. */
const RATE_ONE = 0x00010000;
const VOLUME_ONE = 0x0100;

export function moov(mvhdBox: Box, traks: readonly Box[], mvexBox: Box): Box {
  return container("moov", [mvhdBox, ...traks, mvexBox]);
}

/** MovieHeaderBox version 0 (ISO 14496-12 8.2.2), duration 0: the length lives in the fragments. */
export function mvhd(nextTrackId: number, timescale = MOVIE_TIMESCALE): Box {
  return fullBox("mvhd", 0, 0, 22 + 10 + MATRIX_SIZE + 24 + 4, (w) => {
    w.u32(0); // creation_time
    w.u32(0); // modification_time
    w.u32(timescale);
    w.u32(0); // duration
    w.u32(RATE_ONE);
    w.u16(VOLUME_ONE);
    w.zeros(10); // reserved
    writeUnityMatrix(w);
    w.zeros(24); // pre_defined
    w.u32(nextTrackId);
  });
}

/** MovieExtendsBox (ISO 14496-12 8.8.1): says the movie continues in fragments. */
export function mvex(trexBoxes: readonly Box[]): Box {
  return container("mvex", trexBoxes);
}

/** TrackExtendsBox (ISO 14496-12 8.8.3): defaults every trun may override. */
export function trex(trackId: number, defaultSampleFlags: number): Box {
  return fullBox("trex", 0, 0, 20, (w) => {
    w.u32(trackId);
    w.u32(1); // default_sample_description_index: the one stsd entry
    w.u32(0); // default_sample_duration
    w.u32(0); // default_sample_size
    w.u32(defaultSampleFlags);
  });
}
