import { expect, test } from "bun:test";
import { ownBytes } from "../../src/core/own-bytes.ts";

test("a small view of a large read is copied out; views that are most of their buffer are kept as they are", () => {
  const read = new Uint8Array(6000).map((_, i) => i & 0xff);
  const frame = read.subarray(5000, 5300); // a 300-byte AAC frame in a 6 kB socket read
  const big = new Uint8Array(1400).subarray(0, 1000);
  const units = [frame, big];
  const owned = ownBytes(units);
  expect(owned).not.toBe(units);
  expect(owned[0]!.buffer).not.toBe(read.buffer);
  expect(owned[0]!.buffer.byteLength).toBe(300);
  expect([...owned[0]!]).toEqual([...frame]);
  expect(owned[1]).toBe(big);
  expect(units[0]).toBe(frame); // the caller's array is not changed
  const kept = [big];
  expect(ownBytes(kept)).toBe(kept);
});
