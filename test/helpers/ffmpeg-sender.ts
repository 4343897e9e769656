import { type ChildProcess, spawn } from "node:child_process";
import { BFRAMES_CLIP } from "./clips.ts";
import { FFMPEG } from "./peers.ts";

export interface Sender {
  stop(): Promise<void>;
  output(): string;
  /** Resolves with the exit code when ffmpeg ends by itself. */
  exited: Promise<number | null>;
}

/** ffmpeg reading the B-frame clip (the demo's picture, harder to carry) in real time, looped, for at most `maxSeconds`, then `output` args. */
function demoFfmpeg(output: string[], maxSeconds: number): Sender {
  const child: ChildProcess = spawn(FFMPEG, ["-hide_banner", "-v", "error", "-re", "-stream_loop", "-1", "-i", BFRAMES_CLIP, "-t", String(maxSeconds), ...output], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (b) => {
    if (err.length < 10_000) err += b;
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return {
    output: () => err,
    exited,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGKILL");
      }),
  };
}

/**
 * ffmpeg sending the demo clip in real time, looped, to `url` as MPEG-TS.
 * Bounded: it stops by itself after `maxSeconds` even if nobody stops it.
 */
export function sendDemo(url: string, extra: string[] = [], maxSeconds = 60): Sender {
  return demoFfmpeg(["-c", "copy", ...extra, "-f", "mpegts", url], maxSeconds);
}

/**
 * ffmpeg publishing the demo over RTSP (ANNOUNCE/RECORD): H.264 with
 * B-frames as is; AAC re-encoded, since the RTP muxer needs the AAC config
 * up front and ADTS in MPEG-TS has none.
 */
export function publishDemo(url: string, transport: "tcp" | "udp", maxSeconds = 60): Sender {
  return demoFfmpeg(["-c:v", "copy", "-c:a", "aac", "-f", "rtsp", "-rtsp_transport", transport, url], maxSeconds);
}
