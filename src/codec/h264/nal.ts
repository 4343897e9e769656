/** H.264 nal_unit_type values (ITU-T H.264 Table 7-1). */
export const H264_NAL = {
  NON_IDR: 1,
  PARTITION_A: 2,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQUENCE: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
  SPS_EXT: 13,
  PREFIX: 14,
  SUBSET_SPS: 15,
  SLICE_EXT: 20,
  /** RFC 6184 aggregation and fragmentation types, seen when RTP leaks through. */
  STAP_A: 24,
  FU_A: 28,
} as const;

/** nal_unit_type: the low 5 bits of the one-byte header (H.264 7.3.1). */
export function h264NalType(nal: Uint8Array): number {
  return (nal[0] ?? 0) & 0x1f;
}

/** An access unit with an IDR slice is a random access point (H.264 3.69). */
export function isH264Keyframe(units: readonly Uint8Array[]): boolean {
  for (const u of units) if (h264NalType(u) === H264_NAL.IDR) return true;
  return false;
}

/** AUD for any primary_pic_type (H.264 7.3.2.4): type 9, then 0b111 and the stop bit. */
export const H264_AUD: Uint8Array = new Uint8Array([0x09, 0xf0]);
