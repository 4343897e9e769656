import { describe, expect, test } from "bun:test";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { Segment } from "../../src/hls/segment.ts";
import { SegmentBytes } from "../../src/hls/segment-bytes.ts";
import { Part } from "../../src/hls/part.ts";
import { segmentStream } from "../../src/hls/segment-body.ts";

function makeSegment(pool: ChunkPool, fill: number, bytes: number): Segment {
  const store = new SegmentBytes(pool);
  store.write(new Uint8Array(bytes).fill(fill));
  return new Segment("s_0.ts", 0, 0, false, store, [], undefined);
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

describe("segment bytes and parts", () => {
  test("writes straddle chunks; any byte range comes back as views over them", () => {
    const pool = new ChunkPool(100, 8);
    const store = new SegmentBytes(pool);
    const data = Uint8Array.from({ length: 350 }, (_, i) => i & 0xff);
    store.write(data.subarray(0, 120));
    store.write(data.subarray(120));
    expect(store.byteLength).toBe(350);
    expect(store.views().map((v) => v.byteLength)).toEqual([100, 100, 100, 50]);
    const range = store.views(90, 215);
    expect(range.map((v) => v.byteLength)).toEqual([10, 100, 15]);
    expect([...range.flatMap((v) => [...v])]).toEqual([...data.subarray(90, 215)]);
    expect(store.views(100, 100)).toEqual([]);
  });

  test("TS packets are reserved in runs inside one chunk; a size that does not divide the chunk is refused", () => {
    const store = new SegmentBytes(new ChunkPool(188 * 2, 4));
    const runs: number[][] = [];
    for (const max of [1, 5, 3]) {
      const n = store.reserveRun(188, max);
      runs.push([n, store.runOffset]);
      store.runChunk.fill(runs.length, store.runOffset, store.runOffset + n * 188);
    }
    expect(runs).toEqual([[1, 0], [1, 188], [2, 0]]);
    expect(store.views().map((v) => v.byteLength)).toEqual([376, 376]);
    expect(store.byteLength).toBe(752);
    expect(store.views().map((v) => [v[0], v[187], v[188], v[375]])).toEqual([[1, 1, 2, 2], [3, 3, 3, 3]]);
    const odd = new SegmentBytes(new ChunkPool(300, 4));
    expect(odd.reserveRun(188, 4)).toBe(1);
    expect(() => odd.reserveRun(188, 1)).toThrow("multiple");
  });

  test("a part held by a response is never recycled: not when its segment grows, not when the segment is evicted", async () => {
    const pool = new ChunkPool(64, 8);
    const store = new SegmentBytes(pool);
    store.write(new Uint8Array(150).fill(5));
    const segment = new Segment("s_3.m4s", 3, 0, false, store, [], undefined);
    const part = new Part(7, "s_p7.m4s", segment, 0, 0, 150, 0.2, true);
    segment.parts.push(part);
    const reader = segmentStream(part, 10_000).getReader();
    const first = await reader.read();
    // The segment grows after the part (the next part is written into the same last chunk).
    store.write(new Uint8Array(100).fill(6));
    // Evicted from the window while the part is being sent.
    segment.release();
    expect(pool.freeCount).toBe(0);
    const stranger = new SegmentBytes(pool);
    stranger.write(new Uint8Array(64 * 3).fill(1));
    let received = [...first.value!];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received = received.concat([...value]);
    }
    expect(received.length).toBe(150);
    expect(received.every((b) => b === 5)).toBe(true);
    // The response ended: the segment's 4 chunks go back now.
    expect(pool.freeCount).toBe(4);
    stranger.release();
  });
});
