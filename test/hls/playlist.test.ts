import { describe, expect, test } from "bun:test";
import HLS from "hls-parser";
import { renderMediaPlaylist, targetDurationFor } from "../../src/hls/playlist.ts";

HLS.setOptions({ strictMode: true });

describe("media playlist", () => {
  const segments = [
    { name: "sa_10.ts", duration: 2, discontinuity: false },
    { name: "sa_11.ts", duration: 2.04, discontinuity: true },
    { name: "sa_12.ts", duration: 1.96, discontinuity: false },
  ];

  test("parses in strict mode with sequence, discontinuity and durations", () => {
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 10, discontinuitySequence: 3, segments });
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.targetDuration).toBe(2);
    expect(p.mediaSequenceBase).toBe(10);
    expect(p.discontinuitySequenceBase).toBe(3);
    expect(p.segments.map((s) => s.uri)).toEqual(["sa_10.ts", "sa_11.ts", "sa_12.ts"]);
    expect(p.segments.map((s) => Boolean(s.discontinuity))).toEqual([false, true, false]);
    expect(p.segments[1].duration).toBeCloseTo(2.04, 3);
    expect(p.endlist).toBe(false);
  });

  test("EXT-X-PROGRAM-DATE-TIME on each segment, after its discontinuity tag", () => {
    const dated = segments.map((s, i) => ({ ...s, programDateTime: Date.UTC(2030, 0, 1, 0, 0, 20 + 2 * i, 5) }));
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 10, discontinuitySequence: 0, segments: dated });
    expect(text).toContain("#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2030-01-01T00:00:22.005Z\n#EXTINF:2.040,\nsa_11.ts");
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.segments.map((s) => s.programDateTime?.getTime())).toEqual(dated.map((s) => s.programDateTime));
  });

  test("a query is carried to every segment URI", () => {
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, segments, query: "token=a%20b" });
    expect(text).toContain("sa_10.ts?token=a%20b\n");
  });

  test("the target duration covers the longest segment and never decreases", () => {
    expect(targetDurationFor(2, 1.9)).toBe(2);
    expect(targetDurationFor(2, 2.4)).toBe(2);
    expect(targetDurationFor(2, 2.6)).toBe(3);
    expect(targetDurationFor(2, 1, 3)).toBe(3);
    expect(targetDurationFor(1.5, 0)).toBe(2);
  });

  test("a strict parser rejects an EXTINF above the target (so the check above matters)", () => {
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, segments: [{ name: "a.ts", duration: 2.6, discontinuity: false }] });
    expect(() => HLS.parse(text)).toThrow();
  });
});
