import { MediaError } from "../../core/errors.ts";
import { BitReader, removeEmulationPrevention } from "../../codec/bit-reader.ts";
import { H264_NAL, h264NalType } from "../../codec/h264/nal.ts";
import { box, type Box } from "./box.ts";
import { visualSampleEntry } from "./visual-sample-entry.ts";

/** Samples carry 4-byte NAL unit lengths: lengthSizeMinusOne = 3. */
export const NAL_LENGTH_SIZE = 4;
/** Profiles whose avcC carries chroma format and bit depths (ISO 14496-15 5.3.3.1.2). */
const PROFILES_WITH_EXTENSION: ReadonlySet<number> = new Set([100, 110, 122, 144]);

/** AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3.1) with one SPS and one PPS. */
export function avcC(sps: Uint8Array, pps: Uint8Array): Box {
  if (sps.length < 4 || h264NalType(sps) !== H264_NAL.SPS) throw new MediaError("avcC: not an H.264 SPS");
  if (pps.length < 1 || h264NalType(pps) !== H264_NAL.PPS) throw new MediaError("avcC: not an H.264 PPS");
  const profile = sps[1]!;
  const ext = PROFILES_WITH_EXTENSION.has(profile) ? highProfileFields(sps) : undefined;
  return box("avcC", 6 + 2 + sps.length + 1 + 2 + pps.length + (ext ? 4 : 0), (w) => {
    w.u8(1); // configurationVersion
    w.u8(profile); // AVCProfileIndication
    w.u8(sps[2]!); // profile_compatibility: the constraint flags byte
    w.u8(sps[3]!); // AVCLevelIndication
    w.u8(0xfc | (NAL_LENGTH_SIZE - 1)); // reserved '111111', lengthSizeMinusOne
    w.u8(0xe0 | 1); // reserved '111', numOfSequenceParameterSets
    w.u16(sps.length);
    w.bytes(sps);
    w.u8(1); // numOfPictureParameterSets
    w.u16(pps.length);
    w.bytes(pps);
    if (ext) {
      w.u8(0xfc | ext.chromaFormat);
      w.u8(0xf8 | (ext.bitDepthLuma - 8));
      w.u8(0xf8 | (ext.bitDepthChroma - 8));
      w.u8(0); // numOfSequenceParameterSetExt
    }
  });
}

/** An avc1 sample entry: parameter sets live here, not in the samples. */
export function avc1(width: number, height: number, sps: Uint8Array, pps: Uint8Array): Box {
  return visualSampleEntry("avc1", width, height, [avcC(sps, pps)]);
}

/** chroma_format_idc and bit depths, the SPS fields right after seq_parameter_set_id (H.264 7.3.2.1.1). */
function highProfileFields(sps: Uint8Array): { chromaFormat: number; bitDepthLuma: number; bitDepthChroma: number } {
  const r = new BitReader(removeEmulationPrevention(sps), 4);
  r.ue(); // seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat > 3) throw new MediaError("avcC: bad chroma_format_idc");
  if (chromaFormat === 3) r.skip(1); // separate_colour_plane_flag
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  // bit_depth_*_minus8 is in 0..6 (H.264 7.4.2.1.1).
  if (bitDepthLuma > 14 || bitDepthChroma > 14) throw new MediaError("avcC: bad bit depth");
  return { chromaFormat, bitDepthLuma, bitDepthChroma };
}
