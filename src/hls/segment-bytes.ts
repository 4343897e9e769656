import type { ChunkPool } from "../core/chunk-pool.ts";

const EMPTY = new Uint8Array(0);

/**
 * The bytes of one media segment, appended into pool chunks and shared by
 * every response that sends the segment or one of its parts. The creator
 * holds one reference, each streaming response one more; the chunks go back
 * to the pool when the count reaches zero. Bytes once written never change:
 * later writes only go after them, so a part can be sent while its segment
 * is still growing.
 */
export class SegmentBytes {
  private readonly chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  private offset = 0;
  private refs = 1;
  /** A send was cut short: the runtime may still hold a view, so the chunks never go back to the pool. */
  private tainted = false;
  byteLength = 0;
  /** Where the last reserveRun() blocks are. */
  runChunk: Uint8Array = EMPTY;
  runOffset = 0;

  constructor(private readonly pool: ChunkPool) {}

  /**
   * Up to `max` blocks of `size` bytes, contiguous in one chunk, for the TS
   * muxer to fill (no copy, no view): returns how many (at least one); they
   * start at `runOffset` in `runChunk`. `size` must divide the chunk size.
   */
  reserveRun(size: number, max: number): number {
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.offset === chunk.byteLength) chunk = this.nextChunk();
    const n = Math.min(max, Math.floor((chunk.byteLength - this.offset) / size));
    if (n < 1) throw new Error(`chunk size ${chunk.byteLength} is not a multiple of ${size}`);
    this.runChunk = chunk;
    this.runOffset = this.offset;
    this.offset += n * size;
    this.byteLength += n * size;
    return n;
  }

  /** Copies `data` in after the bytes already written (an fMP4 fragment: the one copy into the pool). */
  write(data: Uint8Array): void {
    let from = 0;
    while (from < data.byteLength) {
      let chunk = this.chunks[this.chunks.length - 1];
      if (!chunk || this.offset === chunk.byteLength) chunk = this.nextChunk();
      const n = Math.min(data.byteLength - from, chunk.byteLength - this.offset);
      chunk.set(data.subarray(from, from + n), this.offset);
      this.offset += n;
      this.byteLength += n;
      from += n;
    }
  }

  /** Bytes [start, end) as views over the chunks, in order. */
  views(start = 0, end = this.byteLength): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 0;
    for (const chunk of this.chunks) {
      if (at >= end) break;
      const from = Math.max(start - at, 0);
      const to = Math.min(end - at, chunk.byteLength);
      if (from < to) out.push(chunk.subarray(from, to));
      at += chunk.byteLength;
    }
    return out;
  }

  get references(): number {
    return this.refs;
  }

  retain(): void {
    if (this.refs <= 0) throw new Error("segment bytes retained after release");
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
    this.runChunk = EMPTY;
  }

  private nextChunk(): Uint8Array {
    const chunk = this.pool.take();
    this.chunks.push(chunk);
    this.offset = 0;
    return chunk;
  }
}
