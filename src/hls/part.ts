import type { Segment } from "./segment.ts";

/**
 * A partial segment (LL-HLS, RFC 8216bis 4.4.4.9): one fMP4 fragment, a byte
 * range of its parent segment's bytes. Sending it holds a reference on the
 * parent's bytes, so it is never recycled while a response sends it.
 */
export class Part {
  constructor(
    /** Counts every part of the muxer, so a preload hint names the next part before we know its segment. */
    readonly id: number,
    readonly name: string,
    readonly segment: Segment,
    /** Index within the parent segment (_HLS_part). */
    readonly index: number,
    private readonly start: number,
    private readonly end: number,
    /** Seconds. */
    readonly duration: number,
    /** Starts with a keyframe: INDEPENDENT=YES. */
    readonly independent: boolean,
  ) {}

  get byteLength(): number {
    return this.end - this.start;
  }

  views(): Uint8Array[] {
    return this.segment.bytes.views(this.start, this.end);
  }

  retain(): void {
    this.segment.bytes.retain();
  }

  release(reuse = true): void {
    this.segment.bytes.release(reuse);
  }
}
