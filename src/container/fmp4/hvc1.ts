import { MediaError } from "../../core/errors.ts";
import { H265_NAL, h265NalType } from "../../codec/h265/nal.ts";
import { parseH265Sps } from "../../codec/h265/sps.ts";
import { box, type Box } from "./box.ts";
import { NAL_LENGTH_SIZE } from "./avc1.ts";
import { visualSampleEntry } from "./visual-sample-entry.ts";

/** HEVCDecoderConfigurationRecord up to and including numOfArrays (ISO 14496-15 8.3.3.1.2). */
const HVCC_HEADER_SIZE = 23;
/** array_completeness = 1: hvc1 keeps every parameter set in the sample entry (ISO 14496-15 8.4.1). */
const ARRAY_COMPLETE = 0x80;

/** HEVCDecoderConfigurationRecord (ISO 14496-15 8.3.3.1) with one VPS, SPS and PPS. */
export function hvcC(vps: Uint8Array, sps: Uint8Array, pps: Uint8Array): Box {
  const sets = [vps, sps, pps] as const;
  const types = [H265_NAL.VPS, H265_NAL.SPS, H265_NAL.PPS] as const;
  sets.forEach((nal, i) => {
    if (nal.length < 3 || h265NalType(nal) !== types[i]) throw new MediaError(`hvcC: not an H.265 ${["VPS", "SPS", "PPS"][i]}`);
  });
  const s = parseH265Sps(sps);
  // sps_temporal_id_nesting_flag: the last bit of the byte after the NAL header (H.265 7.3.2.2.1).
  const temporalIdNested = sps[2]! & 1;
  let arraysSize = 0;
  for (const nal of sets) arraysSize += 3 + 2 + nal.length;
  return box("hvcC", HVCC_HEADER_SIZE + arraysSize, (w) => {
    w.u8(1); // configurationVersion
    w.u8((s.generalProfileSpace << 6) | (s.generalTierFlag << 5) | s.generalProfileIdc);
    w.u32(s.generalProfileCompatibilityFlags);
    w.bytes(s.generalConstraintIndicator);
    w.u8(s.generalLevelIdc);
    w.u16(0xf000); // reserved '1111', min_spatial_segmentation_idc 0 (unknown)
    w.u8(0xfc); // reserved '111111', parallelismType 0 (unknown)
    w.u8(0xfc | s.chromaFormatIdc);
    w.u8(0xf8 | (s.bitDepthLuma - 8));
    w.u8(0xf8 | (s.bitDepthChroma - 8));
    w.u16(0); // avgFrameRate: unspecified
    // constantFrameRate 0 (unknown), numTemporalLayers, temporalIdNested, lengthSizeMinusOne.
    w.u8((s.maxSubLayers << 3) | (temporalIdNested << 2) | (NAL_LENGTH_SIZE - 1));
    w.u8(sets.length); // numOfArrays
    sets.forEach((nal, i) => {
      w.u8(ARRAY_COMPLETE | types[i]);
      w.u16(1); // numNalus
      w.u16(nal.length);
      w.bytes(nal);
    });
  });
}

/** An hvc1 sample entry: VPS, SPS and PPS only here, never in the samples. */
export function hvc1(width: number, height: number, vps: Uint8Array, sps: Uint8Array, pps: Uint8Array): Box {
  return visualSampleEntry("hvc1", width, height, [hvcC(vps, sps, pps)]);
}
