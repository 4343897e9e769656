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
  /** pic_order_cnt_type: 2 means output order is decode order (H.264 8.2.1.3). */
  readonly pocType: number;
  /** VUI max_num_reorder_frames (E.2.1), when the SPS signals it. */
  readonly reorderFrames?: number;
  /** Frames per second from VUI timing info (E.2.1: time_scale / (2 * num_units_in_tick)), when present. */
  readonly frameRate?: number;
  /** Displayed size: coded size minus the frame cropping rectangle. */
  readonly width: number;
  readonly height: number;
}

/** Profiles whose SPS carries chroma_format_idc etc. (H.264 7.3.2.1.1). */
const HIGH_PROFILES: ReadonlySet<number> = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** Level 6.2 MaxFS is 139264 macroblocks (H.264 Table A-1); 16x that per side is generous. */
const MAX_MBS_PER_SIDE = 2048;
/** aspect_ratio_idc Extended_SAR (H.264 Table E-1). */
const EXTENDED_SAR = 255;
/** cpb_cnt_minus1 is in 0..31 (H.264 E.2.2). */
const MAX_CPB_COUNT = 32;
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
  const vui = r.flag() ? readVui(r) : {};
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
  return { profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLuma, frameMbsOnly, pocType, ...vui, width, height };
}

/**
 * vui_parameters() (H.264 E.1.1), for the frame rate and the reorder depth.
 * Cameras send VUIs cut short: what cannot be read is left out, not an error.
 */
function readVui(r: BitReader): { reorderFrames?: number; frameRate?: number } {
  const out: { reorderFrames?: number; frameRate?: number } = {};
  try {
    if (r.flag() && r.u(8) === EXTENDED_SAR) r.skip(32); // aspect_ratio_idc, sar_width/height
    if (r.flag()) r.skip(1); // overscan_appropriate_flag
    if (r.flag()) {
      r.skip(4); // video_format, video_full_range_flag
      if (r.flag()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
    }
    if (r.flag()) {
      r.ue(); // chroma_sample_loc_type_top_field
      r.ue(); // chroma_sample_loc_type_bottom_field
    }
    if (r.flag()) {
      const unitsInTick = r.u(32);
      const timeScale = r.u(32);
      r.skip(1); // fixed_frame_rate_flag
      if (unitsInTick > 0 && timeScale > 0) out.frameRate = timeScale / (2 * unitsInTick);
    }
    const nalHrd = r.flag();
    if (nalHrd) skipHrd(r);
    const vclHrd = r.flag();
    if (vclHrd) skipHrd(r);
    if (nalHrd || vclHrd) r.skip(1); // low_delay_hrd_flag
    r.skip(1); // pic_struct_present_flag
    if (r.flag()) {
      r.skip(1); // motion_vectors_over_pic_boundaries_flag
      for (let i = 0; i < 4; i++) r.ue(); // max_bytes_per_pic_denom .. log2_max_mv_length_vertical
      out.reorderFrames = r.ue();
    }
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
  return out;
}

/** hrd_parameters() (H.264 E.1.2): only read past it. */
function skipHrd(r: BitReader): void {
  const count = r.ue() + 1;
  if (count > MAX_CPB_COUNT) throw new ParseError("bad cpb_cnt_minus1");
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < count; i++) {
    r.ue();
    r.ue();
    r.skip(1);
  }
  r.skip(20); // four delay/offset lengths
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
