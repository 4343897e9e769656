import type { AccessUnit } from "../core/access-unit.ts";
import type { Track } from "../core/track.ts";
import type { InitSegment } from "./init-segment.ts";
import type { SegmentBytes } from "./segment-bytes.ts";

/**
 * Turns access units into a segment's bytes in one container format. The
 * segmenter decides where segments and parts begin and end; a packager only
 * writes.
 */
export interface Packager {
  /** Extension of media segment names. */
  readonly extension: "ts" | "m4s";
  /** The EXT-X-MAP the open segment needs (fMP4); undefined for MPEG-TS. */
  readonly init: InitSegment | undefined;
  /** The tracks the open segment carries. */
  readonly tracks: readonly Track[];
  /**
   * Starts a segment written into `bytes`. `fresh`: a discontinuity (new
   * timeline or parameters) comes before it. Throws a MediaError when the
   * tracks cannot be described yet (the segmenter waits for the next keyframe).
   */
  begin(bytes: SegmentBytes, tracks: readonly Track[], fresh: boolean): void;
  /** New track objects mid-segment (the same parameters, or a change the segmenter cuts at). */
  setTracks(tracks: readonly Track[]): void;
  add(au: AccessUnit): void;
  /** Writes what was added since the last flush (fMP4: one fragment); `next` opens the following one. */
  flush(next: AccessUnit | undefined): void;
  /** Forgets units added but not flushed (the muxer closes). */
  drop(): void;
}
