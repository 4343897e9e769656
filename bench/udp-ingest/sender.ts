// bench/udp-ingest/sender.ts: sends N MPEG-TS feeds over UDP, paced evenly,
// for the udp-ingest benchmark (see docs/BENCHMARKS.md). Run with Bun:
//
//   bun bench/udp-ingest/sender.ts --file clip.ts --mbps 25 \
//     --dest 127.0.0.1:5001,127.0.0.1:5002 --seconds 30 [--stats FILE]
//     [--localaddr 127.0.0.1]   (multicast: the interface to send on)
//     [--tick-ms 1] [--max-burst-ms 20]
//
// What it sends: the file, cut into 1316-byte datagrams (7 TS packets, what
// ffmpeg's pkt_size=1316 and most encoders send), unchanged: no byte is
// rewritten. Every feed starts at the start of the file; feed i's schedule is
// offset by i/N of a datagram interval so the feeds interleave.
//
// Pacing: every tick (a timer, ~1 ms) each feed sends the datagrams that are
// due by then at its rate (one sendmmsg per tick for all feeds: Bun's
// sendMany). A tick that comes late sends what is due (a burst), but at most
// --max-burst-ms worth; beyond that the sender cannot keep up, and the
// datagrams it skipped are counted (`skipped`), never sent late.
//
// Looping: the file is trimmed to a whole number of datagrams and sent again
// from the start when it ends. At that point timestamps jump back and the
// continuity counter of each PID may jump; the sender computes how many PIDs
// jump per wrap (`ccJumpsPerWrap`) and reports wraps and expected CC errors,
// so a harness can subtract them. The benchmark makes its file long enough
// that no feed wraps during a run (then both are 0).

import { readFileSync, renameSync, writeFileSync } from "node:fs";

const TS_PACKET = 188;
const PACKETS_PER_DATAGRAM = 7; // 7 x 188 = 1316 bytes: fits a 1500-byte Ethernet MTU with IP/UDP (and RTP) headers
const DATAGRAM = TS_PACKET * PACKETS_PER_DATAGRAM;
const NULL_PID = 0x1fff;

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  console.error(`sender: --${name} is required`);
  process.exit(2);
}

const file = arg("file");
const mbps = Number(arg("mbps"));
const dests = arg("dest")
  .split(",")
  .map((d) => {
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(d.trim());
    if (!m) throw new Error(`bad --dest entry "${d}" (want a.b.c.d:port)`);
    return { host: m[1], port: Number(m[2]) };
  });
const seconds = Number(arg("seconds", "30"));
const statsFile = arg("stats", "");
const localaddr = arg("localaddr", "");
const tickMs = Number(arg("tick-ms", "1"));
const maxBurstMs = Number(arg("max-burst-ms", "20"));
if (!(mbps > 0) || !(seconds > 0) || dests.length === 0) throw new Error("need --mbps > 0, --seconds > 0 and at least one --dest");

// ------------------------------------------------------------------ file ----
const raw = readFileSync(file);
const whole = Math.floor(raw.byteLength / DATAGRAM);
if (whole < 2) throw new Error(`${file} is shorter than two datagrams`);
const data = new Uint8Array(raw.buffer, raw.byteOffset, whole * DATAGRAM);
for (let o = 0; o < data.byteLength; o += TS_PACKET) {
  if (data[o] !== 0x47) throw new Error(`${file}: no TS sync byte at offset ${o} (not a 188-byte-packet MPEG-TS file?)`);
}
const datagrams: Uint8Array[] = [];
for (let i = 0; i < whole; i++) datagrams.push(data.subarray(i * DATAGRAM, (i + 1) * DATAGRAM));

/**
 * PIDs whose continuity counter does not continue from the last packet of
 * the file to the first (ISO/IEC 13818-1 2.4.3.3: +1 mod 16 for a packet with
 * payload, unchanged for adaptation-field-only packets). A receiver counts
 * one CC error per such PID at each wrap.
 */
function ccJumpsPerWrap(d: Uint8Array): number {
  const first = new Map<number, { cc: number; payload: boolean }>();
  const last = new Map<number, number>();
  for (let o = 0; o < d.byteLength; o += TS_PACKET) {
    const pid = ((d[o + 1] & 0x1f) << 8) | d[o + 2];
    if (pid === NULL_PID) continue;
    const afc = (d[o + 3] >> 4) & 3;
    const cc = d[o + 3] & 0x0f;
    if (!first.has(pid)) first.set(pid, { cc, payload: (afc & 1) === 1 });
    last.set(pid, cc);
  }
  let jumps = 0;
  for (const [pid, f] of first) {
    const l = last.get(pid)!;
    const expected = f.payload ? (l + 1) & 0x0f : l;
    if (f.cc !== expected) jumps++;
  }
  return jumps;
}
const jumpsPerWrap = ccJumpsPerWrap(data);

// ---------------------------------------------------------------- socket ----
const socket = await Bun.udpSocket({});
if (localaddr) {
  // Multicast stays on the named interface (loopback here): DESIGN.md.
  socket.setMulticastInterface(localaddr);
  socket.setMulticastLoopback(true);
  socket.setMulticastTTL(1);
}

// ---------------------------------------------------------------- pacing ----
const n = dests.length;
const dgPerMs = (mbps * 1e6) / 8 / DATAGRAM / 1000; // per feed
const maxBurst = Math.max(1, Math.ceil(dgPerMs * maxBurstMs)); // per feed per tick
const pos = new Array<number>(n).fill(0); // next datagram index per feed
const sent = new Array<number>(n).fill(0); // datagrams sent per feed
const owed = new Array<number>(n).fill(0); // datagrams scheduled so far (sent + skipped)
let skipped = 0;
let wraps = 0;
let sendCalls = 0;
let shortSends = 0;
let maxLateMs = 0;
let lastTick = 0;
const t0 = performance.now();
const end = t0 + seconds * 1000;
const packets: (Uint8Array | number | string)[] = [];
const order: number[] = [];

function writeStats(final: boolean): void {
  if (!statsFile) return;
  const elapsed = (performance.now() - t0) / 1000;
  const total = sent.reduce((a, b) => a + b, 0);
  const s = {
    final,
    feeds: n,
    mbpsPerFeed: mbps,
    datagramBytes: DATAGRAM,
    fileDatagrams: whole,
    elapsed,
    datagramsSent: total,
    datagramsSentPerFeed: sent,
    mbpsSent: (total * DATAGRAM * 8) / 1e6 / Math.max(elapsed, 1e-9),
    skipped,
    sendCalls,
    shortSends,
    maxLateMs,
    wraps,
    ccJumpsPerWrap: jumpsPerWrap,
    expectedCcErrors: wraps * jumpsPerWrap,
  };
  writeFileSync(`${statsFile}.tmp`, JSON.stringify(s));
  renameSync(`${statsFile}.tmp`, statsFile);
}

function tick(): void {
  const now = performance.now();
  if (lastTick) maxLateMs = Math.max(maxLateMs, now - lastTick - tickMs);
  lastTick = now;
  const elapsedMs = Math.min(now, end) - t0;
  packets.length = 0;
  order.length = 0;
  let more = true;
  const due = new Array<number>(n);
  for (let f = 0; f < n; f++) {
    // Feed f is offset by f/n of a datagram interval.
    let d = Math.floor(elapsedMs * dgPerMs + f / n) - owed[f];
    if (d > maxBurst) {
      skipped += d - maxBurst;
      owed[f] += d - maxBurst;
      d = maxBurst;
    }
    due[f] = Math.max(0, d);
  }
  // Interleave the feeds: one datagram of each in turn.
  for (let k = 0; more; k++) {
    more = false;
    for (let f = 0; f < n; f++) {
      if (k >= due[f]) continue;
      more = true;
      packets.push(datagrams[pos[f]], dests[f].port, dests[f].host);
      order.push(f);
      pos[f]++;
      if (pos[f] === whole) {
        pos[f] = 0;
        wraps++;
      }
    }
  }
  for (let f = 0; f < n; f++) owed[f] += due[f];
  if (order.length > 0) {
    sendCalls++;
    let done = 0;
    // sendMany returns how many it sent; a full socket buffer (EAGAIN) sends fewer.
    while (done < order.length) {
      const k = socket.sendMany(done === 0 ? packets : packets.slice(done * 3));
      if (k <= 0) {
        shortSends++;
        break;
      }
      done += k;
    }
    for (let i = 0; i < order.length; i++) {
      if (i < done) sent[order[i]]++;
      else skipped++;
    }
  }
  if (now >= end) {
    writeStats(true);
    socket.close();
    const total = sent.reduce((a, b) => a + b, 0);
    console.log(
      `sender: ${n} feeds x ${mbps} Mbit/s target, sent ${total} datagrams (${((total * DATAGRAM * 8) / 1e6 / seconds).toFixed(1)} Mbit/s), ` +
        `skipped ${skipped}, max tick lateness ${maxLateMs.toFixed(1)} ms, wraps ${wraps} (x ${jumpsPerWrap} CC jumps)`,
    );
    process.exit(0);
  }
  setTimeout(tick, tickMs);
}

let lastStats = 0;
setInterval(() => {
  const now = performance.now();
  if (now - lastStats >= 200) {
    lastStats = now;
    writeStats(false);
  }
}, 200);
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    writeStats(true);
    process.exit(0);
  });
}
console.error(
  `sender: ${file}: ${whole} datagrams of ${DATAGRAM} bytes, ${jumpsPerWrap} PIDs jump CC at the wrap; ` +
    `${n} feeds x ${mbps} Mbit/s (${(dgPerMs * 1000).toFixed(0)} datagrams/s each), tick ${tickMs} ms, ${seconds} s`,
);
tick();
