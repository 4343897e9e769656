import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { type Track, withParameters } from "../../src/core/track.ts";
import { Fmp4Packager } from "../../src/hls/fmp4-packager.ts";
import type { Part } from "../../src/hls/part.ts";
import type { Segment } from "../../src/hls/segment.ts";
import { Segmenter } from "../../src/hls/segmenter.ts";
import { concat, DEMO_TS, encodeTs, parseMp4, readTs } from "../container/fmp4/helpers.ts";
import { ffmpegDecode, withFile } from "../container/fmp4/ffmpeg-check.ts";

/** Small chunks, so segments and parts straddle chunk boundaries. */
const CHUNK = 4096;

function run(tracks: readonly Track[], units: readonly AccessUnit[], partTarget?: number) {
  const pool = new ChunkPool(CHUNK, 64);
  const segments: Segment[] = [];
  const parts: Part[] = [];
  const packager = new Fmp4Packager("t_");
  const s = new Segmenter(pool, packager, { targetDuration: 2, namePrefix: "t_", partTarget }, tracks, {
    onSegment: (seg) => segments.push(seg),
    onPart: (p) => parts.push(p),
  });
  for (const au of units) s.push(au);
  return { segments, parts, segmenter: s, pool };
}

const bytes = (x: { views(): Uint8Array[] }) => concat(x.views());

// test/fixtures/demo-bframes.mpegts: H.264 Main 640x360 25 fps with B-frames, a keyframe every second, AAC-LC 48 kHz.
const demo = readTs(DEMO_TS);
const video = demo.units.filter((u) => u.track.kind === "video");

describe("fMP4 segments", () => {
  const { segments } = run(demo.tracks, demo.units);

  test("cut on keyframes at the target; each is one fragment after the shared init segment", () => {
    expect(segments.length).toBe(3);
    expect(segments.map((s) => Math.round(s.duration * 1e6) / 1e6)).toEqual([2, 2, 2]);
    expect(new Set(segments.map((s) => s.init!.name))).toEqual(new Set(["t_init0.mp4"]));
    expect(segments.map((s) => s.name)).toEqual(["t_0.m4s", "t_1.m4s", "t_2.m4s"]);
    for (const seg of segments) {
      const p = parseMp4(concat([seg.init!.bytes, bytes(seg)]));
      expect(p.complaints).toEqual([]);
      expect(p.file.moofs.length).toBe(1);
      const samples = p.samples.get(1)!;
      expect(samples.length).toBe(50);
      expect(samples[0]!.is_sync).toBe(true);
      expect(samples[0]!.dts).toBe(Math.round(seg.startTime * 90000));
    }
  });

  test("the init segment and all segments decode with ffmpeg -xerror", () => {
    const file = concat([segments[0]!.init!.bytes, ...segments.map(bytes)]);
    const r = withFile(file, "mp4", ffmpegDecode);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("low-latency parts", () => {
  const { segments, parts } = run(demo.tracks, demo.units, 0.2);

  test("whole frames of at most the part target: five 25 fps frames each", () => {
    expect(parts.length).toBeGreaterThan(30);
    for (const p of parts) {
      expect(p.duration).toBeLessThanOrEqual(0.2 + 1e-9);
      expect(p.duration).toBeCloseTo(0.2, 6);
    }
  });

  test("parts tile their segment: durations add up, bytes concatenate to the segment's", () => {
    for (const seg of segments) {
      expect(seg.parts.length).toBe(10);
      expect(seg.parts.reduce((n, p) => n + p.duration, 0)).toBeCloseTo(seg.duration, 6);
      expect(Buffer.from(concat(seg.parts.map(bytes))).equals(Buffer.from(bytes(seg)))).toBe(true);
      expect(seg.parts.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    // Ids run on across segments (preload hints name the next id).
    const ids = segments.flatMap((s) => s.parts.map((p) => p.id));
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
  });

  test("INDEPENDENT exactly on the parts that start with a keyframe", () => {
    for (const seg of segments) expect(seg.parts.map((p) => p.independent)).toEqual([true, false, false, false, false, true, false, false, false, false]);
  });

  test("each part is a fragment a player can take alone after the init segment: tfdt, sync flag, sample count", () => {
    const init = segments[0]!.init!.bytes;
    for (const part of segments[1]!.parts) {
      const p = parseMp4(concat([init, bytes(part)]));
      expect(p.complaints).toEqual([]);
      const v = p.samples.get(1)!;
      expect(v.length).toBe(5);
      expect(v[0]!.is_sync).toBe(part.independent);
      const first = video.find((u) => u.dts === v[0]!.dts);
      expect(first).toBeDefined();
      expect(p.samples.get(2)!.length).toBeGreaterThan(0);
    }
  });

  test("audio-only: parts of whole AAC frames (9 x 1024 at 48 kHz = 0.192 s)", () => {
    const audio = demo.tracks.filter((t) => t.kind === "audio");
    const { parts: aparts, segments: asegs } = run(audio, demo.units.filter((u) => u.track.kind === "audio"), 0.2);
    expect(asegs.length).toBe(3);
    for (const p of aparts.filter((x) => x.segment.complete && x.index < x.segment.parts.length - 1)) {
      expect(p.duration).toBeCloseTo(0.192, 6);
      expect(p.independent).toBe(true);
    }
  });
});

describe("discontinuities in fMP4", () => {
  test("new parameters: the segment in progress ends, a new init segment and EXT-X-DISCONTINUITY at the next keyframe", () => {
    const v0 = demo.tracks[0]!;
    const v1 = withParameters(v0, {});
    // From the third keyframe on, the video track comes as a new version (a camera re-sent its SPS).
    const keys = video.filter((u) => u.key);
    const switchAt = keys[2]!.dts;
    const units = demo.units.map((u) => (u.track.id === v0.id && u.dts >= switchAt ? { ...u, track: v1 } : u));
    const { segments } = run(demo.tracks, units);
    expect(segments.map((s) => [s.init!.name, s.discontinuity])).toEqual([
      ["t_init0.mp4", false],
      ["t_init1.mp4", true],
      ["t_init1.mp4", false],
    ]);
    expect(segments[0]!.duration).toBe(2);
    // The second init segment carries the same parameter sets: a player may reuse its decoder, but it was told.
    const file = concat([segments[0]!.init!.bytes, bytes(segments[0]!), segments[1]!.init!.bytes, bytes(segments[1]!)]);
    expect(withFile(file, "mp4", ffmpegDecode).status).toBe(0);
  });

  test("a timestamp jump back: the writer starts over (new init), no decode time ever goes backwards inside one", () => {
    const first = demo.units.filter((u) => u.dts / u.track.clockRate < 5);
    const again = demo.units.map((u) => ({ ...u })); // the source restarted its clock
    const { segments } = run(demo.tracks, [...first, ...again]);
    const names = segments.map((s) => s.init!.name);
    expect(names[0]).toBe("t_init0.mp4");
    expect(names).toContain("t_init1.mp4");
    const broken = segments.findIndex((s) => s.init!.name === "t_init1.mp4");
    expect(segments[broken]!.discontinuity).toBe(true);
    for (const seg of segments) expect(parseMp4(concat([seg.init!.bytes, bytes(seg)])).complaints).toEqual([]);
  });
});

describe("H.265 in fMP4", () => {
  // libx265 with B-frames and a closed GOP every second, plus AAC: as the fMP4 writer tests encode it.
  const X265 = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "bframes=3:b-pyramid=1:keyint=25:min-keyint=25:scenecut=0:open-gop=0:log-level=error"];
  const clip = readTs(encodeTs(X265, 5));

  test("hvc1 init segment, parts and segments that ffmpeg decodes", () => {
    const { segments } = run(clip.tracks, clip.units, 0.2);
    expect(segments.length).toBeGreaterThanOrEqual(1);
    const init = segments[0]!.init!.bytes;
    const p = parseMp4(concat([init, ...segments.map(bytes)]));
    expect(p.complaints).toEqual([]);
    expect(p.info.tracks[0]!.codec).toMatch(/^hvc1\./);
    const r = withFile(concat([init, ...segments.map(bytes)]), "mp4", ffmpegDecode);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
