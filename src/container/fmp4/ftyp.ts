import { box, type Box } from "./box.ts";

/**
 * iso5 allows movie fragments with default-base-is-moof; iso6 adds tfdt
 * (ISO 14496-12 E.4, E.5). No 'cmfc': CMAF wants one track per file, and
 * HLS segments here may mux audio and video.
 */
export const MAJOR_BRAND = "iso5";
export const COMPATIBLE_BRANDS: readonly string[] = ["iso5", "iso6", "mp41"];

/** FileTypeBox (ISO 14496-12 4.3). */
export function ftyp(major = MAJOR_BRAND, minorVersion = 0, compatible: readonly string[] = COMPATIBLE_BRANDS): Box {
  return box("ftyp", 8 + 4 * compatible.length, (w) => {
    w.fourcc(major);
    w.u32(minorVersion);
    for (const b of compatible) w.fourcc(b);
  });
}
