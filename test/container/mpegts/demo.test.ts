import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { TsDemuxer } from "../../../src/container/mpegts/demuxer.ts";
import { TsMuxer } from "../../../src/container/mpegts/muxer.ts";
import { CollectSink } from "./helpers.ts";

const DEMO = new Uint8Array(readFileSync(new URL("../../../assets/demo.ts", import.meta.url)));

function read(bytes: Uint8Array, chunk = bytes.length): { aus: AccessUnit[]; reader: TsAccessUnitReader } {
  const reader = new TsAccessUnitReader();
  const aus: AccessUnit[] = [];
  for (let i = 0; i < bytes.length; i += chunk) aus.push(...reader.push(bytes.subarray(i, i + chunk)));
  aus.push(...reader.flush());
  return { aus, reader };
}

function remux(aus: readonly AccessUnit[], reader: TsAccessUnitReader): Uint8Array {
  const sink = new CollectSink();
  const m = new TsMuxer(sink, reader.tracks);
  for (const au of aus) m.writeAccessUnit(au);
  return sink.bytes();
}

/** ffprobe's packets per codec, and whatever it printed on stderr. */
function ffprobe(bytes: Uint8Array): { counts: Record<string, number>; errors: string } {
  const dir = mkdtempSync(join(tmpdir(), "ts-"));
  try {
    const file = join(dir, "out.ts");
    writeFileSync(file, bytes);
    const r = spawnSync("ffprobe", ["-v", "error", "-show_streams", "-show_packets", "-of", "json", file], { encoding: "utf8", maxBuffer: 64 << 20 });
    const out = JSON.parse(r.stdout) as { streams: { index: number; codec_name: string }[]; packets: { stream_index: number }[] };
    const counts: Record<string, number> = {};
    for (const p of out.packets) {
      const name = out.streams.find((s) => s.index === p.stream_index)?.codec_name ?? "?";
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return { counts, errors: r.stderr };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe("demo.ts (ffmpeg: H.264 640x360 25 fps, AAC 48 kHz stereo)", () => {
  test("demuxer: PES per stream, no errors", () => {
    const d = new TsDemuxer();
    const pes = [...d.push(DEMO), ...d.flush()];
    expect(pes.filter((p) => p.streamType === 0x1b).length).toBe(200);
    expect(d.stats).toMatchObject({ ccErrors: 0, resyncs: 0, pesDropped: 0, pesTruncated: 0, pesErrors: 0, crcErrors: 0, psiErrors: 0, pcrDiscontinuities: 0, ignoredPackets: 0 });
  });

  for (const chunk of [DEMO.length, 1316, 188, 100, 7]) {
    test(`access units with ${chunk}-byte chunks`, () => {
      const { aus, reader } = read(DEMO, chunk);
      const video = aus.filter((u) => u.track.kind === "video");
      const audio = aus.filter((u) => u.track.kind === "audio");
      expect([video.length, audio.length]).toEqual([200, 376]);
      expect(reader.tracks).toMatchObject([
        { kind: "video", codec: "h264", width: 640, height: 360, clockRate: 90000 },
        { kind: "audio", codec: "aac", sampleRate: 48000, channels: 2, clockRate: 48000 },
      ]);
      expect(reader.demuxer.stats.ccErrors).toBe(0);
      expect(video[0]!.key).toBe(true);
      for (let i = 1; i < audio.length; i++) expect(audio[i]!.pts - audio[i - 1]!.pts).toBe(1024);
      for (let i = 1; i < video.length; i++) expect(video[i]!.dts - video[i - 1]!.dts).toBe(3600);
    });
  }

  test("remuxed demo.ts passes ffprobe", () => {
    const { aus, reader } = read(DEMO);
    const out = remux(aus, reader);
    const probe = ffprobe(out);
    expect(probe.errors).toBe("");
    expect(probe.counts).toEqual({ h264: 200, aac: 376 });
    const again = read(out).aus;
    expect(again.length).toBe(aus.length);
    // Per track: the interleaving of tracks may differ (unbounded video PES end at the next one).
    for (const kind of ["video", "audio"]) {
      const a = aus.filter((u) => u.track.kind === kind);
      const b = again.filter((u) => u.track.kind === kind);
      b.forEach((au, i) => expect([au.pts, au.dts, au.key]).toEqual([a[i]!.pts, a[i]!.dts, a[i]!.key]));
    }
  });

  test("H.265 from libx265 with B-frames: read, remux, ffprobe", () => {
    const r = spawnSync("ffmpeg", [
      "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=25", "-frames:v", "30",
      "-c:v", "libx265", "-x265-params", "log-level=none:bframes=2:keyint=10", "-f", "mpegts", "-",
    ], { maxBuffer: 64 << 20 });
    const src = new Uint8Array(r.stdout);
    const { aus, reader } = read(src);
    expect(aus.length).toBe(30);
    expect(reader.tracks[0]).toMatchObject({ codec: "h265", width: 854, height: 480 });
    expect(aus.filter((u) => u.key).length).toBe(3);
    expect(aus.some((u) => u.pts !== u.dts)).toBe(true);
    const probe = ffprobe(remux(aus, reader));
    expect(probe.errors).toBe("");
    expect(probe.counts).toEqual({ hevc: 30 });
  }, 30000);
});
