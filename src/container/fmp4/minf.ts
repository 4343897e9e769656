import { container, fullBox, type Box } from "./box.ts";

/** The url entry's flag "media is in this file" (ISO 14496-12 8.7.2.3). */
const SELF_CONTAINED = 0x000001;

export function minf(mediaHeader: Box, stblBox: Box): Box {
  return container("minf", [mediaHeader, dinf(), stblBox]);
}

/** VideoMediaHeaderBox (ISO 14496-12 12.1.2): flags must be 1; copy mode, no opcolor. */
export function vmhd(): Box {
  return fullBox("vmhd", 0, 1, 8, (w) => w.zeros(8)); // graphicsmode, opcolor[3]
}

/** SoundMediaHeaderBox (ISO 14496-12 12.2.2): balance centred. */
export function smhd(): Box {
  return fullBox("smhd", 0, 0, 4, (w) => w.zeros(4)); // balance, reserved
}

/** DataInformationBox with one self-contained url entry (ISO 14496-12 8.7.1, 8.7.2). */
export function dinf(): Box {
  const url = fullBox("url ", 0, SELF_CONTAINED, 0, undefined);
  return container("dinf", [fullBox("dref", 0, 0, 4, (w) => w.u32(1), [url])]);
}

/**
 * SampleTableBox for a fragmented track: the sample description and empty
 * tables, since every sample lives in a fragment (ISO 14496-12 8.8.1).
 */
export function stbl(sampleEntry: Box): Box {
  return container("stbl", [stsd(sampleEntry), emptyTable("stts"), emptyTable("stsc"), stsz(), emptyTable("stco")]);
}

/** SampleDescriptionBox with one entry (ISO 14496-12 8.5.2). */
export function stsd(sampleEntry: Box): Box {
  return fullBox("stsd", 0, 0, 4, (w) => w.u32(1), [sampleEntry]);
}

/** A FullBox that is just entry_count = 0 (stts, stsc, stco). */
export function emptyTable(type: "stts" | "stsc" | "stco"): Box {
  return fullBox(type, 0, 0, 4, (w) => w.u32(0));
}

/** SampleSizeBox with sample_size 0 and no samples (ISO 14496-12 8.7.3). */
export function stsz(): Box {
  return fullBox("stsz", 0, 0, 8, (w) => w.zeros(8));
}
