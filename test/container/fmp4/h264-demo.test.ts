import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { H264_NAL, h264NalType } from "../../../src/codec/h264/nal.ts";
import { codecString } from "../../../src/container/fmp4/codec-string.ts";
import { concat, DEMO_TS, fragmentClip, parseMp4, readTs } from "./helpers.ts";
import { boxBytes, ffmpegDecode, ffmpegMp4, frameHashes, probeVideo, withFile } from "./ffmpeg-check.ts";

// test/fixtures/demo-bframes.mpegts: ffmpeg libx264 Main 640x360 25 fps with B-frames, AAC-LC 48 kHz stereo.
const clip = readTs(DEMO_TS);
const videoUnits = clip.units.filter((u) => u.track.kind === "video");
const audioUnits = clip.units.filter((u) => u.track.kind === "audio");
const { init, fragments } = fragmentClip(clip);
const whole = concat([init, ...fragments]);
const parsed = parseMp4(whole);

/** What a sample must hold: the unit's NAL units less AUD/SPS/PPS, each after a 4-byte length. */
function expectedSample(au: AccessUnit): string {
  return au.units
    .filter((u) => ![H264_NAL.AUD, H264_NAL.SPS, H264_NAL.PPS].includes(h264NalType(u) as 7 | 8 | 9))
    .map((u) => u.length.toString(16).padStart(8, "0") + Buffer.from(u).toString("hex"))
    .join("");
}

describe("demo H.264 + AAC as fMP4, read by mp4box", () => {
  test("the clip has B-frames (the composition offsets below are not all zero)", () => {
    expect(videoUnits.some((u) => u.pts !== u.dts)).toBe(true);
    expect(fragments.length).toBe(videoUnits.filter((u) => u.key).length);
  });

  test("no complaints; tracks, codecs, sizes and timescales", () => {
    expect(parsed.complaints).toEqual([]);
    expect(parsed.info.isFragmented).toBe(true);
    expect(parsed.info.brands).toContain("iso6");
    const [v, a] = parsed.info.tracks;
    expect(v!.codec).toBe(codecString(clip.tracks[0]!));
    expect(v!.codec).toMatch(/^avc1\.4d40[0-9a-f]{2}$/);
    expect([v!.video!.width, v!.video!.height, v!.track_width, v!.track_height]).toEqual([640, 360, 640, 360]);
    expect(v!.timescale).toBe(90000);
    expect(a!.codec).toBe("mp4a.40.2");
    expect(a!.timescale).toBe(48000);
    expect([a!.audio!.sample_rate, a!.audio!.channel_count]).toEqual([48000, 2]);
    expect([v!.nb_samples, a!.nb_samples]).toEqual([videoUnits.length, audioUnits.length]);
  });

  test("video samples: DTS, CTS, sync flags and bytes match the access units", () => {
    const samples = parsed.samples.get(1)!;
    expect(samples.map((s) => [s.dts, s.cts, s.is_sync])).toEqual(videoUnits.map((u) => [u.dts, u.pts, u.key]));
    samples.forEach((s, i) => expect(Buffer.from(s.data!).toString("hex")).toBe(expectedSample(videoUnits[i]!)));
    // Every duration is the step to the next DTS; the clip's last frame has none, so it takes the last step.
    const steps = videoUnits.slice(1).map((u, i) => u.dts - videoUnits[i]!.dts);
    expect(samples.map((s) => s.duration)).toEqual([...steps, steps[steps.length - 1]!]);
  });

  test("audio samples: times, 1024-sample durations where the steps are, raw frames", () => {
    const samples = parsed.samples.get(2)!;
    expect(samples.map((s) => s.dts)).toEqual(audioUnits.map((u) => u.dts));
    expect(samples.every((s) => s.is_sync && s.cts === s.dts)).toBe(true);
    samples.forEach((s, i) => expect(Buffer.from(s.data!).equals(Buffer.from(audioUnits[i]!.units[0]!))).toBe(true));
    const last = samples[samples.length - 1]!;
    expect(last.duration).toBe(1024);
  });

  test("one moof per GOP: sequence numbers 1.., tfdt = first DTS per track, trun version 1", () => {
    const moofs = parsed.file.moofs;
    expect(moofs.map((m) => m.mfhd!.sequence_number)).toEqual(fragments.map((_, i) => i + 1));
    const keys = videoUnits.filter((u) => u.key);
    moofs.forEach((m, i) => {
      const videoTraf = m.trafs.find((t) => t.tfhd!.track_id === 1)!;
      expect(videoTraf.tfdt!.baseMediaDecodeTime).toBe(keys[i]!.dts);
      for (const t of m.trafs) expect(t.truns[0]!.version).toBe(1);
    });
  });

  test("each fragment with the init segment alone is what a player fetches: one whole GOP", () => {
    for (const f of fragments.slice(1, 3)) {
      const p = parseMp4(concat([init, f]));
      expect(p.complaints).toEqual([]);
      const s = p.samples.get(1)!;
      expect(s[0]!.is_sync).toBe(true);
      expect(s.slice(1).some((x) => x.is_sync)).toBe(false);
    }
  });
});

describe("demo H.264 + AAC as fMP4, decoded by ffmpeg", () => {
  test("avcC is byte for byte the one ffmpeg writes, and mp4box reads the same codec string from both", () => {
    const theirs = withFile(DEMO_TS, "ts", (path) => ffmpegMp4(path, "avc1"));
    expect(Buffer.from(boxBytes(init, "avcC")).toString("hex")).toBe(Buffer.from(boxBytes(theirs, "avcC")).toString("hex"));
    expect(parseMp4(theirs).info.tracks[0]!.codec).toBe(parsed.info.tracks[0]!.codec);
  });

  test("ffmpeg -xerror decodes every frame; pictures and sound identical to decoding the TS", () => {
    withFile(whole, "mp4", (mp4) => {
      const r = ffmpegDecode(mp4);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      withFile(DEMO_TS, "ts", (ts) => {
        const video = frameHashes(mp4, "v");
        expect(video.length).toBe(videoUnits.length);
        expect(video).toEqual(frameHashes(ts, "v"));
        expect(frameHashes(mp4, "a")).toEqual(frameHashes(ts, "a"));
      });
    });
  });

  test("ffprobe: frames come out in PTS order, packets in DTS order with the units' times", () => {
    const probe = withFile(whole, "mp4", probeVideo);
    expect([probe.codec, probe.width, probe.height, probe.timeBase]).toEqual(["h264", 640, 360, "1/90000"]);
    expect(probe.packets.map((p) => [p.dts, p.pts, p.key])).toEqual(videoUnits.map((u) => [u.dts, u.pts, u.key]));
    expect(probe.framePts).toEqual(videoUnits.map((u) => u.pts).sort((x, y) => x - y));
  });

  test("a single fragment after the init segment decodes alone", () => {
    withFile(concat([init, fragments[3]!]), "mp4", (path) => {
      const r = ffmpegDecode(path);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(frameHashes(path, "v").length).toBe(25);
    });
  });
});
