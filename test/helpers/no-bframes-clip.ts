import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_CLIP } from "./ffmpeg-sender.ts";
import { FFMPEG } from "./peers.ts";

let made: string | undefined;

/**
 * The demo clip re-encoded by ffmpeg without B-frames (same 640x360 25 fps
 * picture and AAC): browsers decode H.264 over WebRTC only without them,
 * and assets/demo.ts has them. A keyframe every second. Made once per process.
 */
export function noBFramesDemoClip(): string {
  if (made && existsSync(made)) return made;
  const out = join(mkdtempSync(join(tmpdir(), "ms-clip-")), "demo-no-bframes.ts");
  execFileSync(FFMPEG, ["-hide_banner", "-v", "error", "-i", DEMO_CLIP, "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0", "-g", "25", "-sc_threshold", "0", "-c:a", "copy", "-f", "mpegts", out], {
    timeout: 60_000,
  });
  made = out;
  return out;
}
