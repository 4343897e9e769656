import { describe, expect, test } from "bun:test";
import HLS from "hls-parser";
import { type LowLatency, type PartEntry, type PlaylistEntry, renderMediaPlaylist, skippableSegments, targetDurationFor } from "../../src/hls/playlist.ts";

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

/** Ten 0.2 s parts of a 2 s segment, the first and sixth on keyframes. */
function tenParts(prefix: string): PartEntry[] {
  return Array.from({ length: 10 }, (_, i) => ({ name: `${prefix}p${i}.m4s`, duration: 0.2, independent: i % 5 === 0 }));
}

function fmp4Window(count: number, from: number, map = (_i: number) => "s_init0.mp4"): PlaylistEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `s_${from + i}.m4s`,
    duration: 2,
    discontinuity: false,
    programDateTime: Date.UTC(2030, 0, 1) + 2000 * (from + i),
    map: map(from + i),
    parts: i >= count - 2 ? tenParts(`s${from + i}_`) : undefined,
  }));
}

const lowLatency = (over: Partial<LowLatency> = {}): LowLatency => ({
  partTarget: 0.2,
  partHoldBack: 0.6,
  canSkipUntil: 12,
  open: { discontinuity: false, programDateTime: Date.UTC(2030, 0, 1) + 2000 * 27, map: "s_init0.mp4", parts: tenParts("open_").slice(0, 3) },
  preloadHint: "s_p999.m4s",
  ...over,
});

describe("fMP4 and low-latency media playlists", () => {
  test("fMP4: one EXT-X-MAP before the first segment, version 6", () => {
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 20, discontinuitySequence: 0, segments: fmp4Window(3, 20).map((s) => ({ ...s, parts: undefined })) });
    expect(text.split("\n").slice(0, 6)).toEqual(["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:20", '#EXT-X-MAP:URI="s_init0.mp4"', "#EXT-X-PROGRAM-DATE-TIME:2030-01-01T00:00:40.000Z"]);
    expect(text.match(/EXT-X-MAP/g)!.length).toBe(1);
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.version).toBe(6);
    expect(p.segments.map((s) => s.map?.uri)).toEqual(["s_init0.mp4", "s_init0.mp4", "s_init0.mp4"]);
  });

  test("a new init segment after a discontinuity gets its own EXT-X-MAP after the tag", () => {
    const segments = fmp4Window(4, 0, (i) => (i < 2 ? "s_init0.mp4" : "s_init1.mp4")).map((s, i) => ({ ...s, discontinuity: i === 2, parts: undefined }));
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, segments });
    expect(text).toContain('s_1.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="s_init1.mp4"\n#EXT-X-PROGRAM-DATE-TIME:');
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.segments.map((s) => s.map?.uri)).toEqual(["s_init0.mp4", "s_init0.mp4", "s_init1.mp4", "s_init1.mp4"]);
    expect(p.segments.map((s) => s.discontinuitySequence)).toEqual([0, 0, 1, 1]);
  });

  test("low latency: server control, part info, parts near the edge, the open segment's parts and the preload hint parse strictly", () => {
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 20, discontinuitySequence: 0, segments: fmp4Window(7, 20), lowLatency: lowLatency() });
    expect(text).toContain("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12,PART-HOLD-BACK=0.6\n#EXT-X-PART-INF:PART-TARGET=0.2\n");
    expect(text).toContain('#EXT-X-PART:DURATION=0.2,URI="s25_p0.m4s",INDEPENDENT=YES\n#EXT-X-PART:DURATION=0.2,URI="s25_p1.m4s"\n');
    expect(text.endsWith('#EXT-X-PART:DURATION=0.2,URI="open_p2.m4s"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s_p999.m4s"\n')).toBe(true);
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.lowLatencyCompatibility).toMatchObject({ canBlockReload: true, canSkipUntil: 12, partHoldBack: 0.6 });
    expect(p.partTargetDuration).toBe(0.2);
    expect(p.segments.length).toBe(8); // seven complete and the open one
    expect(p.segments.map((s) => s.parts.length)).toEqual([0, 0, 0, 0, 0, 10, 10, 4]);
    const open = p.segments[7];
    expect(open.uri).toBe("");
    expect(open.programDateTime?.toISOString()).toBe("2030-01-01T00:00:54.000Z");
    expect(open.parts.map((x) => [x.uri, x.independent === true, x.hint === true])).toEqual([
      ["open_p0.m4s", true, false],
      ["open_p1.m4s", false, false],
      ["open_p2.m4s", false, false],
      ["s_p999.m4s", false, true],
    ]);
  });

  test("a discontinuity in the segment being written: its tag and new map come before its first part", () => {
    const open = { discontinuity: true, programDateTime: Date.UTC(2030, 0, 1, 1), map: "s_init1.mp4", parts: tenParts("open_").slice(0, 2) };
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, segments: fmp4Window(3, 0), lowLatency: lowLatency({ open }) });
    expect(text).toContain('s_2.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="s_init1.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2030-01-01T01:00:00.000Z\n#EXT-X-PART:DURATION=0.2,URI="open_p0.m4s",INDEPENDENT=YES\n');
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    const last = p.segments[p.segments.length - 1]!;
    expect([last.discontinuity, last.map?.uri, last.discontinuitySequence]).toEqual([true, "s_init1.mp4", 1]);
  });

  test("right after a segment completes, only the hint follows it", () => {
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, segments: fmp4Window(3, 0), lowLatency: lowLatency({ open: undefined }) });
    expect(text.endsWith('s_2.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s_p999.m4s"\n')).toBe(true);
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.segments.length).toBe(4);
    expect(p.segments[3].parts.map((x) => x.hint)).toEqual([true]);
  });

  test("a delta update replaces the oldest segments with EXT-X-SKIP, repeats the map, and is version 9", () => {
    const segments = fmp4Window(7, 20);
    const skip = skippableSegments(segments.map((s) => s.duration), 12);
    expect(skip).toBe(1);
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 20, discontinuitySequence: 0, segments, lowLatency: lowLatency({ skip }) });
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:20\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n#EXT-X-MAP:URI="s_init0.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2030-01-01T00:00:42.000Z\n#EXTINF:2.000,\ns_21.m4s');
    expect(text).not.toContain("s_20.m4s");
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(p.version).toBe(9);
    expect(p.skip).toBe(1);
    expect(p.segments[0].uri).toBe("s_21.m4s");
    expect(p.segments[0].mediaSequenceNumber).toBe(21);
  });

  test("skippable segments are those ending at least the skip boundary before the end", () => {
    expect(skippableSegments([2, 2, 2, 2, 2, 2, 2], 12)).toBe(1);
    expect(skippableSegments([2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 12)).toBe(4);
    expect(skippableSegments([2, 2, 2], 12)).toBe(0);
    expect(skippableSegments([], 12)).toBe(0);
    // A long segment straddling the boundary stays.
    expect(skippableSegments([2, 9, 2, 2], 12)).toBe(1);
  });

  test("a strict parser rejects a part longer than PART-TARGET (so the muxer's PART-TARGET matters)", () => {
    const segments = fmp4Window(3, 0);
    const text = renderMediaPlaylist({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, segments, lowLatency: lowLatency({ partTarget: 0.19 }) });
    expect(() => HLS.parse(text)).toThrow("PART-TARGET");
  });
});
