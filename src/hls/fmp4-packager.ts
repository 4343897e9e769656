import type { AccessUnit } from "../core/access-unit.ts";
import { MediaError } from "../core/errors.ts";
import type { Track } from "../core/track.ts";
import { FragmentWriter } from "../container/fmp4/fragment-writer.ts";
import { isFmp4Track, sampleEntry } from "../container/fmp4/mp4-track.ts";
import type { InitSegment } from "./init-segment.ts";
import type { Packager } from "./packager.ts";
import type { SegmentBytes } from "./segment-bytes.ts";

/**
 * fMP4 segments (RFC 8216 3.3): an init segment per timeline and parameter
 * set, then moof+mdat fragments, one per segment or, in the low-latency
 * variant, one per part. Each fragment is serialized once and copied once
 * into the segment's pool chunks. Units wait for their fragment retained
 * (AccessUnit.storage): a small ring may drop them before the flush.
 */
export class Fmp4Packager implements Packager {
  readonly extension = "m4s";
  init: InitSegment | undefined;
  private writer: FragmentWriter | undefined;
  private target: SegmentBytes | undefined;
  private pending: AccessUnit[] = [];
  private inits = 0;

  constructor(private readonly namePrefix: string) {}

  get tracks(): readonly Track[] {
    return this.writer?.tracks ?? [];
  }

  begin(bytes: SegmentBytes, tracks: readonly Track[], fresh: boolean): void {
    if (!this.writer || fresh) {
      // A track we cannot describe yet (no SPS, no sample rate) is left out rather than holding up the rest.
      const usable = tracks.filter((t) => isFmp4Track(t) && describable(t));
      if (usable.length === 0) throw new MediaError("fMP4: no track can be described yet");
      const writer = new FragmentWriter(usable, this.writer?.nextSequence ?? 1);
      this.init = { name: `${this.namePrefix}init${this.inits++}.mp4`, bytes: writer.initSegment() };
      this.writer = writer;
    }
    this.target = bytes;
    this.release();
  }

  setTracks(): void {}

  add(au: AccessUnit): void {
    au.storage?.retain();
    this.pending.push(au);
  }

  flush(next: AccessUnit | undefined): void {
    if (this.pending.length === 0 || !this.writer || !this.target) return;
    this.target.write(this.writer.fragment(this.pending, next ? [next] : []));
    this.release();
  }

  drop(): void {
    this.release();
    this.target = undefined;
  }

  private release(): void {
    for (const au of this.pending) au.storage?.release();
    this.pending = [];
  }
}

function describable(t: Track): boolean {
  try {
    sampleEntry(t);
    return true;
  } catch (e) {
    if (e instanceof MediaError) return false;
    throw e;
  }
}
