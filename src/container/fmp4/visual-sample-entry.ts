import { box, type Box } from "./box.ts";

/** 72 dpi as 16.16 fixed point (ISO 14496-12 12.1.3.3). */
const DPI_72 = 0x00480000;
/** "images are in colour with no alpha" (ISO 14496-12 12.1.3.3). */
const DEPTH_COLOUR = 0x0018;
const COMPRESSOR_NAME_SIZE = 32;
/** SampleEntry (6 reserved + data_reference_index) and VisualSampleEntry fields. */
const VISUAL_SAMPLE_ENTRY_BODY = 78;

/** VisualSampleEntry (ISO 14496-12 12.1.3) followed by its codec configuration box. */
export function visualSampleEntry(type: "avc1" | "hvc1", width: number, height: number, config: readonly Box[]): Box {
  return box(
    type,
    VISUAL_SAMPLE_ENTRY_BODY,
    (w) => {
      w.zeros(6); // reserved
      w.u16(1); // data_reference_index: the dref's one entry
      w.zeros(16); // pre_defined, reserved, pre_defined[3]
      w.u16(width);
      w.u16(height);
      w.u32(DPI_72);
      w.u32(DPI_72);
      w.u32(0); // reserved
      w.u16(1); // frame_count
      w.zeros(COMPRESSOR_NAME_SIZE);
      w.u16(DEPTH_COLOUR);
      w.u16(0xffff); // pre_defined = -1
    },
    config,
  );
}
