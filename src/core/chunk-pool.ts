/**
 * Fixed-size byte chunks for segments. Recycling them keeps a live server's
 * heap flat (no 2 MB allocation per segment for the GC to chase). The free
 * list is capped; beyond it, returned chunks are left to the GC.
 */
export class ChunkPool {
  private readonly free: Uint8Array[] = [];
  allocated = 0;
  reused = 0;

  constructor(
    /** Bytes per chunk. */
    readonly chunkSize: number,
    /** Most chunks kept on the free list. */
    private readonly maxFree: number,
  ) {}

  take(): Uint8Array {
    const chunk = this.free.pop();
    if (chunk) {
      this.reused++;
      return chunk;
    }
    this.allocated++;
    return new Uint8Array(this.chunkSize);
  }

  give(chunk: Uint8Array): void {
    if (chunk.byteLength === this.chunkSize && this.free.length < this.maxFree) this.free.push(chunk);
  }

  get freeCount(): number {
    return this.free.length;
  }
}
