import { ParseError } from "../../core/errors.ts";
import { BitReader, removeEmulationPrevention } from "../bit-reader.ts";
import { H265_NAL, h265NalType } from "./nal.ts";

export interface H265Sps {
  readonly maxSubLayers: number;
  readonly generalProfileSpace: number;
  readonly generalTierFlag: number;
  readonly generalProfileIdc: number;
  /** general_profile_compatibility_flag[0..31] as a 32-bit number, flag 0 in the MSB. */
  readonly generalProfileCompatibilityFlags: number;
  /** The 48 bits after the compatibility flags (progressive_source_flag ...), 6 bytes. */
  readonly generalConstraintIndicator: Uint8Array;
  readonly generalLevelIdc: number;
  readonly chromaFormatIdc: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  /** sps_max_num_reorder_pics of the highest sub-layer (H.265 7.4.3.2.1). */
  readonly reorderPictures: number;
  /** Displayed size: pic size minus the conformance window. */
  readonly width: number;
  readonly height: number;
}

/** sps_max_sub_layers_minus1 is in 0..6 (H.265 7.4.3.2.1). */
const MAX_SUB_LAYERS = 7;
/** Level 6.2 MaxLumaPs is 35651584 (H.265 Table A.8); sqrt(8 * that) bounds a side. */
const MAX_SIDE = 16888;

/** Parses an H.265 SPS NAL unit (header included), ITU-T H.265 7.3.2.2.1. */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  if (nal.length < 5 || h265NalType(nal) !== H265_NAL.SPS) throw new ParseError("not an H.265 SPS");
  const rbsp = removeEmulationPrevention(nal);
  const r = new BitReader(rbsp, 2);
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayers = r.u(3) + 1;
  if (maxSubLayers > MAX_SUB_LAYERS) throw new ParseError("bad sps_max_sub_layers_minus1");
  r.skip(1); // sps_temporal_id_nesting_flag

  // profile_tier_level(1, sps_max_sub_layers_minus1), H.265 7.3.3.
  const generalProfileSpace = r.u(2);
  const generalTierFlag = r.u(1);
  const generalProfileIdc = r.u(5);
  const generalProfileCompatibilityFlags = r.u(32);
  const generalConstraintIndicator = new Uint8Array(6);
  for (let i = 0; i < 6; i++) generalConstraintIndicator[i] = r.u(8);
  const generalLevelIdc = r.u(8);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayers - 1; i++) {
    profilePresent.push(r.flag());
    levelPresent.push(r.flag());
  }
  if (maxSubLayers > 1) r.skip(2 * (8 - (maxSubLayers - 1))); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayers - 1; i++) {
    if (profilePresent[i]) r.skip(88); // space, tier, idc, 32 compat flags, 48 constraint bits
    if (levelPresent[i]) r.skip(8);
  }

  r.ue(); // sps_seq_parameter_set_id
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw new ParseError("bad chroma_format_idc");
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  const picWidth = r.ue();
  const picHeight = r.ue();
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  const orderingForAll = r.flag(); // sps_sub_layer_ordering_info_present_flag
  let reorderPictures = 0;
  for (let i = orderingForAll ? 0 : maxSubLayers - 1; i < maxSubLayers; i++) {
    r.ue(); // sps_max_dec_pic_buffering_minus1
    reorderPictures = r.ue();
    r.ue(); // sps_max_latency_increase_plus1
  }
  if (picWidth > MAX_SIDE || picHeight > MAX_SIDE) throw new ParseError("SPS size out of range");

  // SubWidthC/SubHeightC from H.265 Table 6-1; ChromaArrayType 0 when planes are separate.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subW = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subH = chromaArrayType === 1 ? 2 : 1;
  const [left, right, top, bottom] = crop as [number, number, number, number];
  const width = picWidth - subW * (left + right);
  const height = picHeight - subH * (top + bottom);
  if (width <= 0 || height <= 0) throw new ParseError("SPS conformance window exceeds picture");
  return {
    maxSubLayers,
    generalProfileSpace,
    generalTierFlag,
    generalProfileIdc,
    generalProfileCompatibilityFlags,
    generalConstraintIndicator,
    generalLevelIdc,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    reorderPictures,
    width,
    height,
  };
}
