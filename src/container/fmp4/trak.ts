import { box, container, fullBox, type Box } from "./box.ts";
import { MATRIX_SIZE, writeUnityMatrix } from "./matrix.ts";

/** tkhd flags: track_enabled | track_in_movie | track_in_preview (ISO 14496-12 8.3.2.3). */
const TRACK_ENABLED_IN_MOVIE = 0x000007;
/** 'und' packed as three 5-bit letters minus 0x60 (ISO 14496-12 8.4.2.3). */
const LANGUAGE_UNDETERMINED = 0x55c4;
const VOLUME_ONE = 0x0100;

export type HandlerType = "vide" | "soun";

export function trak(tkhdBox: Box, mdiaBox: Box): Box {
  return container("trak", [tkhdBox, mdiaBox]);
}

/** TrackHeaderBox version 0 (ISO 14496-12 8.3.2); width and height 0 for audio. */
export function tkhd(trackId: number, handler: HandlerType, width = 0, height = 0): Box {
  return fullBox("tkhd", 0, TRACK_ENABLED_IN_MOVIE, 20 + 8 + 8 + MATRIX_SIZE + 8, (w) => {
    w.u32(0); // creation_time
    w.u32(0); // modification_time
    w.u32(trackId);
    w.u32(0); // reserved
    w.u32(0); // duration: unknown, fragments follow
    w.zeros(8); // reserved
    w.u16(0); // layer
    w.u16(0); // alternate_group
    w.u16(handler === "soun" ? VOLUME_ONE : 0);
    w.u16(0); // reserved
    writeUnityMatrix(w);
    w.u32(width * 0x10000); // 16.16 fixed point
    w.u32(height * 0x10000);
  });
}

export function mdia(mdhdBox: Box, hdlrBox: Box, minfBox: Box): Box {
  return container("mdia", [mdhdBox, hdlrBox, minfBox]);
}

/** MediaHeaderBox version 0 (ISO 14496-12 8.4.2): the track's timescale. */
export function mdhd(timescale: number): Box {
  return fullBox("mdhd", 0, 0, 20, (w) => {
    w.u32(0); // creation_time
    w.u32(0); // modification_time
    w.u32(timescale);
    w.u32(0); // duration
    w.u16(LANGUAGE_UNDETERMINED);
    w.u16(0); // pre_defined
  });
}

const HANDLER_NAMES: Record<HandlerType, string> = { vide: "VideoHandler", soun: "SoundHandler" };

/** HandlerBox (ISO 14496-12 8.4.3) with a null-terminated name. */
export function hdlr(handler: HandlerType): Box {
  const name = HANDLER_NAMES[handler];
  return fullBox("hdlr", 0, 0, 20 + name.length + 1, (w) => {
    w.u32(0); // pre_defined
    w.fourcc(handler);
    w.zeros(12); // reserved
    for (let i = 0; i < name.length; i++) w.u8(name.charCodeAt(i));
    w.u8(0);
  });
}
