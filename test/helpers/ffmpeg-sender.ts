import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { FFMPEG } from "./peers.ts";

export const DEMO_CLIP = resolve(import.meta.dir, "../../assets/demo.ts");

/**
 * ffmpeg sending the demo clip in real time, looped, to `url` as MPEG-TS.
 * Bounded: it stops by itself after `maxSeconds` even if nobody stops it.
 */
export function sendDemo(url: string, extra: string[] = [], maxSeconds = 60): { stop(): Promise<void>; output(): string } {
  const child: ChildProcess = spawn(
    FFMPEG,
    ["-hide_banner", "-v", "error", "-re", "-stream_loop", "-1", "-i", DEMO_CLIP, "-t", String(maxSeconds), "-c", "copy", ...extra, "-f", "mpegts", url],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr!.on("data", (b) => {
    if (err.length < 10_000) err += b;
  });
  return {
    output: () => err,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGKILL");
      }),
  };
}
