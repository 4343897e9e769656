import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FFMPEG, FFPROBE } from "../../helpers/peers.ts";

/** Runs `fn` with the bytes written to a temporary file of that extension. */
export function withFile<T>(bytes: Uint8Array, ext: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "fmp4-"));
  try {
    const file = join(dir, `file.${ext}`);
    writeFileSync(file, bytes);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ffmpeg -v error -xerror` decode of every stream: status and whatever it printed. */
export function ffmpegDecode(path: string): { status: number | null; stderr: string } {
  const r = spawnSync(FFMPEG, ["-v", "error", "-xerror", "-i", path, "-f", "null", "-"], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

/** MD5 of every decoded frame of one stream ("v" or "a"), in output order. */
export function frameHashes(path: string, stream: "v" | "a"): string[] {
  const r = spawnSync(FFMPEG, ["-v", "error", "-i", path, "-map", `0:${stream}:0`, "-f", "framemd5", "-"], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg framemd5 failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(",").pop()!.trim());
}

export interface ProbedVideo {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** Decoded frames, in presentation order, with their pts in stream time base ticks. */
  readonly framePts: number[];
  /** Packets in file (decode) order. */
  readonly packets: { pts: number; dts: number; key: boolean }[];
  readonly timeBase: string;
}

interface ProbeJson {
  streams: { codec_name: string; width: number; height: number; time_base: string; nb_read_frames?: string }[];
  /** ffprobe lists both in one array, in the order it read and decoded them, when asked for both. */
  packets_and_frames: { type: "packet" | "frame"; pts: number; dts?: number; flags?: string }[];
}

/** ffprobe's view of the first video stream: decoded frames and packets. */
export function probeVideo(path: string): ProbedVideo {
  const args = ["-v", "error", "-select_streams", "v:0", "-show_streams", "-show_frames", "-show_packets", "-show_entries", "stream=codec_name,width,height,time_base:frame=pts:packet=pts,dts,flags", "-of", "json", path];
  const r = spawnSync(FFPROBE, args, { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as ProbeJson;
  const s = j.streams[0]!;
  return {
    codec: s.codec_name,
    width: s.width,
    height: s.height,
    timeBase: s.time_base,
    framePts: j.packets_and_frames.filter((e) => e.type === "frame").map((f) => f.pts),
    packets: j.packets_and_frames.filter((e) => e.type === "packet").map((p) => ({ pts: p.pts, dts: p.dts!, key: p.flags!.startsWith("K") })),
  };
}

/** The MP4 ffmpeg itself writes when it copies the TS's video (-c copy), for comparison. */
export function ffmpegMp4(tsPath: string, tag: "avc1" | "hvc1"): Uint8Array {
  const out = tsPath.replace(/\.ts$/, ".ffmpeg.mp4");
  const r = spawnSync(FFMPEG, ["-v", "error", "-i", tsPath, "-map", "0:v:0", "-c", "copy", "-tag:v", tag, "-y", out], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`ffmpeg remux failed: ${r.stderr}`);
  return new Uint8Array(readFileSync(out));
}

/** The bytes of the first box of `type` (avcC, hvcC) found in a file. */
export function boxBytes(file: Uint8Array, type: string): Uint8Array {
  const at = Buffer.from(file).indexOf(type) - 4;
  if (at < 0) throw new Error(`no ${type} box`);
  const size = new DataView(file.buffer, file.byteOffset).getUint32(at);
  return file.subarray(at, at + size);
}
