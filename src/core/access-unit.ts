import type { Track } from "./track.ts";

/**
 * One frame of one track. `units` are views over the bytes we received:
 * NAL units without start codes for h264/h265, one raw frame for audio.
 */
export interface AccessUnit {
  /** The track as it was when this unit was produced (see Track.version). */
  readonly track: Track;
  /** Presentation and decode time in track.clockRate ticks, unwrapped (never wraps at 33 bits). */
  readonly pts: number;
  readonly dts: number;
  /** A random access point: IDR/IRAP for video; every audio frame. */
  readonly key: boolean;
  readonly units: readonly Uint8Array[];
  /**
   * Set when `units` live in reused memory (UnitArena): the ring retains it
   * while it keeps the unit, and anyone who keeps the bytes longer (past
   * the ring's eviction) must retain and release it too, or copy them.
   */
  readonly storage?: UnitStorage;
}

/** A reference count on the memory a unit's bytes live in. */
export interface UnitStorage {
  retain(): void;
  release(): void;
}

export function accessUnitSize(au: AccessUnit): number {
  let n = 0;
  for (const u of au.units) n += u.byteLength;
  return n;
}

/** Decode time in seconds, comparable across tracks of one stream. */
export function dtsSeconds(au: AccessUnit): number {
  return au.dts / au.track.clockRate;
}
