// Test clips for bench/hotpath, made once with ffmpeg and cached (see hotpath.ts).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";

export interface ClipSpec {
  /** Cache file name stem. */
  readonly name: string;
  /** ffmpeg arguments that encode the 10 s base clip (inputs, codecs), output format/path added here. */
  readonly encode: readonly string[];
  /** Seconds of the final feed: the base clip copied end to end (timestamps and CC continue). */
  readonly seconds: number;
}

/** 1080p30 testsrc2 + temporal noise, x264 CBR, keyframe every 2 s, AAC 128k: the udp-ingest clip. */
export function tsClip(mbps: number, seconds: number): ClipSpec {
  return {
    name: `ts-1080p30-${mbps}M-${seconds}s`,
    seconds,
    encode: [
      "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30,noise=alls=16:allf=t+u",
      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
      "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
      "-b:v", `${mbps}M`, "-minrate", `${mbps}M`, "-maxrate", `${mbps}M`, "-bufsize", `${mbps}M`,
      "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
    ],
  };
}

/**
 * What the rtsp-ingest camera sends: 640x360 25 fps noise ("snow"), x264
 * superfast zerolatency (no B-frames) at ~1 Mbit/s, keyframe every 2 s, AAC 64k.
 */
export function cameraClip(kbps: number, seconds: number): ClipSpec {
  return {
    name: `cam-360p25-${kbps}k-${seconds}s`,
    seconds,
    encode: [
      "-f", "lavfi", "-i", "color=c=gray:size=640x360:rate=25,noise=alls=100:allf=t+u",
      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-t", "10", "-c:v", "libx264", "-preset", "superfast", "-tune", "zerolatency", "-profile:v", "high",
      "-pix_fmt", "yuv420p", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-bf", "0",
      "-b:v", `${kbps}k`, "-maxrate", `${kbps}k`, "-bufsize", `${kbps}k`,
      "-c:a", "aac", "-b:a", "64k", "-ac", "2",
    ],
  };
}

function ffmpeg(args: readonly string[]): void {
  const r = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed (${r.status})`);
}

/** Path of the clip, encoding it into `cacheDir` on first use. */
export function ensureClip(spec: ClipSpec, cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  const out = join(cacheDir, `${spec.name}.ts`);
  if (existsSync(out)) return out;
  const base = join(cacheDir, `${spec.name}.base.ts`);
  if (!existsSync(base)) {
    console.error(`[hotpath] encoding ${base} with ffmpeg (once)`);
    ffmpeg([...spec.encode, "-f", "mpegts", `${base}.part`]);
    renameSync(`${base}.part`, base);
  }
  const copies = Math.ceil(spec.seconds / 10);
  ffmpeg(["-stream_loop", String(copies - 1), "-i", base, "-map", "0", "-c", "copy", "-f", "mpegts", `${out}.part`]);
  renameSync(`${out}.part`, out);
  return out;
}
