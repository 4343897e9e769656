import type { AccessUnit } from "../../core/access-unit.ts";
import { MediaError } from "../../core/errors.ts";
import { sameParameters, type Track } from "../../core/track.ts";
import { BOX_HEADER_SIZE, serialize } from "./box.ts";
import { initSegment } from "./init-segment.ts";
import { isFmp4Track, mp4TrackId } from "./mp4-track.ts";
import { mdat, moof, tfdt, tfhd, traf } from "./moof.ts";
import { writePayload } from "./sample-payload.ts";
import { TrackSamples, type Sample } from "./track-samples.ts";
import { trun } from "./trun.ts";

/**
 * Writes fragments (moof + mdat, ISO 14496-12 8.8) for one set of tracks: the
 * media segments or parts that follow one init segment. mfhd sequence numbers
 * run on from fragment to fragment; each track's tfdt is the DTS of its first
 * sample in the fragment.
 *
 * Decode times are written as they come (so they match the MPEG-TS variant's
 * timestamps), shifted by whole seconds only when the stream starts below
 * zero (RTSP sender-report alignment can do that), the same shift for every
 * track so they stay in sync.
 *
 * A writer is one continuous timeline with fixed parameters: a time break or
 * a parameter change (new Track version with other SPS/PPS/config) throws, and
 * the caller starts a new writer with a new init segment (EXT-X-MAP plus
 * EXT-X-DISCONTINUITY).
 */
export class FragmentWriter {
  readonly tracks: readonly Track[];
  private readonly runs = new Map<number, TrackSamples>();
  private sequence: number;
  private shiftSeconds: number | undefined;
  /** Units of tracks this writer does not carry (other codecs), left out. */
  ignored = 0;

  constructor(tracks: readonly Track[], firstSequence = 1) {
    this.tracks = tracks.filter(isFmp4Track);
    for (const t of this.tracks) this.runs.set(t.id, new TrackSamples(t));
    this.sequence = firstSequence;
  }

  /** The init segment these fragments need. */
  initSegment(): Uint8Array {
    return initSegment(this.tracks);
  }

  /** The mfhd sequence_number of the next fragment. */
  get nextSequence(): number {
    return this.sequence;
  }

  /**
   * One fragment holding `units` (any tracks, decode order within each).
   * `next`, when given, holds the units that will open the next fragment: their
   * DTS gives the last samples exact durations (see TrackSamples).
   */
  fragment(units: readonly AccessUnit[], next: readonly AccessUnit[] = []): Uint8Array {
    const byTrack = this.group(units);
    const nextDts = new Map<number, number>();
    for (const au of next) if (!nextDts.has(au.track.id)) nextDts.set(au.track.id, au.dts);
    this.shiftSeconds ??= startShift(byTrack);
    const runs: { run: TrackSamples; samples: Sample[]; size: number }[] = [];
    for (const [id, run] of this.runs) {
      const mine = byTrack.get(id);
      if (!mine) continue;
      const samples = run.build(mine, nextDts.get(id), this.shiftSeconds * run.timescale);
      if (samples.length === 0) continue;
      let size = 0;
      for (const s of samples) size += s.size;
      runs.push({ run, samples, size });
    }
    if (runs.length === 0) throw new MediaError("fMP4 fragment without samples");

    // Run sizes do not depend on the offsets, so a first build gives the moof size.
    const build = (mdatStart: number) => {
      let offset = mdatStart + BOX_HEADER_SIZE;
      return moof(
        this.sequence,
        runs.map(({ run, samples, size }) => {
          const t = run.track;
          const box = traf(tfhd(mp4TrackId(t)), tfdt(samples[0]!.dts), trun(samples, offset, { flags: t.kind === "video", compositionOffsets: samples.some((s) => s.compositionOffset !== 0) }));
          offset += size;
          return box;
        }),
      );
    };
    const moofBox = build(build(0).size);
    let payloadSize = 0;
    for (const r of runs) payloadSize += r.size;
    const mdatBox = mdat(payloadSize, (w) => {
      for (const r of runs) for (const s of r.samples) writePayload(w, s.payload);
    });
    this.sequence++;
    return serialize(moofBox, mdatBox);
  }

  /** Units per carried track; a unit whose parameters differ from the init segment's is refused. */
  private group(units: readonly AccessUnit[]): Map<number, AccessUnit[]> {
    const out = new Map<number, AccessUnit[]>();
    for (const au of units) {
      const run = this.runs.get(au.track.id);
      if (!run) {
        this.ignored++;
        continue;
      }
      if (au.track !== run.track && !sameParameters(au.track, run.track)) {
        throw new MediaError(`track ${au.track.id} changed parameters: a new init segment is needed`);
      }
      let list = out.get(au.track.id);
      if (!list) out.set(au.track.id, (list = []));
      list.push(au);
    }
    return out;
  }
}

/** Whole seconds that bring the earliest decode time to zero or above; 0 when none is negative. */
function startShift(byTrack: ReadonlyMap<number, readonly AccessUnit[]>): number {
  let min = 0;
  for (const units of byTrack.values()) for (const au of units) min = Math.min(min, au.dts / au.track.clockRate);
  return Math.ceil(-min);
}
