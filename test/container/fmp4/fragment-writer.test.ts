import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { MediaError } from "../../../src/core/errors.ts";
import { withParameters, type AudioTrack, type VideoTrack } from "../../../src/core/track.ts";
import { FragmentWriter } from "../../../src/container/fmp4/fragment-writer.ts";
import { initSegment } from "../../../src/container/fmp4/init-segment.ts";
import { hex } from "../../codec/bit-writer.ts";
import { H265_SPS_CASES } from "../../codec/cases.ts";
import { concat, parseMp4 } from "./helpers.ts";

const SPS = hex("674d401eeca05017fcb8088000000300800000190 78b16cb".replace(/ /g, ""));
const PPS = hex("68efbc80");
const video: VideoTrack = { id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000, sps: SPS, pps: PPS, width: 640, height: 360 };
const audio: AudioTrack = { id: 1, version: 0, kind: "audio", codec: "aac", clockRate: 48000, sampleRate: 48000, channels: 2, config: hex("1190") };

const IDR = hex("65888405");
const SLICE = hex("419a2233");

function v(dts: number, pts: number, key: boolean, units: Uint8Array[] = [key ? IDR : SLICE], track: VideoTrack = video): AccessUnit {
  return { track, dts, pts, key, units };
}
function a(dts: number, size = 10, track: AudioTrack = audio): AccessUnit {
  return { track, dts, pts: dts, key: true, units: [new Uint8Array(size).fill(dts & 0xff)] };
}

/** Writes the init segment and the fragments, then reads them back with mp4box. */
function roundTrip(writer: FragmentWriter, fragments: Uint8Array[]) {
  const parsed = parseMp4(concat([writer.initSegment(), ...fragments]));
  expect(parsed.complaints).toEqual([]);
  return parsed;
}
const times = (s: { dts: number; cts: number; duration: number }[]) => s.map((x) => [x.dts, x.cts, x.duration]);

describe("FragmentWriter timing", () => {
  test("B-frames: tfdt is the first DTS, durations from DTS steps, composition offsets from PTS", () => {
    const w = new FragmentWriter([video]);
    // I P B B in decode order, shown as I B B P.
    const gop = [v(90000, 97200, true), v(93600, 108000, false), v(97200, 100800, false), v(100800, 104400, false)];
    const f = w.fragment(gop, [v(104400, 111600, true)]);
    const p = roundTrip(w, [f]);
    expect(times(p.samples.get(1)!)).toEqual([
      [90000, 97200, 3600],
      [93600, 108000, 3600],
      [97200, 100800, 3600],
      [100800, 104400, 3600],
    ]);
    expect(p.samples.get(1)!.map((s) => s.is_sync)).toEqual([true, false, false, false]);
    expect(p.samples.get(1)!.map((s) => s.depends_on)).toEqual([2, 1, 1, 1]);
    const moof = p.file.moofs[0]!;
    expect(moof.trafs[0]!.tfdt!.baseMediaDecodeTime).toBe(90000);
    expect(moof.trafs[0]!.truns[0]!.version).toBe(1);
  });

  test("the last sample's duration: next unit when given, else the last measured step", () => {
    const w = new FragmentWriter([video]);
    const f1 = w.fragment([v(0, 0, true), v(3000, 3000, false)], [v(6600, 6600, false)]); // 3600 from `next`
    const f2 = w.fragment([v(6600, 6600, false), v(9000, 9000, false)]); // no next: last measured step, 2400
    const f3 = w.fragment([v(12000, 12000, true)]); // lone frame: the step into it, 3000
    const p = roundTrip(w, [f1, f2, f3]);
    expect(p.samples.get(1)!.map((s) => s.duration)).toEqual([3000, 3600, 2400, 2400, 3000]);
    expect(p.file.moofs.map((m) => m.trafs[0]!.tfdt!.baseMediaDecodeTime)).toEqual([0, 6600, 12000]);
  });

  test("a lone first frame with no history gets 1/30 s", () => {
    const w = new FragmentWriter([video]);
    const p = roundTrip(w, [w.fragment([v(0, 0, true)])]);
    expect(p.samples.get(1)![0]!.duration).toBe(3000);
  });

  test("AAC: the last frame lasts 1024 samples whatever the rounding of the steps before", () => {
    const w = new FragmentWriter([audio]);
    const p = roundTrip(w, [w.fragment([a(48000), a(49023), a(50048)])]);
    expect(times(p.samples.get(2)!)).toEqual([
      [48000, 48000, 1023],
      [49023, 49023, 1025],
      [50048, 50048, 1024],
    ]);
    expect(p.samples.get(2)!.every((s) => s.is_sync)).toBe(true);
  });

  test("tfdt goes past 32 bits (version 1, 64-bit)", () => {
    const w = new FragmentWriter([video]);
    const base = 2 ** 33 + 7;
    const p = roundTrip(w, [w.fragment([v(base, base + 3600, true), v(base + 3600, base + 7200, false)])]);
    expect(p.file.moofs[0]!.trafs[0]!.tfdt!.baseMediaDecodeTime).toBe(base);
    expect(p.samples.get(1)![1]!.dts).toBe(base + 3600);
  });

  test("a stream that starts below zero is shifted by whole seconds, the same for every track", () => {
    const w = new FragmentWriter([video, audio]);
    const f = w.fragment([a(-24000), v(-9000, -5400, true), a(-22976), v(-5400, -1800, false)]);
    const p = roundTrip(w, [f]);
    expect(p.samples.get(1)!.map((s) => [s.dts, s.cts])).toEqual([
      [81000, 84600],
      [84600, 88200],
    ]);
    expect(p.samples.get(2)!.map((s) => s.dts)).toEqual([24000, 25024]);
  });

  test("audio clock other than the sample rate is rescaled to the sample rate", () => {
    const ts = { ...audio, clockRate: 90000 };
    const w = new FragmentWriter([ts]);
    const p = roundTrip(w, [w.fragment([a(90000, 10, ts), a(91920, 10, ts)])]);
    expect(p.info.tracks[0]!.timescale).toBe(48000);
    expect(times(p.samples.get(2)!)).toEqual([
      [48000, 48000, 1024],
      [49024, 49024, 1024],
    ]);
  });
});

describe("FragmentWriter layout", () => {
  test("two tracks: one traf each, data offsets land on each track's bytes", () => {
    const w = new FragmentWriter([video, audio]);
    const sei = hex("0605ff");
    const units = [v(0, 3600, true, [hex("0910"), SPS, PPS, sei, IDR]), a(0, 7), a(1024, 9), v(3600, 7200, false)];
    const p = roundTrip(w, [w.fragment(units)]);
    const [first, second] = p.samples.get(1)!;
    // AUD, SPS and PPS left out; the rest 4-byte length-prefixed.
    expect(Buffer.from(first!.data!).toString("hex")).toBe("00000003" + "0605ff" + "00000004" + "65888405");
    expect(Buffer.from(second!.data!).toString("hex")).toBe("00000004" + "419a2233");
    expect(p.samples.get(2)!.map((s) => Buffer.from(s.data!).toString("hex"))).toEqual(["00".repeat(7), "00".repeat(9)]);
    expect(p.file.moofs[0]!.trafs.map((t) => t.tfhd!.track_id)).toEqual([1, 2]);
  });

  test("H.265: VPS, SPS, PPS and AUD left out of samples", () => {
    const track: VideoTrack = { ...video, codec: "h265", vps: hex("40010c01ffff016000000300900000030000030078959809"), sps: hex(H265_SPS_CASES[0]!.hex), pps: hex("4401c172b46240") };
    const w = new FragmentWriter([track]);
    const idr = hex("2601af");
    const p = roundTrip(w, [w.fragment([v(0, 0, true, [hex("460150"), track.vps!, track.sps!, track.pps!, idr], track)])]);
    expect(Buffer.from(p.samples.get(1)![0]!.data!).toString("hex")).toBe("00000003" + "2601af");
    expect(p.info.tracks[0]!.codec).toBe("hvc1.1.6.L93.90");
  });

  test("mfhd sequence numbers run on from the first one", () => {
    const w = new FragmentWriter([audio], 41);
    const fragments = [w.fragment([a(0)]), w.fragment([a(1024)]), w.fragment([a(2048)])];
    expect(w.nextSequence).toBe(44);
    const p = roundTrip(w, fragments);
    expect(p.file.moofs.map((m) => m.mfhd!.sequence_number)).toEqual([41, 42, 43]);
  });

  test("a unit that holds only parameter sets makes no sample", () => {
    const w = new FragmentWriter([video]);
    const p = roundTrip(w, [w.fragment([v(0, 0, false, [SPS, PPS]), v(3600, 3600, true)])]);
    expect(p.samples.get(1)!.map((s) => s.dts)).toEqual([3600]);
  });
});

describe("FragmentWriter refuses what it cannot write", () => {
  test("decode time that does not move forward, within or across fragments", () => {
    const w = new FragmentWriter([video]);
    expect(() => w.fragment([v(3600, 3600, true), v(3600, 7200, false)])).toThrow(MediaError);
    const w2 = new FragmentWriter([video]);
    w2.fragment([v(3600, 3600, true)]);
    expect(() => w2.fragment([v(0, 0, true)])).toThrow("not after");
  });

  test("changed parameters need a new init segment; same parameters in a new object are fine", () => {
    const w = new FragmentWriter([video]);
    expect(() => w.fragment([v(0, 0, true, [IDR], withParameters(video, {}))])).not.toThrow();
    expect(() => w.fragment([v(3600, 3600, true, [IDR], withParameters(video, { pps: hex("68ee3c80") }))])).toThrow("new init segment");
  });

  test("codecs fMP4 does not carry are left out of the init segment and the fragments", () => {
    const pcmu: AudioTrack = { id: 2, version: 0, kind: "audio", codec: "pcmu", clockRate: 8000, sampleRate: 8000, channels: 1 };
    const w = new FragmentWriter([video, pcmu]);
    expect(w.tracks).toEqual([video]);
    const f = w.fragment([v(0, 0, true), { track: pcmu, dts: 0, pts: 0, key: true, units: [new Uint8Array(160)] }]);
    expect(w.ignored).toBe(1);
    expect(roundTrip(w, [f]).info.tracks.length).toBe(1);
    expect(() => initSegment([pcmu])).toThrow(MediaError);
  });

  test("a fragment with no samples", () => {
    expect(() => new FragmentWriter([video]).fragment([])).toThrow(MediaError);
  });
});
