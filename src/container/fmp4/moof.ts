import { box, container, fullBox, type BodyWriter, type Box } from "./box.ts";

/** tfhd flag: data offsets count from the start of the moof (ISO 14496-12 8.8.7.1); CMAF and HLS want it. */
const DEFAULT_BASE_IS_MOOF = 0x020000;

export function moof(sequenceNumber: number, trafs: readonly Box[]): Box {
  return container("moof", [mfhd(sequenceNumber), ...trafs]);
}

/** MovieFragmentHeaderBox (ISO 14496-12 8.8.5): a number that grows by one per fragment. */
export function mfhd(sequenceNumber: number): Box {
  return fullBox("mfhd", 0, 0, 4, (w) => w.u32(sequenceNumber));
}

export function traf(tfhdBox: Box, tfdtBox: Box, trunBox: Box): Box {
  return container("traf", [tfhdBox, tfdtBox, trunBox]);
}

/** TrackFragmentHeaderBox (ISO 14496-12 8.8.7) with only the track and default-base-is-moof. */
export function tfhd(trackId: number): Box {
  return fullBox("tfhd", 0, DEFAULT_BASE_IS_MOOF, 4, (w) => w.u32(trackId));
}

/** TrackFragmentBaseMediaDecodeTimeBox version 1 (ISO 14496-12 8.8.12): 64 bits, never wraps. */
export function tfdt(baseMediaDecodeTime: number): Box {
  return fullBox("tfdt", 1, 0, 8, (w) => w.u64(baseMediaDecodeTime));
}

/** MediaDataBox around `payloadSize` bytes written by `write`. */
export function mdat(payloadSize: number, write: BodyWriter): Box {
  return box("mdat", payloadSize, write);
}
