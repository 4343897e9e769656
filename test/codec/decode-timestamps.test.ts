import { describe, expect, test } from "bun:test";
import { DecodeTimestamps } from "../../src/codec/decode-timestamps.ts";

const F = 3600; // 25 fps at 90 kHz

/** Presentation times in decode order for a GOP pattern given as output indexes, repeated. */
function decodeOrder(pattern: number[], gops: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < gops; g++) for (const p of pattern) out.push((g * pattern.length + p) * F);
  return out;
}

function run(depth: number, pts: number[]): { dts: number[]; est: DecodeTimestamps } {
  const est = new DecodeTimestamps(depth, F);
  return { dts: pts.map((p) => est.next(p)), est };
}

function expectValid(pts: number[], dts: number[]): void {
  for (let i = 0; i < pts.length; i++) {
    expect(dts[i]!).toBeLessThanOrEqual(pts[i]!);
    if (i > 0) expect(dts[i]!).toBeGreaterThan(dts[i - 1]!);
  }
}

describe("DecodeTimestamps", () => {
  const cases = [
    { name: "I P P P (no reordering)", depth: 0, pattern: [0, 1, 2, 3] },
    { name: "I P B B (depth 1)", depth: 1, pattern: [0, 3, 1, 2, 6, 4, 5] },
    { name: "x264 B-pyramid I P B b b (depth 2)", depth: 2, pattern: [0, 4, 2, 1, 3, 8, 6, 5, 7] },
    { name: "x265 hierarchical GOP of 8 (depth 3)", depth: 3, pattern: [0, 8, 4, 2, 1, 3, 6, 5, 7] },
  ];
  for (const c of cases) {
    test(`${c.name}: decode times are the output times ${c.depth} frame(s) back`, () => {
      const pts = decodeOrder(c.pattern, 6);
      const { dts, est } = run(c.depth, pts);
      expectValid(pts, dts);
      expect(est.violations).toBe(0);
      // After the first `depth` pictures, exactly one frame apart: the sorted output times shifted by the depth.
      for (let i = c.depth; i < pts.length; i++) expect(dts[i]).toBe((i - c.depth) * F);
      expect(dts.slice(0, c.depth)).toEqual(Array.from({ length: c.depth }, (_, i) => (i - c.depth) * F));
    });
  }

  test("a larger declared depth only delays decode times, still valid", () => {
    const pts = decodeOrder([0, 3, 1, 2], 5);
    const { dts, est } = run(4, pts);
    expectValid(pts, dts);
    expect(est.violations).toBe(0);
    expect(pts[8]! - dts[8]!).toBeGreaterThanOrEqual(4 * F - 2 * F);
  });

  test("a depth declared too small adapts: no violation after the second GOP", () => {
    const pts = decodeOrder([0, 4, 2, 1, 3], 8);
    const { dts, est } = run(0, pts);
    for (let i = 1; i < pts.length; i++) expect(dts[i]!).toBeGreaterThan(dts[i - 1]!);
    const afterFirstGop = est.violations;
    expect(afterFirstGop).toBeGreaterThan(0);
    // Decode times issued too early in the first GOP hold the next one back; from the third on all is valid.
    expectValid(pts.slice(10), dts.slice(10));
    const { est: again } = run(0, pts.slice(0, 10));
    expect(again.violations).toBe(afterFirstGop);
  });

  test("a lost picture leaves a gap, not a reversal", () => {
    const pts = decodeOrder([0, 3, 1, 2], 5);
    pts.splice(6, 1);
    const { dts, est } = run(1, pts);
    expectValid(pts, dts);
    expect(est.violations).toBe(0);
  });

  test("a timeline moved mid-stream (sender-report alignment) keeps decode times a frame or more apart", () => {
    const pts = decodeOrder([0, 4, 2, 1, 3], 6);
    const est = new DecodeTimestamps(2, F);
    const dts: number[] = [];
    const moved = Math.round(0.04267 * 90000); // 43 ms: not a whole frame
    pts.forEach((p, i) => {
      if (i === 13) est.shift(moved);
      dts.push(est.next(i >= 13 ? p + moved : p));
    });
    const shifted = pts.map((p, i) => (i >= 13 ? p + moved : p));
    expectValid(shifted, dts);
    for (let i = 1; i < dts.length; i++) expect(dts[i]! - dts[i - 1]!).toBeGreaterThanOrEqual(F);
    expect(est.violations).toBe(0);
  });

  test("garbage timestamps and absurd declared depths keep the reorder buffer bounded", () => {
    const est = new DecodeTimestamps(2 ** 31, F);
    let state = 1;
    let last = -Infinity;
    for (let i = 0; i < 5000; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const dts = est.next((state % 200) * F); // within 8 s: no timeline reset
      expect(dts).toBeGreaterThan(last);
      last = dts;
    }
    expect((est as unknown as { heap: number[] }).heap.length).toBeLessThanOrEqual(17);
  });

  test("a jump of more than 10 s starts a new timeline", () => {
    const first = decodeOrder([0, 3, 1, 2], 3);
    const second = decodeOrder([0, 3, 1, 2], 3).map((p) => p + 3600 * F);
    const pts = [...first, ...second];
    const { dts } = run(1, pts);
    expectValid(pts, dts);
    expect(dts[first.length]).toBe(second[0]! - F);
  });
});
