import { describe, expect, test } from "bun:test";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { Segment } from "../../src/hls/segment.ts";
import { segmentStream } from "../../src/hls/segment-body.ts";

function makeSegment(pool: ChunkPool, fill: number, bytes: number): Segment {
  const chunks: Uint8Array[] = [];
  for (let left = bytes; left > 0; left -= pool.chunkSize) chunks.push(pool.take().fill(fill));
  return new Segment("s_0.ts", 0, 2, false, 0, chunks, bytes, pool);
}

describe("segment responses share the segment's chunks", () => {
  test("a finished response lets the chunks go back only after the store released too", async () => {
    const pool = new ChunkPool(188 * 4, 8);
    const seg = makeSegment(pool, 7, 188 * 10);
    const body = segmentStream(seg, 10_000);
    expect(seg.references).toBe(2);
    const received = new Uint8Array(await new Response(body).arrayBuffer());
    expect(received.byteLength).toBe(188 * 10);
    expect(received.every((b) => b === 7)).toBe(true);
    expect(seg.references).toBe(1); // still in the playlist window
    expect(pool.freeCount).toBe(0);
    seg.release(); // evicted
    expect(pool.freeCount).toBe(3);
  });

  test("eviction while a response is sending keeps the bytes until the response ends", async () => {
    const pool = new ChunkPool(188 * 4, 8);
    const seg = makeSegment(pool, 9, 188 * 12);
    const reader = segmentStream(seg, 10_000).getReader();
    const first = await reader.read();
    seg.release(); // evicted mid-send
    expect(pool.freeCount).toBe(0);
    // A new segment taking chunks now must not get the ones being sent.
    const other = makeSegment(pool, 1, 188 * 4);
    let total = first.value!.byteLength;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      expect(value.every((b) => b === 9)).toBe(true);
      total += value.byteLength;
    }
    expect(total).toBe(188 * 12);
    expect(pool.freeCount).toBe(3);
    other.release();
  });

  test("an aborted response releases its reference; its chunks go to the GC, not the pool", async () => {
    const pool = new ChunkPool(188 * 4, 8);
    const seg = makeSegment(pool, 3, 188 * 8);
    const reader = segmentStream(seg, 10_000).getReader();
    await reader.read();
    await reader.cancel();
    expect(seg.references).toBe(1);
    seg.release();
    expect(pool.freeCount).toBe(0);
  });

  test("a response slower than sendTimeout is cut off and lets go", async () => {
    const pool = new ChunkPool(188 * 4, 8);
    const seg = makeSegment(pool, 3, 188 * 8);
    const reader = segmentStream(seg, 50).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 100));
    expect(seg.references).toBe(1);
    await expect(reader.read()).rejects.toThrow("timed out");
  });
});
