import { describe, expect, test } from "bun:test";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { type Track, withParameters } from "../../src/core/track.ts";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { TsDemuxer } from "../../src/container/mpegts/demuxer.ts";
import type { Segment } from "../../src/hls/segment.ts";
import { Fmp4Packager } from "../../src/hls/fmp4-packager.ts";
import type { Part } from "../../src/hls/part.ts";
import { Segmenter } from "../../src/hls/segmenter.ts";
import { TsPackager } from "../../src/hls/ts-packager.ts";
import { audio, audioUnit, video, videoUnit } from "../helpers/units.ts";

const SPS = new Uint8Array([0x67, 0x4d, 0x40, 0x1e, 0xe8, 0x80, 0x50, 0x17, 0xfc, 0xb8, 0x08, 0x80]);
const PPS = new Uint8Array([0x68, 0xeb, 0xef, 0x20]);
const h264 = withParameters(video, { sps: SPS, pps: PPS });
const IDR = new Uint8Array([0x65, 0x88, 0x84, 0x00, 0x10]);
const SLICE = new Uint8Array([0x41, 0x9a, 0x02, 0x04]);

function frame(seconds: number, key: boolean, track = h264): AccessUnit {
  const ticks = Math.round(seconds * 90000);
  return { track, pts: ticks, dts: ticks, key, units: [key ? IDR : SLICE] };
}

function segmenter(tracks: Track[] = [h264]) {
  const pool = new ChunkPool(188 * 64, 16);
  const out: Segment[] = [];
  const s = new Segmenter(pool, new TsPackager(pool.chunkSize), { targetDuration: 2, namePrefix: "st_" }, tracks, { onSegment: (seg) => out.push(seg) });
  return { s, out, pool };
}

function bytes(seg: Segment): Uint8Array {
  const out = new Uint8Array(seg.byteLength);
  let o = 0;
  for (const v of seg.views()) {
    out.set(v, o);
    o += v.byteLength;
  }
  return out;
}

describe("segmenter", () => {
  test("cuts on keyframes at the target duration; each segment decodes alone", () => {
    const { s, out } = segmenter();
    for (let i = 0; i < 25 * 9; i++) s.push(frame(10 + i / 25, i % 25 === 0));
    expect(out.map((x) => x.duration)).toEqual([2, 2, 2, 2]);
    expect(out.map((x) => x.name)).toEqual(["st_0.ts", "st_1.ts", "st_2.ts", "st_3.ts"]);
    for (const seg of out) {
      expect(seg.byteLength % 188).toBe(0);
      const demuxer = new TsDemuxer();
      const pes = [...demuxer.push(bytes(seg)), ...demuxer.flush()];
      expect(pes.length).toBe(50);
      expect(pes[0].randomAccess).toBe(true);
      expect(seg.discontinuity).toBe(false);
    }
  });

  test("a parameter change starts a discontinuity segment at the next keyframe", () => {
    const { s, out } = segmenter();
    for (let i = 0; i < 75; i++) s.push(frame(i / 25, i % 25 === 0));
    const changed = withParameters(h264, { width: 1280 });
    for (let i = 75; i < 200; i++) s.push(frame(i / 25, i % 25 === 0, changed));
    // The tag goes on the segment that starts with the new parameters (3.0 s).
    expect(out.map((x) => x.discontinuity)).toEqual([false, false, true, false]);
    expect(out[0].duration).toBe(2);
    expect(out[1].duration).toBe(1); // 2.0 .. 3.0, cut early by the change
  });

  test("a new source session (every track at a new version, declared together) is one discontinuity, not one per track", () => {
    const aac = { ...audio, config: new Uint8Array([0x11, 0x90]) };
    const tracks: Track[] = [h264, aac];
    const { s, out } = segmenter(tracks);
    const sound = (t: number, track = aac): AccessUnit => ({ track, pts: Math.round(t * 48000), dts: Math.round(t * 48000), key: true, units: [new Uint8Array(20)] });
    for (let i = 0; i < 100; i++) {
      s.push(frame(10 + i / 25, i % 25 === 0));
      s.push(sound(10 + i / 25));
    }
    // The new session declares both tracks (as RTSP SETUP/RECORD does) before its first unit; video comes first.
    const v2 = { ...h264, version: h264.version + 1 };
    const a2 = { ...aac, version: aac.version + 1 };
    tracks[0] = v2;
    tracks[1] = a2;
    for (let i = 0; i < 150; i++) {
      s.push(frame(15 + i / 25, i % 25 === 0, v2));
      if (i >= 3) s.push(sound(15 + i / 25, a2));
    }
    expect(out.filter((x) => x.discontinuity)).toHaveLength(1);
    expect(s.dropped).toBe(0);
  });

  test("a timestamp jump back waits for a keyframe, drops what came between, marks a discontinuity", () => {
    const { s, out } = segmenter();
    for (let i = 0; i < 60; i++) s.push(frame(100 + i / 25, i % 25 === 0));
    // The source restarted at 0 with a P-frame first.
    s.push(frame(0, false));
    s.push(frame(0.04, false));
    for (let i = 0; i < 100; i++) s.push(frame(0.08 + i / 25, i % 25 === 0));
    expect(s.dropped).toBe(2);
    expect(out[0].discontinuity).toBe(false);
    expect(out[2].discontinuity).toBe(true);
    expect(out[1].duration).toBeCloseTo(0.4, 5); // 102.0 .. 102.36 + one frame
  });

  test("a segment ended right after its keyframe is filled up to 11 packets with null packets; its units are unchanged", () => {
    const aac = { ...audio, config: new Uint8Array([0x11, 0x90]) };
    const { s, out } = segmenter([h264, aac]);
    s.push(frame(10, true));
    s.push({ track: aac, pts: 480000, dts: 480000, key: true, units: [new Uint8Array(170)] });
    // A timestamp break one frame in ends the segment: PAT, PMT, a keyframe and an AAC frame (two packets).
    s.push(frame(9, true));
    expect(out).toHaveLength(1);
    const data = bytes(out[0]);
    expect(data.length).toBe(11 * 188);
    const pids = Array.from({ length: 11 }, (_, i) => ((data[i * 188 + 1]! & 0x1f) << 8) | data[i * 188 + 2]!);
    expect(pids).toEqual([0, 0x1000, 0x100, 0x101, 0x101, ...Array(6).fill(0x1fff)]);
    const demuxer = new TsDemuxer();
    const pes = [...demuxer.push(data), ...demuxer.flush()];
    expect(pes.map((p) => p.pid).sort()).toEqual([0x100, 0x101]);
    expect(demuxer.stats.ccErrors).toBe(0);
  });

  test("a segment of 11 packets or more gets no filler", () => {
    const { s, out } = segmenter();
    for (let i = 0; i < 50; i++) s.push(frame(10 + i / 25, i % 25 === 0));
    s.push(frame(12, true));
    const data = bytes(out[0]);
    for (let i = 0; i < data.length; i += 188) expect(((data[i + 1]! & 0x1f) << 8) | data[i + 2]!).not.toBe(0x1fff);
  });

  test("audio-only streams cut at the target on any frame", () => {
    const { s, out } = segmenter([audio] as Track[]);
    for (let i = 0; i < 300; i++) s.push(audioUnit((i * 1024) / 48000)); // 6.4 s
    expect(out.length).toBe(3);
    for (const seg of out) expect(seg.duration).toBeGreaterThanOrEqual(2);
    for (const seg of out) expect(seg.duration).toBeLessThan(2.03);
  });

  test("a stream without keyframes is still cut, at four target durations", () => {
    const { s, out } = segmenter();
    s.push(frame(0, true));
    for (let i = 1; i < 25 * 20; i++) s.push(frame(i / 25, false));
    expect(out.map((x) => x.duration)).toEqual([8, 8]);
  });

  test("non-HLS codecs are ignored", () => {
    const opus = { ...audio, codec: "opus" as const };
    const { s, out } = segmenter([h264, opus] as Track[]);
    for (let i = 0; i < 75; i++) {
      s.push(frame(i / 25, i % 25 === 0));
      s.push({ ...audioUnit(i / 25), track: opus });
    }
    expect(out.length).toBe(1);
  });

  test("program date-time: when the segment's first unit arrived, mapped through the timestamps", () => {
    const { s, out } = segmenter();
    const epoch = Date.UTC(2030, 0, 1);
    // The first GOP is a backlog read at once at start-up (t = 0 s), then units arrive in real time
    // with 0..30 ms of delivery jitter; the earliest arrival pins the mapping.
    for (let i = 0; i < 25; i++) s.push(frame(i / 25, i % 25 === 0), epoch + 1000);
    for (let i = 25; i < 25 * 7; i++) s.push(frame(i / 25, i % 25 === 0), epoch + i * 40 + ((i * 7) % 31));
    expect(out.map((x) => x.programDateTime - epoch)).toEqual([0, 2000, 4000]);
  });

  describe("a declared track that has sent nothing yet holds the first segment back", () => {
    const aac = { ...audio, config: new Uint8Array([0x11, 0x90]) };
    const sound = (t: number): AccessUnit => ({ track: aac, pts: Math.round(t * 48000), dts: Math.round(t * 48000), key: true, units: [new Uint8Array(20)] });
    /** Video from 10 s, a keyframe a second; AAC frames from `audioFrom` s on (none when undefined). */
    function feed(s: Segmenter, seconds: number, audioFrom?: number): void {
      for (let i = 0; i < seconds * 25; i++) {
        const t = 10 + i / 25;
        s.push(frame(t, i % 25 === 0));
        if (audioFrom !== undefined && t >= audioFrom) s.push(sound(t));
      }
    }
    const audioPackets = (seg: Segment) => {
      const demuxer = new TsDemuxer();
      return [...demuxer.push(bytes(seg)), ...demuxer.flush()].filter((p) => p.pid === 0x100 + aac.id).length;
    };

    test("audio 2.5 s after the first keyframe: the first segment starts at the next keyframe and carries it", () => {
      const { s, out } = segmenter([h264, aac]);
      feed(s, 7, 12.5);
      // Without the wait the first segment would be 10..12, video only.
      expect(out.map((x) => [x.name, x.startTime])).toEqual([["st_0.ts", 12], ["st_1.ts", 14]]);
      expect(audioPackets(out[0])).toBe(37); // one with each frame from 12.52 to 13.96
      expect(s.dropped).toBe(0);
    });

    test("audio that never comes delays the first segment by at most two target durations", () => {
      const { s, out } = segmenter([h264, aac]);
      feed(s, 7);
      expect(out.map((x) => [x.name, x.startTime, x.duration])).toEqual([["st_0.ts", 12, 2], ["st_1.ts", 14, 2]]);
    });

    test("audio within the first GOP, even after the keyframe, changes nothing", () => {
      const { s, out } = segmenter([h264, aac]);
      feed(s, 5, 10.4);
      expect(out.map((x) => x.startTime)).toEqual([10, 12]);
      expect(audioPackets(out[0])).toBe(40);
    });

    test("low latency: the parts of the dropped first segment are handed back, the new one starts at part 0 of its own", () => {
      const pool = new ChunkPool(4096, 64);
      const parts: Part[] = [];
      const discarded: Segment[] = [];
      const done: Segment[] = [];
      const s = new Segmenter(pool, new Fmp4Packager("ll_"), { targetDuration: 2, namePrefix: "ll_", partTarget: 0.5 }, [h264, aac], {
        onSegment: (seg) => done.push(seg),
        onPart: (p) => parts.push(p),
        onDiscard: (seg) => discarded.push(seg),
      });
      feed(s, 7, 12.5);
      expect(discarded.map((x) => [x.name, x.startTime])).toEqual([["ll_0.m4s", 10]]);
      expect(discarded[0].parts.map((p) => p.id)).toEqual([0, 1, 2, 3]);
      expect(done.map((x) => [x.name, x.startTime])).toEqual([["ll_0.m4s", 12], ["ll_1.m4s", 14]]);
      expect(done[0].parts[0]).toMatchObject({ id: 4, independent: true });
    });
  });

  test("released segments give their chunks back to the pool", () => {
    const { s, out, pool } = segmenter();
    for (let i = 0; i < 125; i++) s.push(frame(i / 25, i % 25 === 0));
    const free = pool.freeCount;
    out[0].retain();
    out[0].release();
    expect(pool.freeCount).toBe(free);
    out[0].release();
    expect(pool.freeCount).toBeGreaterThan(free);
    expect(() => out[0].retain()).toThrow();
  });
});
