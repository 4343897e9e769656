import { describe, expect, test } from "bun:test";
import { SequenceTracker } from "../../src/rtp/sequence.ts";
import { RtpTimestampUnwrapper } from "../../src/rtp/timestamp-unwrapper.ts";

function run(seqs: number[]): { results: string[]; t: SequenceTracker } {
  const t = new SequenceTracker();
  const results = seqs.map((s) => {
    const r = t.push(s);
    return r.duplicate ? "dup" : r.reordered ? "late" : r.lost > 0 ? `lost${r.lost}` : "ok";
  });
  return { results, t };
}

describe("SequenceTracker", () => {
  test("in order across the 16-bit wrap", () => {
    const { results, t } = run([65533, 65534, 65535, 0, 1]);
    expect(results).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect([t.received, t.lost]).toEqual([5, 0]);
  });

  test("a gap across the wrap", () => {
    const { results, t } = run([65534, 1]);
    expect(results).toEqual(["ok", "lost2"]);
    expect(t.lost).toBe(2);
  });

  test("duplicate, late, late duplicate", () => {
    const { results, t } = run([10, 10, 12, 11, 11, 9]);
    expect(results).toEqual(["ok", "dup", "lost1", "late", "dup", "late"]);
    expect([t.received, t.lost, t.duplicates, t.reordered]).toEqual([4, 0, 2, 2]);
  });

  test("late across the wrap", () => {
    expect(run([65535, 1, 0]).results).toEqual(["ok", "lost1", "late"]);
  });

  test("a big jump is a restart: reported as damage, not counted as thousands lost", () => {
    const { results, t } = run([100, 101, 30000, 30001, 5000]);
    expect(results).toEqual(["ok", "ok", "lost1", "ok", "lost1"]);
    expect([t.lost, t.resets]).toEqual([0, 2]);
  });

  test("long gap within MAX_DROPOUT", () => {
    const { results, t } = run([0, 2999, 2950]);
    expect(results).toEqual(["ok", "lost2998", "late"]);
    expect(t.lost).toBe(2997);
  });
});

describe("RtpTimestampUnwrapper", () => {
  test("wraps forward past 2^32", () => {
    const u = new RtpTimestampUnwrapper();
    expect([0xfffff000, 0xfffffc18, 0x00000bb8, 0x00001770].map((t) => u.unwrap(t))).toEqual([0xfffff000, 0xfffffc18, 2 ** 32 + 3000, 2 ** 32 + 6000]);
  });

  test("small steps back (B-frames) stay small, also across the wrap", () => {
    const u = new RtpTimestampUnwrapper();
    expect([0xffffff00, 0x100, 0xfffffe00, 0x400].map((t) => u.unwrap(t))).toEqual([0xffffff00, 2 ** 32 + 0x100, 0xfffffe00, 2 ** 32 + 0x400]);
  });

  test("runs for days: many wraps", () => {
    const u = new RtpTimestampUnwrapper();
    let ts = 0;
    let ext = 0;
    for (let i = 0; i < 10000; i++) {
      ext = u.unwrap(ts);
      ts = (ts + 3_000_000) >>> 0;
    }
    expect(ext).toBe(9999 * 3_000_000);
  });
});
