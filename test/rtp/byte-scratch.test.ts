import { describe, expect, test } from "bun:test";
import { ByteScratch } from "../../src/rtp/byte-scratch.ts";

describe("ByteScratch", () => {
  test("appends across growth; views see the bytes written since the last clear", () => {
    const s = new ByteScratch(1 << 20);
    const a = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    expect(s.append(a.subarray(0, 3000))).toBe(true);
    expect(s.append(a.subarray(3000))).toBe(true);
    expect(s.view(0, s.length)).toEqual(a);
    s.clear();
    expect(s.length).toBe(0);
    s.append(Uint8Array.of(9, 8));
    expect(s.view(0, 2)).toEqual(Uint8Array.of(9, 8));
  });

  test("refuses (and writes nothing) past the limit", () => {
    const s = new ByteScratch(10);
    expect(s.append(new Uint8Array(8).fill(1))).toBe(true);
    expect(s.append(new Uint8Array(3))).toBe(false);
    expect(s.length).toBe(8);
    expect(s.append(new Uint8Array(2).fill(2))).toBe(true);
    expect(s.view(0, 10)).toEqual(Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1, 2, 2));
  });

  test("memory is reused while units stay alike, and let go after a burst of large ones", () => {
    const s = new ByteScratch(8 << 20);
    s.append(new Uint8Array(4 << 20));
    const big = s.view(0, 1).buffer;
    s.clear();
    s.append(new Uint8Array(100));
    expect(s.view(0, 1).buffer).toBe(big);
    // A whole check window (256 clears) of small units only: the 4 MiB buffer goes, a small one takes its place.
    for (let i = 0; i < 512; i++) {
      s.clear();
      s.append(new Uint8Array(100));
    }
    s.clear();
    s.append(new Uint8Array(100));
    expect(s.view(0, 1).buffer.byteLength).toBeLessThan(64 * 1024);
  });
});
