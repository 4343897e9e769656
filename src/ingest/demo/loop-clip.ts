import type { AccessUnit } from "../../core/access-unit.ts";
import type { Track } from "../../core/track.ts";
import { TsAccessUnitReader } from "../../container/mpegts/access-unit-reader.ts";
import { ParseError } from "../../core/errors.ts";

/**
 * A clip demuxed once, ready to be replayed forever. Units keep pointing
 * into the file's bytes; each loop only shifts timestamps.
 */
export interface LoopClip {
  readonly tracks: readonly Track[];
  /** Units in decode order across tracks, with the file's own timestamps. */
  readonly units: readonly AccessUnit[];
  /** Decode time in seconds of the first unit. */
  readonly start: number;
  /** Seconds of presentation time the clip covers: the shift from one loop to the next. */
  readonly span: number;
}

const dtsOf = (au: AccessUnit) => au.dts / au.track.clockRate;
const ptsOf = (au: AccessUnit) => au.pts / au.track.clockRate;

/** Shortest positive gap between presentation times: one frame of that track. */
function frameDuration(units: AccessUnit[]): number {
  const pts = units.map(ptsOf).sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 1; i < pts.length; i++) if (pts[i] > pts[i - 1]) best = Math.min(best, pts[i] - pts[i - 1]);
  return Number.isFinite(best) ? best : 0;
}

export function loadLoopClip(bytes: Uint8Array): LoopClip {
  const reader = new TsAccessUnitReader();
  const all = [...reader.push(bytes), ...reader.flush()].sort((a, b) => dtsOf(a) - dtsOf(b));
  // Start at the first video keyframe (or the first unit of an audio-only clip) so the loop point is a clean random access point.
  let first = all.findIndex((au) => au.key && au.track.kind === "video");
  if (first < 0) first = 0;
  const key = all[first];
  if (!key) throw new ParseError("demo clip holds no audio or video we can read");
  const t0 = ptsOf(key);
  // Video from the keyframe on in decode order; other tracks from the keyframe's presentation time.
  const units = all.slice(first).filter((au) => au.track.kind === "video" || ptsOf(au) >= t0);
  // Each track ends one frame after its last presentation time; the loop covers the longest.
  let end = t0;
  for (const track of reader.tracks) {
    const mine = units.filter((au) => au.track.id === track.id);
    if (mine.length === 0) continue;
    const last = mine.reduce((m, au) => Math.max(m, ptsOf(au)), -Infinity);
    end = Math.max(end, last + frameDuration(mine));
  }
  return { tracks: reader.tracks, units, start: dtsOf(units[0]), span: end - t0 };
}
