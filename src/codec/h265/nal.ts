/** H.265 nal_unit_type values (ITU-T H.265 Table 7-1). */
export const H265_NAL = {
  TRAIL_N: 0,
  TRAIL_R: 1,
  /** IRAP pictures are types 16..23 (BLA, IDR, CRA and reserved IRAP types). */
  IRAP_FIRST: 16,
  BLA_W_LP: 16,
  IDR_W_RADL: 19,
  IDR_N_LP: 20,
  CRA: 21,
  IRAP_LAST: 23,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  EOS: 36,
  EOB: 37,
  FD: 38,
  PREFIX_SEI: 39,
  SUFFIX_SEI: 40,
  /** RFC 7798 aggregation and fragmentation types. */
  AP: 48,
  FU: 49,
} as const;

/** nal_unit_type: bits 1..6 of the two-byte header (H.265 7.3.1.2). */
export function h265NalType(nal: Uint8Array): number {
  return ((nal[0] ?? 0) >> 1) & 0x3f;
}

export function isH265Irap(type: number): boolean {
  return type >= H265_NAL.IRAP_FIRST && type <= H265_NAL.IRAP_LAST;
}

/** An access unit with an IRAP picture is a random access point (H.265 3.73). */
export function isH265Keyframe(units: readonly Uint8Array[]): boolean {
  for (const u of units) if (isH265Irap(h265NalType(u))) return true;
  return false;
}

/** AUD (H.265 7.3.2.5): header type 35, layer 0, tid 1; pic_type 2 (I, P, B) and the stop bit. */
export const H265_AUD: Uint8Array = new Uint8Array([0x46, 0x01, 0x50]);
