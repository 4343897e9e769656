// bench/serve-segments/spread.ts: how soon N long-polling clients got each
// part, from the files long-poll.ts writes (bench/serve-segments/blocking.sh).
// Prints one JSON object. Run with Bun:
//
//   bun bench/serve-segments/spread.ts --ref REF.json [--load A.json[,B.json…]] --from MS --to MS [--within 50]
//
// Several --load files (the N clients split over processes) count as one set.
// A part's "ready" time is the earliest moment any client saw it listed:
// the reference client (its own process, one blocking request at a time) or
// any of the N load clients. The parts counted are those ready within
// [--from, --to] (epoch ms: the measured window). For each part and load
// client the delay is the client's time minus the ready time; a client that
// never saw the part counts as missed. "publish" is the ready time minus the
// part's end on the playlist's own clock (EXT-X-PROGRAM-DATE-TIME plus part
// durations, read by the reference): how long after its last frame reached
// the server the first client had the part listed. "sinceEnd" is the same
// for every load client: its time minus the part's end, the stricter
// measure, since the earliest answer itself comes later when the server
// has N answers to write (the part is published when the frame after it
// arrives, within a few ms of its end on an idle server).

import { readFileSync } from "node:fs";

interface Out {
  mode: string;
  count: number;
  base: number;
  answersBySecond: number[];
  stale: number;
  behind: number;
  errors: Record<string, number>;
  parts: Record<string, { t: (number | null)[]; h: number; media?: number | null }>;
}

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  if (fallback !== undefined) return fallback;
  throw new Error(`spread: --${name} is required`);
}

const ref = JSON.parse(readFileSync(arg("ref"), "utf8")) as Out;
const loadFile = arg("load", "");
const load = loadFile ? merge(loadFile.split(",").map((f) => JSON.parse(readFileSync(f, "utf8")) as Out)) : undefined;
const from = Number(arg("from"));
const to = Number(arg("to"));
const within = Number(arg("within", "50"));
if (!(to > from)) throw new Error("--to must be after --from");

/** One set of clients from several processes' files: times moved to the first file's base. */
function merge(outs: Out[]): Out {
  if (outs.length === 1) return outs[0]!;
  const base = Math.min(...outs.map((o) => o.base));
  const count = outs.reduce((s, o) => s + o.count, 0);
  const parts: Out["parts"] = {};
  const answersBySecond: number[] = [];
  const errors: Record<string, number> = {};
  let offset = 0;
  for (const o of outs) {
    const shift = o.base - base;
    for (const [id, p] of Object.entries(o.parts)) {
      const row = (parts[id] ??= { t: new Array<number | null>(count).fill(null), h: 0 });
      p.t.forEach((v, c) => (row.t[offset + c] = v === null ? null : v + shift));
      row.h += p.h;
    }
    o.answersBySecond.forEach((v, s) => {
      const at = s + Math.round(shift / 1000);
      answersBySecond[at] = (answersBySecond[at] ?? 0) + v;
    });
    for (const [k, v] of Object.entries(o.errors)) errors[k] = (errors[k] ?? 0) + v;
    offset += o.count;
  }
  return {
    mode: outs[0]!.mode,
    count,
    base,
    answersBySecond: Array.from(answersBySecond, (v) => v ?? 0),
    stale: outs.reduce((s, o) => s + o.stale, 0),
    behind: outs.reduce((s, o) => s + o.behind, 0),
    errors,
    parts,
  };
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const v = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return Math.round(v * 10) / 10;
}
const sort = (a: number[]) => a.sort((x, y) => x - y);
const abs = (o: Out, v: number | null | undefined) => (v === null || v === undefined ? Number.NaN : o.base + v);

const ids = new Set<string>([...Object.keys(ref.parts), ...Object.keys(load?.parts ?? {})]);
const n = load?.count ?? 0;
const delays: number[] = [];
const sinceEnd: number[] = [];
let partsAllWithinEnd = 0;
let partsWithEnd = 0;
const spreads: number[] = [];
const refDelays: number[] = [];
const publish: number[] = [];
const handling: number[] = [];
const withinPerPart: number[] = [];
let parts = 0;
let missed = 0;
let allWithin = 0;
for (const id of ids) {
  const r = abs(ref, ref.parts[id]?.t[0]);
  const row = load?.parts[id]?.t.map((v) => abs(load, v)) ?? [];
  let ready = r;
  for (const v of row) if (!Number.isNaN(v) && (Number.isNaN(ready) || v < ready)) ready = v;
  if (!(ready >= from && ready <= to)) continue;
  parts++;
  if (!Number.isNaN(r)) refDelays.push(r - ready);
  const media = abs(ref, ref.parts[id]?.media);
  if (!Number.isNaN(media)) publish.push(ready - media);
  if (!load) continue;
  handling.push(load.parts[id]?.h ?? 0);
  let ok = 0;
  let okEnd = 0;
  let worst = 0;
  for (let c = 0; c < n; c++) {
    const v = row[c] ?? Number.NaN;
    if (Number.isNaN(v)) {
      missed++;
      worst = Number.POSITIVE_INFINITY;
      continue;
    }
    const d = v - ready;
    delays.push(d);
    if (!Number.isNaN(media)) {
      sinceEnd.push(v - media);
      if (v - media <= within) okEnd++;
    }
    if (d <= within) ok++;
    worst = Math.max(worst, d);
  }
  withinPerPart.push(ok);
  if (!Number.isNaN(media)) {
    partsWithEnd++;
    if (okEnd === n) partsAllWithinEnd++;
  }
  if (ok === n) allWithin++;
  spreads.push(worst);
}
sort(delays);
sort(sinceEnd);
sort(spreads);
sort(refDelays);
sort(publish);
sort(handling);
sort(withinPerPart);

/** Answers per second over the window's whole seconds. */
function rate(o: Out | undefined): number | null {
  if (!o) return null;
  const a = Math.max(0, Math.ceil((from - o.base) / 1000));
  const b = Math.min(Math.floor((to - o.base) / 1000), o.answersBySecond.length);
  if (b <= a) return null;
  let sum = 0;
  for (let s = a; s < b; s++) sum += o.answersBySecond[s] ?? 0;
  return Math.round(sum / (b - a));
}

const pairs = parts * n;
console.log(
  JSON.stringify({
    mode: load?.mode ?? "-",
    n,
    parts,
    partsPerSecond: Math.round((parts / ((to - from) / 1000)) * 100) / 100,
    within,
    pairs,
    pairsWithin: pairs ? delays.filter((d) => d <= within).length : null,
    pairsWithinPct: pairs ? Math.round((delays.filter((d) => d <= within).length / pairs) * 1000) / 10 : null,
    partsAllWithin: load ? allWithin : null,
    withinPerPart: load ? { min: withinPerPart[0] ?? null, median: quantile(withinPerPart, 0.5) } : null,
    missed,
    delayMs: { p50: quantile(delays, 0.5), p90: quantile(delays, 0.9), p99: quantile(delays, 0.99), max: quantile(delays, 1) },
    spreadMs: { p50: quantile(spreads, 0.5), p99: quantile(spreads, 0.99), max: quantile(spreads, 1) },
    refDelayMs: { p50: quantile(refDelays, 0.5), p99: quantile(refDelays, 0.99) },
    publishMs: { p50: quantile(publish, 0.5), p99: quantile(publish, 0.99), max: quantile(publish, 1) },
    sinceEnd: load
      ? {
          parts: partsWithEnd,
          pairsWithinPct: sinceEnd.length ? Math.round((sinceEnd.filter((d) => d <= within).length / (partsWithEnd * n)) * 1000) / 10 : null,
          partsAllWithin: partsAllWithinEnd,
          p50: quantile(sinceEnd, 0.5),
          p99: quantile(sinceEnd, 0.99),
          max: quantile(sinceEnd, 1),
        }
      : null,
    clientHandlingMsPerPart: { p50: quantile(handling, 0.5), max: quantile(handling, 1) },
    answersPerSecond: { load: rate(load), ref: rate(ref) },
    stale: (load?.stale ?? 0) + ref.stale,
    behind: load?.behind ?? 0,
    errors: { ...Object.fromEntries(Object.entries(ref.errors).map(([k, v]) => [`ref: ${k}`, v])), ...(load?.errors ?? {}) },
  }),
);
