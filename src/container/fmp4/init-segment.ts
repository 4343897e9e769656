import { MediaError } from "../../core/errors.ts";
import type { Track } from "../../core/track.ts";
import { serialize } from "./box.ts";
import { ftyp } from "./ftyp.ts";
import { isFmp4Track, mp4TrackId, sampleEntry, timescaleOf, videoSize } from "./mp4-track.ts";
import { minf, smhd, stbl, vmhd } from "./minf.ts";
import { moov, mvex, mvhd, trex } from "./moov.ts";
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from "./sample-flags.ts";
import { hdlr, mdhd, mdia, tkhd, trak } from "./trak.ts";

/**
 * The init segment (ftyp + moov) that EXT-X-MAP points at (RFC 8216 4.3.2.5):
 * one trak per track the writer carries, sample tables empty, mvex for the
 * fragments. Tracks of other codecs are left out; video tracks need their
 * parameter sets, so call this once they are known.
 */
export function initSegment(tracks: readonly Track[]): Uint8Array {
  const carried = tracks.filter(isFmp4Track);
  if (carried.length === 0) throw new MediaError("fMP4: no track of a codec fMP4 carries");
  const traks = carried.map((t) => {
    const id = mp4TrackId(t);
    const video = t.kind === "video";
    const entry = sampleEntry(t);
    const size = t.kind === "video" ? videoSize(t) : undefined;
    const header = size ? tkhd(id, "vide", size.width, size.height) : tkhd(id, "soun");
    return trak(header, mdia(mdhd(timescaleOf(t)), hdlr(video ? "vide" : "soun"), minf(video ? vmhd() : smhd(), stbl(entry))));
  });
  // Audio frames are all sync samples; video samples carry their own flags in trun.
  const trexes = carried.map((t) => trex(mp4TrackId(t), t.kind === "video" ? SAMPLE_FLAGS_NON_SYNC : SAMPLE_FLAGS_SYNC));
  const nextTrackId = Math.max(...carried.map(mp4TrackId)) + 1;
  return serialize(ftyp(), moov(mvhd(nextTrackId), traks, mvex(trexes)));
}
