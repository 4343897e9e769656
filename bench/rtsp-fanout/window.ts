// bench/rtsp-fanout/window.ts: what the readers received between two copies
// of readers.ts's --stats file (the edges of the measured window). Prints one
// JSON object. Run with Bun:
//
//   bun bench/rtsp-fanout/window.ts A.json B.json --kbps 4060 --fps 25
//
// --kbps is the stream's own bitrate (video + audio elementary streams): a
// reader that gets everything receives that plus RTP and interleaving headers
// (~1.5 %). A reader is "full" when it was playing at both edges, received at
// least 90 % of --kbps and of --fps, saw no sequence gap and no timestamp
// jump, and fell behind by less than 1 s during the window (its arrival time
// minus media time grew by less than that).

import { readFileSync } from "node:fs";

type Row = [state: string, bytes: number, packets: number, gaps: number, frames: number, jumps: number, lagMs: number, delayMs: number];
interface Stats {
  t: number;
  count: number;
  states: Record<string, number>;
  errors: Record<string, number>;
  readers: Row[];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const [fileA, fileB] = process.argv.slice(2, 4);
if (!fileA || !fileB) throw new Error("usage: window.ts A.json B.json --kbps K --fps F");
const kbps = Number(arg("kbps", "0"));
const fps = Number(arg("fps", "0"));
const a = JSON.parse(readFileSync(fileA, "utf8")) as Stats;
const b = JSON.parse(readFileSync(fileB, "utf8")) as Stats;
const secs = (b.t - a.t) / 1000;
if (!(secs > 0) || a.readers.length !== b.readers.length) throw new Error(`${fileA} and ${fileB} are not two moments of one run`);

/** Allowed shortfall before a reader counts as not getting the stream. */
const SHORT = 0.9;
const DRIFT_MS = 1000;

const mbps: number[] = [];
const frameRates: number[] = [];
const drifts: number[] = [];
let playing = 0;
let full = 0;
let gaps = 0;
let jumps = 0;
const why = { slow: 0, fewFrames: 0, gaps: 0, jumps: 0, drift: 0 };
for (let i = 0; i < b.readers.length; i++) {
  const ra = a.readers[i]!;
  const rb = b.readers[i]!;
  if (ra[0] !== "playing" || rb[0] !== "playing") continue;
  playing++;
  const rate = ((rb[1] - ra[1]) * 8) / secs / 1e6;
  const frameRate = (rb[4] - ra[4]) / secs;
  const g = rb[3] - ra[3];
  const j = rb[5] - ra[5];
  const drift = rb[7] - ra[7];
  mbps.push(rate);
  frameRates.push(frameRate);
  drifts.push(drift);
  gaps += g;
  jumps += j;
  const slow = kbps > 0 && rate * 1000 < SHORT * kbps;
  const fewFrames = fps > 0 && frameRate < SHORT * fps;
  if (slow) why.slow++;
  if (fewFrames) why.fewFrames++;
  if (g > 0) why.gaps++;
  if (j > 0) why.jumps++;
  if (drift >= DRIFT_MS) why.drift++;
  if (!slow && !fewFrames && g === 0 && j === 0 && drift < DRIFT_MS) full++;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

console.log(
  JSON.stringify({
    secs: round(secs, 3),
    count: b.count,
    playing,
    statesEnd: b.states,
    errors: b.errors,
    full,
    why,
    mbps: { min: round(quantile(mbps, 0)), median: round(quantile(mbps, 0.5)), max: round(quantile(mbps, 1)), total: round(mbps.reduce((s, x) => s + x, 0), 1) },
    fps: { min: round(quantile(frameRates, 0), 1), median: round(quantile(frameRates, 0.5), 1) },
    driftMs: { median: Math.round(quantile(drifts, 0.5)), max: Math.round(quantile(drifts, 1)) },
    gaps,
    jumps,
  }),
);
