import type { InitSegment } from "./init-segment.ts";
import type { Part } from "./part.ts";
import type { Segment } from "./segment.ts";

/**
 * The complete segments a playlist lists, oldest first, and the ones just
 * removed from it, which stay fetchable for a while (RFC 8216 6.2.2: a
 * player may have loaded the playlist just before; RFC 8216bis 6.2.2: a part
 * stays fetchable three target durations after its EXT-X-PART went). Memory
 * stays within two windows.
 */
export class SegmentWindow {
  private readonly listed: Segment[] = [];
  /** At most `size` of them. */
  private readonly retired: Segment[] = [];
  /** Parts of every segment held here plus the open one, by id (preload hints name parts by id). */
  private readonly parts = new Map<number, Part>();
  /** Media sequence number of the first listed segment. */
  mediaSequence = 0;
  discontinuitySequence = 0;
  /** Longest segment so far, seconds (raises the target duration). */
  longest = 0;

  constructor(private readonly size: number) {}

  get segments(): readonly Segment[] {
    return this.listed;
  }

  /** Media sequence number of the newest complete segment; mediaSequence - 1 when none. */
  get lastMsn(): number {
    return this.mediaSequence + this.listed.length - 1;
  }

  addPart(part: Part): void {
    this.parts.set(part.id, part);
  }

  add(segment: Segment): void {
    this.listed.push(segment);
    this.longest = Math.max(this.longest, segment.duration);
    while (this.listed.length > this.size) {
      const old = this.listed.shift()!;
      this.mediaSequence++;
      if (old.discontinuity) this.discontinuitySequence++;
      this.retired.push(old);
      if (this.retired.length > this.size) this.drop(this.retired.shift()!);
    }
  }

  /** A listed segment by media sequence number. */
  byMsn(msn: number): Segment | undefined {
    return this.listed[msn - this.mediaSequence];
  }

  byName(name: string): Segment | undefined {
    return this.listed.find((s) => s.name === name) ?? this.retired.find((s) => s.name === name);
  }

  /** An init segment that a held segment still needs. */
  initByName(name: string): InitSegment | undefined {
    for (const list of [this.listed, this.retired]) for (const s of list) if (s.init?.name === name) return s.init;
    return undefined;
  }

  part(id: number): Part | undefined {
    return this.parts.get(id);
  }

  /** Gives back every reference (the muxer closes). */
  clear(): void {
    for (const s of this.listed.splice(0)) this.drop(s);
    for (const s of this.retired.splice(0)) this.drop(s);
    this.parts.clear();
  }

  /** Forgets parts of a segment that was dropped before completing (the open one at close). */
  forgetParts(segment: Segment): void {
    for (const p of segment.parts) this.parts.delete(p.id);
  }

  private drop(segment: Segment): void {
    this.forgetParts(segment);
    segment.release();
  }
}
