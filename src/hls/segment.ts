import type { ChunkPool } from "../core/chunk-pool.ts";

/**
 * A finished, immutable media segment. Its bytes sit in pool chunks shared
 * by every response that sends it. The store holds one reference while the
 * segment is in the playlist window, each streaming response one more; the
 * chunks go back to the pool when the count reaches zero.
 */
export class Segment {
  private refs = 1;
  /** A send was cut short: the runtime may still hold a view, so the chunks never go back to the pool. */
  private tainted = false;

  constructor(
    readonly name: string,
    readonly sequence: number,
    /** Seconds, from the first decode time of this segment to that of the next. */
    readonly duration: number,
    /** Timestamps or codec parameters break before this segment. */
    readonly discontinuity: boolean,
    /** EXT-X-PROGRAM-DATE-TIME: wall-clock ms at which the segment's first unit reached the server. */
    readonly programDateTime: number,
    private readonly chunks: Uint8Array[],
    readonly byteLength: number,
    private readonly pool: ChunkPool,
  ) {}

  /** The bytes as views over the pool chunks, in order. */
  views(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let left = this.byteLength;
    for (const chunk of this.chunks) {
      if (left <= 0) break;
      const n = Math.min(left, chunk.byteLength);
      out.push(chunk.subarray(0, n));
      left -= n;
    }
    return out;
  }

  get references(): number {
    return this.refs;
  }

  retain(): void {
    if (this.refs <= 0) throw new Error(`segment ${this.name} retained after release`);
    this.refs++;
  }

  /**
   * `reuse: false` when a runtime may still hold a view we enqueued (a send
   * aborted mid-chunk): at the last release the chunks are left to the GC
   * instead of the pool, so no later segment can write into bytes still being sent.
   */
  release(reuse = true): void {
    if (this.refs <= 0) return;
    if (!reuse) this.tainted = true;
    this.refs--;
    if (this.refs > 0) return;
    if (!this.tainted) for (const chunk of this.chunks) this.pool.give(chunk);
    this.chunks.length = 0;
  }
}
