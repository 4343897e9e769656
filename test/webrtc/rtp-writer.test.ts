import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { Ring } from "../../src/core/ring.ts";
import type { AudioTrack, VideoTrack } from "../../src/core/track.ts";
import { loadLoopClip } from "../../src/ingest/demo/loop-clip.ts";
import { copyFrame } from "../../src/rtp/depacketizer.ts";
import { H264Depacketizer } from "../../src/rtp/h264/decoder.ts";
import { withParameterSets } from "../../src/webrtc/parameter-sets.ts";
import { reorderProblem } from "../../src/webrtc/reordering.ts";
import { RtpWriter } from "../../src/webrtc/rtp-writer.ts";
import { BFRAMES_CLIP, DEMO_ASSET } from "../helpers/clips.ts";

const SPS = Uint8Array.of(0x67, 0x4d, 0x00, 0x1f, 0xaa);
const PPS = Uint8Array.of(0x68, 0xee, 0x3c, 0x80);
const AUD = Uint8Array.of(0x09, 0xf0);
const idr = (size: number) => {
  const u = new Uint8Array(size).fill(0x11);
  u[0] = 0x65;
  return u;
};
const slice = Uint8Array.of(0x41, 1, 2, 3);
const video: VideoTrack = { id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000, sps: SPS, pps: PPS, width: 640, height: 360 };
const opus: AudioTrack = { id: 1, version: 0, kind: "audio", codec: "opus", clockRate: 48000, sampleRate: 48000, channels: 2 };
const unit = (track: VideoTrack | AudioTrack, pts: number, key: boolean, units: Uint8Array[]): AccessUnit => ({ track, pts, dts: pts, key, units });

describe("withParameterSets", () => {
  test("a keyframe without SPS/PPS gets the track's in front", () => {
    expect(withParameterSets(unit(video, 0, true, [idr(10)])).map((u) => u[0]! & 0x1f)).toEqual([7, 8, 5]);
  });
  test("after an access unit delimiter, which stays first", () => {
    expect(withParameterSets(unit(video, 0, true, [AUD, idr(10)])).map((u) => u[0]! & 0x1f)).toEqual([9, 7, 8, 5]);
  });
  test("nothing added when the keyframe carries them, or to other frames", () => {
    const withSets = unit(video, 0, true, [SPS, PPS, idr(10)]);
    expect(withParameterSets(withSets)).toBe(withSets.units);
    const p = unit(video, 3600, false, [slice]);
    expect(withParameterSets(p)).toBe(p.units);
  });
  test("H.265: VPS, SPS and PPS before an IRAP", () => {
    const track: VideoTrack = { ...video, codec: "h265", vps: Uint8Array.of(0x40, 1, 9), sps: Uint8Array.of(0x42, 1, 9), pps: Uint8Array.of(0x44, 1, 9) };
    const irap = Uint8Array.of(0x26, 1, 7, 7);
    expect(withParameterSets(unit(track, 0, true, [irap])).map((u) => (u[0]! >> 1) & 0x3f)).toEqual([32, 33, 34, 19]);
  });
});

describe("RtpWriter", () => {
  test("H.264: packets decode back to the unit with SPS/PPS; marker on the last; one timestamp per unit", () => {
    const w = new RtpWriter(video, 90000);
    const big = idr(5000);
    const packets = w.write(unit(video, 90000, true, [big]));
    expect(packets.length).toBeGreaterThan(4);
    expect(packets.map((p) => p.marker)).toEqual([...packets.slice(1).map(() => false), true]);
    expect(new Set(packets.map((p) => p.timestamp)).size).toBe(1);
    const d = new H264Depacketizer();
    const frames = packets.flatMap((p) => d.push({ marker: p.marker, payloadType: 96, sequence: p.sequence, timestamp: p.timestamp, ssrc: 1, payload: p.payload }).map(copyFrame));
    expect(frames.length).toBe(1);
    expect(frames[0]!.units.map((u) => u[0]! & 0x1f)).toEqual([7, 8, 5]);
    expect(frames[0]!.units[2]).toEqual(big);
  });

  test("sequence numbers run on without a gap across units and wrap at 16 bits", () => {
    const w = new RtpWriter(video, 90000);
    const seqs: number[] = [];
    for (let i = 0; i < 70000 / 3; i++) for (const p of w.write(unit(video, i * 3600, false, [idr(2500)]))) seqs.push(p.sequence);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1]! + 1) & 0xffff);
    expect(seqs.length).toBeGreaterThan(65536);
  });

  test("timestamps follow presentation time on the payload clock, from a random base", () => {
    const v = new RtpWriter(video, 90000);
    const t0 = v.write(unit(video, 900_000, false, [slice]))[0]!.timestamp;
    const t1 = v.write(unit(video, 903_600, false, [slice]))[0]!.timestamp;
    expect((t1 - t0) >>> 0).toBe(3600);
    const a = new RtpWriter(opus, 48000);
    const frame = Uint8Array.of(0xfc, 1, 2);
    const packets = a.write(unit(opus, 960, true, [frame]));
    expect(packets).toHaveLength(1);
    expect(packets[0]!.payload).toBe(frame);
    expect(((a.write(unit(opus, 1920, true, [frame]))[0]!.timestamp - packets[0]!.timestamp) >>> 0)).toBe(960);
  });

  test("each call returns new packet objects", () => {
    const w = new RtpWriter(video, 90000);
    const a = w.write(unit(video, 0, false, [slice]));
    const b = w.write(unit(video, 0, false, [slice]));
    expect(a[0]).not.toBe(b[0]);
  });
});

describe("reorderProblem", () => {
  const videoOf = (file: string) => loadLoopClip(new Uint8Array(readFileSync(file))).tracks.find((t) => t.kind === "video")!;

  test("a clip whose SPS signals B-frames: left out with advice", () => {
    expect(reorderProblem(videoOf(BFRAMES_CLIP), new Ring({ maxDuration: 10, maxBytes: 1 << 26 }))).toMatch(/SPS signals 2 reordered picture\(s\).*-bf 0/);
  });

  test("the built-in demo has none: WebRTC can carry it", () => {
    expect(reorderProblem(videoOf(DEMO_ASSET), new Ring({ maxDuration: 10, maxBytes: 1 << 26 }))).toBeUndefined();
  });

  test("B-frames seen in the ring when the SPS says nothing", () => {
    const ring = new Ring({ maxDuration: 10, maxBytes: 1 << 26 });
    const plain: VideoTrack = { ...video, sps: undefined };
    for (const pts of [0, 10800, 3600, 7200]) ring.push(unit(plain, pts, pts === 0, [slice]), pts === 0);
    expect(reorderProblem(plain, ring)).toMatch(/presentation order differs from decode order/);
  });

  test("no problem for frames in order, or for audio", () => {
    const ring = new Ring({ maxDuration: 10, maxBytes: 1 << 26 });
    const plain: VideoTrack = { ...video, sps: undefined };
    for (let i = 0; i < 10; i++) ring.push(unit(plain, i * 3600, i === 0, [slice]), i === 0);
    expect(reorderProblem(plain, ring)).toBeUndefined();
    expect(reorderProblem(opus, ring)).toBeUndefined();
  });
});
