import { describe, expect, test } from "bun:test";
import HLS from "hls-parser";
import type { AudioTrack, VideoTrack } from "../../src/core/track.ts";
import { codecsOf, renderMultivariantPlaylist, resolutionOf } from "../../src/hls/multivariant.ts";
import { DEMO_TS, encodeTs, readTs } from "../container/fmp4/helpers.ts";

HLS.setOptions({ strictMode: true });

const demo = readTs(DEMO_TS);
const h264 = demo.tracks[0] as VideoTrack;
const aac = demo.tracks[1] as AudioTrack;

describe("multivariant playlist", () => {
  test("video and audio: CODECS, RESOLUTION, FRAME-RATE, bandwidths; strict parse", () => {
    const text = renderMultivariantPlaylist({
      bandwidth: 812_345.2,
      averageBandwidth: 790_000,
      codecs: codecsOf([h264, aac], "m4s"),
      resolution: resolutionOf([aac, h264]),
      frameRate: 25,
      uri: "index.m3u8",
    });
    expect(text).toBe(
      '#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=812346,AVERAGE-BANDWIDTH=790000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000\nindex.m3u8\n',
    );
    const p = HLS.parse(text) as HLS.types.MasterPlaylist;
    const v = p.variants[0]!;
    expect([v.bandwidth, v.averageBandwidth, v.codecs, v.resolution, v.frameRate, v.uri]).toEqual([812346, 790000, "avc1.4d401e,mp4a.40.2", { width: 640, height: 360 }, 25, "index.m3u8"]);
  });

  test("audio-only: no RESOLUTION or FRAME-RATE", () => {
    const text = renderMultivariantPlaylist({ bandwidth: 130_000, averageBandwidth: 128_000, codecs: codecsOf([aac], "ts"), resolution: resolutionOf([aac]), uri: "index.m3u8" });
    expect(text).toContain('CODECS="mp4a.40.2"\n');
    const v = (HLS.parse(text) as HLS.types.MasterPlaylist).variants[0]!;
    expect(v.resolution).toBeUndefined();
    expect(v.frameRate).toBeUndefined();
  });

  test("video-only: one codec", () => {
    expect(codecsOf([h264], "ts")).toEqual(["avc1.4d401e"]);
  });

  test("H.265 is hvc1 in fMP4 (parameter sets in the sample entry) and hev1 in MPEG-TS (in band)", () => {
    const clip = readTs(encodeTs(["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"], 1));
    const hevc = clip.tracks.find((t) => t.kind === "video")!;
    const [fmp4] = codecsOf([hevc], "m4s");
    const [ts] = codecsOf([hevc], "ts");
    expect(fmp4).toMatch(/^hvc1\.1\.6\.L\d+\.B0$|^hvc1\.1\.6\.L\d+(\.[0-9A-F]+)*$/);
    expect(ts).toBe(fmp4!.replace("hvc1.", "hev1."));
  });

  test("a video track whose SPS has not come yet is left out rather than guessed", () => {
    const bare: VideoTrack = { id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000 };
    expect(codecsOf([bare, aac], "ts")).toEqual(["mp4a.40.2"]);
    expect(resolutionOf([bare])).toBeUndefined();
  });
});
