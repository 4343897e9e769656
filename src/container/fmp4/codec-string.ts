import { MediaError } from "../../core/errors.ts";
import type { Track } from "../../core/track.ts";
import { AAC_LC, parseAudioSpecificConfig } from "../../codec/aac/config.ts";
import { parseH265Sps } from "../../codec/h265/sps.ts";

const hex2 = (v: number): string => v.toString(16).padStart(2, "0");

/** avc1.PPCCLL: profile, constraint flags and level bytes of the SPS (RFC 6381 3.3). */
export function avcCodecString(sps: Uint8Array): string {
  if (sps.length < 4) throw new MediaError("H.264 SPS too short for a codec string");
  return `avc1.${hex2(sps[1]!)}${hex2(sps[2]!)}${hex2(sps[3]!)}`;
}

/**
 * hvc1.[space]profile.compat.tierlevel.constraints (ISO 14496-15 E.3): the
 * compatibility flags bit-reversed in hex, constraint bytes without trailing zeros.
 */
export function hevcCodecString(sps: Uint8Array): string {
  const s = parseH265Sps(sps);
  const space = ["", "A", "B", "C"][s.generalProfileSpace];
  let reversed = 0;
  for (let i = 0; i < 32; i++) if (s.generalProfileCompatibilityFlags & (1 << i)) reversed |= 1 << (31 - i);
  const constraints = [...s.generalConstraintIndicator];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const parts = [`${space}${s.generalProfileIdc}`, (reversed >>> 0).toString(16).toUpperCase(), `${s.generalTierFlag ? "H" : "L"}${s.generalLevelIdc}`];
  for (const c of constraints) parts.push(c.toString(16).toUpperCase());
  return `hvc1.${parts.join(".")}`;
}

/** mp4a.40.<audioObjectType> (RFC 6381 3.3). */
export function aacCodecString(config: Uint8Array | undefined): string {
  return `mp4a.40.${config ? parseAudioSpecificConfig(config).objectType : AAC_LC}`;
}

/** The RFC 6381 codec string HLS wants in CODECS, for a track the fMP4 writer carries. */
export function codecString(track: Track): string {
  if (track.kind === "video") {
    if (!track.sps) throw new MediaError(`${track.codec} track ${track.id} has no SPS yet`);
    return track.codec === "h264" ? avcCodecString(track.sps) : hevcCodecString(track.sps);
  }
  if (track.codec !== "aac") throw new MediaError(`no fMP4 codec string for ${track.codec}`);
  return aacCodecString(track.config);
}
