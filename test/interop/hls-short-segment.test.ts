import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { TsAccessUnitReader } from "../../src/container/mpegts/access-unit-reader.ts";
import type { Segment } from "../../src/hls/segment.ts";
import { Segmenter } from "../../src/hls/segmenter.ts";
import { TsPackager } from "../../src/hls/ts-packager.ts";
import { FFMPEG, FFPROBE } from "../helpers/peers.ts";
import { run } from "../helpers/server-process.ts";

/**
 * A segment ended by a discontinuity right after its keyframe: with a simple
 * picture (an RTSP test camera's keyframe is ~800 bytes) that is PAT, PMT, a
 * keyframe and an AAC frame, under 2048 bytes. ffprobe, reading the segment
 * alone as the rtsp-ingest interop test does, took such a file for MPEG-PS
 * and its AAC for MP2 ("[mp2 @ …] Header missing").
 */
describe("a short MPEG-TS segment probed alone by ffprobe", () => {
  let dir: string;
  let units: AccessUnit[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "short-segment-"));
    const clip = join(dir, "clip.ts");
    const made = await run(
      FFMPEG,
      [
        ...["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "color=black:s=64x64:r=25:d=1", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=1"],
        ...["-c:v", "libx264", "-profile:v", "baseline", "-g", "25", "-c:a", "aac", "-ac", "2", "-f", "mpegts", clip],
      ],
      30_000,
    );
    expect(made.stderr).toBe("");
    const reader = new TsAccessUnitReader();
    units = [...reader.push(readFileSync(clip)), ...reader.flush()];
  }, 40_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("is still MPEG-TS to ffprobe: an AAC stream with its packet, nothing on stderr", async () => {
    const video = units.filter((u) => u.track.kind === "video");
    const audio = units.filter((u) => u.track.kind === "audio");
    const key = video[0]!;
    const keySeconds = key.dts / key.track.clockRate;
    const firstAudio = audio.find((u) => u.dts / u.track.clockRate >= keySeconds)!;
    const pool = new ChunkPool(188 * 64, 16);
    const out: Segment[] = [];
    const s = new Segmenter(pool, new TsPackager(pool.chunkSize), { targetDuration: 2, namePrefix: "short_" }, [key.track, firstAudio.track], {
      onSegment: (seg) => out.push(seg),
    });
    s.push(key);
    s.push(firstAudio);
    // Time steps back one second (a source's clock reset): the open segment ends with what it has.
    s.push({ ...key, pts: key.pts - 90000, dts: key.dts - 90000 });
    expect(out).toHaveLength(1);
    const data = new Uint8Array(out[0]!.byteLength);
    let at = 0;
    for (const v of out[0]!.views()) {
      data.set(v, at);
      at += v.byteLength;
    }
    let media = 0;
    for (let i = 0; i < data.length; i += 188) if ((((data[i + 1]! & 0x1f) << 8) | data[i + 2]!) !== 0x1fff) media++;
    expect(media).toBeLessThanOrEqual(10); // the case: fewer than 2048 bytes of PSI and PES
    const file = join(dir, "short_0.ts");
    writeFileSync(file, data);
    const probe = await run(FFPROBE, ["-v", "error", "-count_packets", "-show_entries", "stream=codec_name,nb_read_packets", "-of", "json", file], 20_000);
    expect(probe.stderr).toBe("");
    const streams = (JSON.parse(probe.stdout) as { streams: { codec_name: string; nb_read_packets: string }[] }).streams;
    expect(streams.map((x) => [x.codec_name, x.nb_read_packets])).toEqual([
      ["h264", "1"],
      ["aac", "1"],
    ]);
  }, 30_000);
});
