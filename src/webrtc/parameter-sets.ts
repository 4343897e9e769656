import type { AccessUnit } from "../core/access-unit.ts";
import { H264_NAL, h264NalType } from "../codec/h264/nal.ts";
import { H265_NAL, h265NalType } from "../codec/h265/nal.ts";

/**
 * The NAL units of a keyframe with the track's parameter sets in front when
 * the unit lacks them. WebRTC has no out-of-band sprop-parameter-sets, so a
 * browser can only start decoding on an IDR that follows SPS/PPS in band;
 * RTSP cameras often send them only in the SDP (and some only once).
 */
export function withParameterSets(au: AccessUnit): readonly Uint8Array[] {
  const track = au.track;
  if (!au.key || track.kind !== "video") return au.units;
  if (track.codec === "h264") {
    const types = new Set(au.units.map(h264NalType));
    const missing: Uint8Array[] = [];
    if (track.sps && !types.has(H264_NAL.SPS)) missing.push(track.sps);
    if (track.pps && !types.has(H264_NAL.PPS)) missing.push(track.pps);
    return insert(au.units, missing, h264NalType(au.units[0] ?? new Uint8Array(1)) === H264_NAL.AUD);
  }
  const types = new Set(au.units.map(h265NalType));
  const missing: Uint8Array[] = [];
  if (track.vps && !types.has(H265_NAL.VPS)) missing.push(track.vps);
  if (track.sps && !types.has(H265_NAL.SPS)) missing.push(track.sps);
  if (track.pps && !types.has(H265_NAL.PPS)) missing.push(track.pps);
  return insert(au.units, missing, h265NalType(au.units[0] ?? new Uint8Array(2)) === H265_NAL.AUD);
}

/** An access unit delimiter stays first (H.264 7.4.1.2.3, H.265 7.4.2.4.4). */
function insert(units: readonly Uint8Array[], missing: Uint8Array[], audFirst: boolean): readonly Uint8Array[] {
  if (missing.length === 0) return units;
  return audFirst ? [units[0]!, ...missing, ...units.slice(1)] : [...missing, ...units];
}
