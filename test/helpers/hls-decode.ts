import { expect } from "bun:test";
import { FFMPEG } from "./peers.ts";
import { run } from "./server-process.ts";

/**
 * ffmpeg 5.1's HLS reader hands the EXT-X-MAP to its mov demuxer again after
 * every playlist reload, which then warns "Found duplicated MOOV Atom"; it
 * does so reading ffmpeg's own live fMP4 HLS output too. That warning (and
 * its "repeated" line) is left out; anything else fails the test.
 */
function decodeComplaints(stderr: string): string[] {
  const out: string[] = [];
  let skipping = false;
  for (const line of stderr.split("\n")) {
    if (!line.trim()) continue;
    if (/^\[mov,mp4,m4a,3gp,3g2,mj2 @ 0x[0-9a-f]+\] Found duplicated MOOV Atom\. Skipped it$/.test(line)) skipping = true;
    else if (skipping && /^\s+Last message repeated \d+ times$/.test(line)) continue;
    else {
      skipping = false;
      out.push(line);
    }
  }
  return out;
}

/** ffmpeg decodes `seconds` of a live HLS playlist with -xerror: any complaint but the one above fails. */
export async function ffmpegDecodes(url: string, seconds = 10): Promise<void> {
  const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", url, "-t", String(seconds), "-f", "null", "-"], 60_000);
  expect(decodeComplaints(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
}
