import type { ChunkPool } from "../core/chunk-pool.ts";
import type { TsPacketSink } from "../container/mpegts/muxer.ts";
import { TS_PACKET_SIZE } from "../container/mpegts/constants.ts";

/** Hands the TS muxer 188-byte views straight into pool chunks: no copy. */
export class SegmentWriter implements TsPacketSink {
  readonly chunks: Uint8Array[] = [];
  private offset = 0;
  byteLength = 0;

  constructor(private readonly pool: ChunkPool) {
    if (pool.chunkSize % TS_PACKET_SIZE !== 0) throw new Error("chunk size must be a multiple of 188");
  }

  packet(): Uint8Array {
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.offset === chunk.byteLength) {
      chunk = this.pool.take();
      this.chunks.push(chunk);
      this.offset = 0;
    }
    const view = chunk.subarray(this.offset, this.offset + TS_PACKET_SIZE);
    this.offset += TS_PACKET_SIZE;
    this.byteLength += TS_PACKET_SIZE;
    return view;
  }

  /** Gives the chunks back without making a segment (muxer closed mid-segment). */
  discard(): void {
    for (const chunk of this.chunks) this.pool.give(chunk);
    this.chunks.length = 0;
    this.byteLength = 0;
  }
}
