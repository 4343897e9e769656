import { ParseError } from "../../core/errors.ts";
import { BitReader, removeEmulationPrevention } from "../bit-reader.ts";
import { H264_NAL, h264NalType } from "./nal.ts";

export interface H264Sps {
  readonly profileIdc: number;
  /** constraint_set0_flag..constraint_set5_flag and the reserved bits, as one byte. */
  readonly constraintFlags: number;
  readonly levelIdc: number;
  readonly chromaFormatIdc: number;
  readonly bitDepthLuma: number;
  readonly frameMbsOnly: boolean;
  /** Displayed size: coded size minus the frame cropping rectangle. */
  readonly width: number;
  readonly height: number;
}

/** Profiles whose SPS carries chroma_format_idc etc. (H.264 7.3.2.1.1). */
const HIGH_PROFILES: ReadonlySet<number> = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** Level 6.2 MaxFS is 139264 macroblocks (H.264 Table A-1); 16x that per side is generous. */
const MAX_MBS_PER_SIDE = 2048;
/** num_ref_frames_in_pic_order_cnt_cycle is in 0..255 (H.264 7.4.2.1.1). */
const MAX_POC_CYCLE = 255;

/** Parses an H.264 SPS NAL unit (header included), ITU-T H.264 7.3.2.1.1. */
export function parseH264Sps(nal: Uint8Array): H264Sps {
  if (nal.length < 4 || h264NalType(nal) !== H264_NAL.SPS) throw new ParseError("not an H.264 SPS");
  const r = new BitReader(removeEmulationPrevention(nal), 1);
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) throw new ParseError("bad chroma_format_idc");
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = r.ue() + 8;
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > MAX_POC_CYCLE) throw new ParseError("bad num_ref_frames_in_pic_order_cnt_cycle");
    for (let i = 0; i < cycle; i++) r.se();
  } else if (pocType !== 2) {
    throw new ParseError("bad pic_order_cnt_type");
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  if (widthMbs > MAX_MBS_PER_SIDE || heightMapUnits > MAX_MBS_PER_SIDE) throw new ParseError("SPS size out of range");

  // Crop units from H.264 7.4.2.1.1 (Table 6-1 gives SubWidthC/SubHeightC).
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const cropX = chromaArrayType === 0 || chromaArrayType === 3 ? 1 : 2;
  const cropY = (chromaArrayType === 1 ? 2 : 1) * fieldFactor;
  const [left, right, top, bottom] = crop as [number, number, number, number];
  const width = widthMbs * 16 - cropX * (left + right);
  const height = heightMapUnits * 16 * fieldFactor - cropY * (top + bottom);
  if (width <= 0 || height <= 0) throw new ParseError("SPS cropping exceeds picture");
  return { profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLuma, frameMbsOnly, width, height };
}

/** scaling_list() (H.264 7.3.2.1.1.1): only read past it. */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}
