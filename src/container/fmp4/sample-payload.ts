import type { AccessUnit } from "../../core/access-unit.ts";
import { H264_NAL, h264NalType } from "../../codec/h264/nal.ts";
import { H265_NAL, h265NalType } from "../../codec/h265/nal.ts";
import type { ByteWriter } from "./byte-writer.ts";
import { NAL_LENGTH_SIZE } from "./avc1.ts";

/**
 * NAL units left out of samples: parameter sets belong in the avc1/hvc1
 * sample entry (hvcC array_completeness = 1 forbids them in-band, ISO
 * 14496-15 8.4.1), and an AUD means nothing inside an MP4 sample. A changed
 * parameter set comes as a new Track version, which needs a new init segment.
 */
const H264_LEFT_OUT: ReadonlySet<number> = new Set([H264_NAL.SPS, H264_NAL.PPS, H264_NAL.AUD]);
const H265_LEFT_OUT: ReadonlySet<number> = new Set([H265_NAL.VPS, H265_NAL.SPS, H265_NAL.PPS, H265_NAL.AUD]);

/** What one sample holds: views over the unit's bytes, NAL units length-prefixed for video. */
export interface SamplePayload {
  readonly parts: readonly Uint8Array[];
  readonly lengthPrefixed: boolean;
  /** Bytes in the mdat, length prefixes included. */
  readonly size: number;
}

export function samplePayload(au: AccessUnit): SamplePayload {
  const t = au.track;
  if (t.kind === "audio") {
    let size = 0;
    for (const u of au.units) size += u.byteLength;
    return { parts: au.units, lengthPrefixed: false, size };
  }
  const h265 = t.codec === "h265";
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const u of au.units) {
    if (u.byteLength === 0 || (h265 ? H265_LEFT_OUT.has(h265NalType(u)) : H264_LEFT_OUT.has(h264NalType(u)))) continue;
    parts.push(u);
    size += NAL_LENGTH_SIZE + u.byteLength;
  }
  return { parts, lengthPrefixed: true, size };
}

export function writePayload(w: ByteWriter, p: SamplePayload): void {
  for (const part of p.parts) {
    if (p.lengthPrefixed) w.u32(part.byteLength);
    w.bytes(part);
  }
}
