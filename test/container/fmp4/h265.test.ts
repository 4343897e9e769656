import { describe, expect, test } from "bun:test";
import { H265_NAL, h265NalType } from "../../../src/codec/h265/nal.ts";
import { codecString } from "../../../src/container/fmp4/codec-string.ts";
import { concat, encodeTs, fragmentClip, parseMp4, readTs } from "./helpers.ts";
import { ffmpegDecode, ffmpegMp4, frameHashes, probeVideo, withFile } from "./ffmpeg-check.ts";

// libx265 with B-frames (3, pyramid) and a closed GOP every second, 320x240, plus AAC 44.1 kHz.
const X265 = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "bframes=3:b-pyramid=1:keyint=25:min-keyint=25:scenecut=0:open-gop=0:log-level=error"];
const ts = encodeTs(X265, 3);
const clip = readTs(ts);
const videoUnits = clip.units.filter((u) => u.track.kind === "video");
const audioUnits = clip.units.filter((u) => u.track.kind === "audio");
const { init, fragments } = fragmentClip(clip);
const whole = concat([init, ...fragments]);
const parsed = parseMp4(whole);

/** What mp4box's hvcC parser fills in (its box classes are not exported as types). */
interface HvcC {
  general_profile_space: number;
  general_tier_flag: number;
  general_profile_idc: number;
  general_profile_compatibility: number;
  general_constraint_indicator: Uint8Array;
  general_level_idc: number;
  chroma_format_idc: number;
  bit_depth_luma_minus8: number;
  bit_depth_chroma_minus8: number;
  temporalIdNested: number;
  lengthSizeMinusOne: number;
  nalu_arrays: ({ data: Uint8Array }[] & { nalu_type: number; completeness: number })[];
}

/** The header fields of an hvcC as mp4box reads them (its numTemporalLayers read is off, so left out). */
function fields(b: HvcC) {
  return {
    space: b.general_profile_space,
    tier: b.general_tier_flag,
    profile: b.general_profile_idc,
    compatibility: b.general_profile_compatibility,
    constraints: [...b.general_constraint_indicator],
    level: b.general_level_idc,
    chroma: b.chroma_format_idc,
    lumaDepth: b.bit_depth_luma_minus8,
    chromaDepth: b.bit_depth_chroma_minus8,
    nested: b.temporalIdNested,
    lengthSize: b.lengthSizeMinusOne + 1,
  };
}

describe("H.265 (libx265, B-frames) as fMP4 with hvc1", () => {
  test("the clip has B-frames and three GOPs", () => {
    expect(videoUnits.length).toBe(75);
    expect(videoUnits.some((u) => u.pts !== u.dts)).toBe(true);
    expect(fragments.length).toBe(3);
  });

  test("mp4box: hvc1, codec string, size, timescales, sample counts", () => {
    expect(parsed.complaints).toEqual([]);
    const [v, a] = parsed.info.tracks;
    expect(v!.codec.toLowerCase()).toBe(codecString(clip.tracks[0]!).toLowerCase());
    expect(v!.codec).toMatch(/^hvc1\.1\.6\.L\d+\.[0-9A-F]+/);
    expect([v!.video!.width, v!.video!.height, v!.timescale]).toEqual([320, 240, 90000]);
    expect([a!.codec, a!.timescale, a!.audio!.sample_rate]).toEqual(["mp4a.40.2", 44100, 44100]);
    expect([v!.nb_samples, a!.nb_samples]).toEqual([videoUnits.length, audioUnits.length]);
  });

  test("hvcC: complete VPS, SPS, PPS arrays; header fields as ffmpeg derives them", () => {
    const entry = parsed.file.moov!.traks[0]!.mdia!.minf!.stbl!.stsd!.entries[0]! as unknown as { type: string; hvcC: HvcC };
    expect(entry.type).toBe("hvc1");
    const ours = entry.hvcC;
    expect(ours.nalu_arrays.map((arr) => [arr.nalu_type, arr.completeness, arr.length])).toEqual([
      [H265_NAL.VPS, 1, 1],
      [H265_NAL.SPS, 1, 1],
      [H265_NAL.PPS, 1, 1],
    ]);
    const track = clip.tracks[0]!;
    expect(track.kind === "video" && Buffer.from(ours.nalu_arrays[1]![0]!.data).equals(Buffer.from(track.sps!))).toBe(true);
    const theirs = parseMp4(withFile(ts, "ts", (path) => ffmpegMp4(path, "hvc1")));
    expect(theirs.info.tracks[0]!.codec).toBe(parsed.info.tracks[0]!.codec);
    const theirBox = theirs.file.moov!.traks[0]!.mdia!.minf!.stbl!.stsd!.entries[0]! as unknown as { hvcC: HvcC };
    expect(fields(ours)).toEqual(fields(theirBox.hvcC));
  });

  test("samples: DTS, CTS, sync flags; no parameter sets in-band", () => {
    const samples = parsed.samples.get(1)!;
    expect(samples.map((s) => [s.dts, s.cts, s.is_sync])).toEqual(videoUnits.map((u) => [u.dts, u.pts, u.key]));
    for (const s of samples) {
      const data = s.data!;
      for (let at = 0; at < data.length; ) {
        const len = new DataView(data.buffer, data.byteOffset).getUint32(at);
        const type = h265NalType(data.subarray(at + 4));
        expect([H265_NAL.VPS, H265_NAL.SPS, H265_NAL.PPS, H265_NAL.AUD]).not.toContain(type as 32);
        at += 4 + len;
        if (at > data.length) throw new Error("NAL length runs past the sample");
      }
    }
  });

  test("ffmpeg -xerror decodes every frame, pictures identical to the TS; PTS order right", () => {
    withFile(whole, "mp4", (mp4) => {
      const r = ffmpegDecode(mp4);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const probe = probeVideo(mp4);
      expect([probe.codec, probe.width, probe.height]).toEqual(["hevc", 320, 240]);
      expect(probe.framePts).toEqual(videoUnits.map((u) => u.pts).sort((x, y) => x - y));
      expect(probe.packets.map((p) => [p.dts, p.pts])).toEqual(videoUnits.map((u) => [u.dts, u.pts]));
      withFile(ts, "ts", (tsPath) => expect(frameHashes(mp4, "v")).toEqual(frameHashes(tsPath, "v")));
    });
  });
});
