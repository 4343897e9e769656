import type { VideoCodec } from "../core/track.ts";
import { ParseError } from "../core/errors.ts";
import { H264_NAL, h264NalType } from "./h264/nal.ts";
import { parseH264Sps } from "./h264/sps.ts";
import { H265_NAL, h265NalType } from "./h265/nal.ts";
import { parseH265Sps } from "./h265/sps.ts";

/** profile_idc of H.264 Baseline (A.2.1): no B slices. */
const BASELINE = 66;

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

/** Without a VUI that says, assume up to this many pictures are reordered (x264's and x265's default B-pyramid needs 2). */
const DEFAULT_REORDER = 4;
const DEFAULT_FRAME_RATE = 25;

/**
 * How far pictures are reordered, and the frame rate, from an SPS: H.264
 * POC type 2 (8.2.1.3) and Baseline have no reordering, else VUI
 * max_num_reorder_frames (E.2.1); H.265 sps_max_num_reorder_pics.
 */
export function spsTiming(codec: VideoCodec, sps: Uint8Array | undefined): { reorder: number; frameRate: number } {
  try {
    if (!sps) return { reorder: DEFAULT_REORDER, frameRate: DEFAULT_FRAME_RATE };
    if (codec === "h265") return { reorder: parseH265Sps(sps).reorderPictures, frameRate: DEFAULT_FRAME_RATE };
    const s = parseH264Sps(sps);
    const reorder = s.pocType === 2 || s.profileIdc === BASELINE ? 0 : (s.reorderFrames ?? DEFAULT_REORDER);
    return { reorder, frameRate: s.frameRate !== undefined && s.frameRate >= 1 && s.frameRate <= 300 ? s.frameRate : DEFAULT_FRAME_RATE };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return { reorder: DEFAULT_REORDER, frameRate: DEFAULT_FRAME_RATE };
  }
}
