import type { VideoCodec } from "../core/track.ts";
import { ParseError } from "../core/errors.ts";
import { H264_NAL, h264NalType } from "./h264/nal.ts";
import { parseH264Sps } from "./h264/sps.ts";
import { H265_NAL, h265NalType } from "./h265/nal.ts";
import { parseH265Sps } from "./h265/sps.ts";

export interface ParameterSets {
  vps?: Uint8Array;
  sps?: Uint8Array;
  pps?: Uint8Array;
}

/** The parameter sets among NAL units (views, the last of each kind); vps for H.265 only. */
export function findParameterSets(codec: VideoCodec, units: readonly Uint8Array[]): ParameterSets {
  const out: ParameterSets = {};
  for (const u of units) {
    if (codec === "h264") {
      const t = h264NalType(u);
      if (t === H264_NAL.SPS) out.sps = u;
      else if (t === H264_NAL.PPS) out.pps = u;
    } else {
      const t = h265NalType(u);
      if (t === H265_NAL.VPS) out.vps = u;
      else if (t === H265_NAL.SPS) out.sps = u;
      else if (t === H265_NAL.PPS) out.pps = u;
    }
  }
  return out;
}

/** Picture size from an SPS (H.264 7.3.2.1, H.265 7.3.2.2); undefined when the SPS cannot be read. */
export function spsDimensions(codec: VideoCodec, sps: Uint8Array): { width: number; height: number } | undefined {
  try {
    const s = codec === "h264" ? parseH264Sps(sps) : parseH265Sps(sps);
    return { width: s.width, height: s.height };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return undefined;
  }
}
