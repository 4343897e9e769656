import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { TsDemuxer, type PesPacket } from "../../../src/container/mpegts/demuxer.ts";
import { UnitArena } from "../../../src/core/unit-arena.ts";
import { rng } from "../../codec/bit-writer.ts";
import { captureUdp } from "./udp-capture.ts";

const DEMO_URL = new URL("../../../assets/demo.ts", import.meta.url);
const DEMO = new Uint8Array(readFileSync(DEMO_URL));
/** A slice of demo.ts keeps each iteration fast; 400 packets include tables and keyframes. */
const SAMPLE = DEMO.subarray(0, 188 * 400);

/** Feeds `data` in random chunks; the reader must neither throw nor stall. */
function feed(data: Uint8Array, rand: () => number): TsAccessUnitReader {
  const reader = new TsAccessUnitReader();
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(rand() * 3000);
    reader.push(data.subarray(i, i + n));
    i += n;
  }
  reader.flush();
  return reader;
}

function corrupt(src: Uint8Array, rand: () => number): Uint8Array {
  const kind = Math.floor(rand() * 4);
  if (kind === 0) {
    const out = src.slice();
    for (let i = 0, n = 1 + Math.floor(rand() * 50); i < n; i++) out[Math.floor(rand() * out.length)] ^= 1 << Math.floor(rand() * 8);
    return out;
  }
  if (kind === 1) return src.subarray(Math.floor(rand() * 1000), Math.floor(rand() * src.length));
  if (kind === 2) {
    const at = Math.floor(rand() * src.length);
    const garbage = new Uint8Array(Math.floor(rand() * 500)).map(() => (rand() < 0.2 ? 0x47 : Math.floor(rand() * 256)));
    const out = new Uint8Array(src.length + garbage.length);
    out.set(src.subarray(0, at));
    out.set(garbage, at);
    out.set(src.subarray(at), at + garbage.length);
    return out;
  }
  // Drop a run of packets.
  const at = 188 * Math.floor(rand() * (src.length / 188));
  const n = 188 * Math.floor(rand() * 20);
  const out = new Uint8Array(src.length - Math.min(n, src.length - at));
  out.set(src.subarray(0, at));
  out.set(src.subarray(at + n), at);
  return out;
}

describe("TS fuzz", () => {
  test("random bytes", () => {
    const rand = rng(7);
    for (let i = 0; i < 50; i++) {
      const data = new Uint8Array(Math.floor(rand() * 20000)).map(() => (rand() < 0.05 ? 0x47 : Math.floor(rand() * 256)));
      feed(data, rand);
    }
  });

  test("mutated demo.ts: no throws, errors counted, bounded time", () => {
    const rand = rng(8);
    const started = Date.now();
    let errors = 0;
    for (let i = 0; i < 800; i++) {
      const reader = feed(corrupt(SAMPLE, rand), rand);
      const s = reader.demuxer.stats;
      errors += s.ccErrors + s.resyncs + s.pesDropped + s.pesTruncated + s.pesErrors + s.crcErrors + s.badPackets + reader.stats.parseErrors;
    }
    expect(errors).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10000);
  });

  test("garbage between packets resyncs", () => {
    const d = new TsDemuxer();
    const out = [...d.push(SAMPLE.subarray(0, 188 * 100)), ...d.push(new Uint8Array(77).fill(0x47)), ...d.push(SAMPLE.subarray(188 * 100)), ...d.flush()];
    expect(d.stats.resyncs).toBe(1);
    expect(d.stats.bytesSkipped).toBeGreaterThanOrEqual(77);
    expect(out.length).toBeGreaterThan(10);
  });
});

type Datagrams = Uint8Array[];
const pick = (g: Datagrams, rand: () => number) => Math.floor(rand() * g.length);

/** What a lossy UDP path (or a bad sender) does to datagrams. */
const DATAGRAM_MUTATIONS: ((g: Datagrams, rand: () => number) => void)[] = [
  (g, rand) => void g.splice(pick(g, rand), 1), // lost
  (g, rand) => {
    const i = pick(g, rand);
    g.splice(i, 0, g[i]!); // duplicated
  },
  (g, rand) => {
    const i = pick(g, rand);
    const j = Math.min(g.length - 1, i + 1 + Math.floor(rand() * 3));
    [g[i], g[j]] = [g[j]!, g[i]!]; // reordered
  },
  (g, rand) => {
    const i = pick(g, rand);
    g[i] = g[i]!.subarray(0, Math.floor(rand() * g[i]!.length)); // truncated
  },
  (g, rand) => {
    const i = pick(g, rand);
    const c = g[i]!.slice();
    for (let k = 0, n = 1 + Math.floor(rand() * 20); k < n; k++) c[Math.floor(rand() * c.length)] ^= 1 << Math.floor(rand() * 8);
    g[i] = c; // corrupted
  },
  (g, rand) => {
    const junk = new Uint8Array(1 + Math.floor(rand() * 1500)).map(() => (rand() < 0.1 ? 0x47 : Math.floor(rand() * 256)));
    g.splice(pick(g, rand), 0, junk); // not TS at all
  },
];

/** A window of the capture: enough datagrams for tables, two keyframes and audio. */
const WINDOW = 120;
/** Whatever the input: a 5-packet search window and a few PES buffers (demo.ts frames are tens of KB). */
const BUFFER_BOUND = 1 << 20;

describe("TS fuzz from a real UDP capture (ffmpeg → 127.0.0.1, 1316-byte datagrams)", () => {
  let capture: Datagrams = [];
  beforeAll(async () => {
    capture = await captureUdp(fileURLToPath(DEMO_URL));
  }, 10000);

  function window(rand: () => number): Datagrams {
    const start = Math.floor(rand() * Math.max(1, capture.length - WINDOW));
    return capture.slice(start, start + WINDOW);
  }

  function feedDatagrams(grams: Datagrams): { reader: TsAccessUnitReader; aus: AccessUnit[] } {
    const reader = new TsAccessUnitReader();
    const aus: AccessUnit[] = [];
    for (const g of grams) {
      aus.push(...reader.push(g));
      expect(reader.demuxer.bufferedBytes).toBeLessThanOrEqual(BUFFER_BOUND);
    }
    aus.push(...reader.flush());
    return { reader, aus };
  }

  test("the capture is real: datagrams of whole packets, at most 7, that read cleanly", () => {
    expect(capture.length).toBeGreaterThan(500);
    // ffmpeg flushes at the end of each PES, so many datagrams are shorter than pkt_size.
    expect(capture.every((g) => g.length > 0 && g.length <= 1316 && g.length % 188 === 0)).toBe(true);
    const { aus } = feedDatagrams(capture);
    expect(aus.filter((u) => u.track.kind === "video").length).toBeGreaterThan(150);
  });

  test("datagrams lost, repeated, reordered, cut, corrupted, mixed with junk", () => {
    const rand = rng(9);
    const started = Date.now();
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const grams = window(rand);
      for (let k = 0, n = 1 + Math.floor(rand() * 6); k < n; k++) DATAGRAM_MUTATIONS[Math.floor(rand() * DATAGRAM_MUTATIONS.length)]!(grams, rand);
      const { reader } = feedDatagrams(grams);
      const s = reader.demuxer.stats;
      errors += s.ccErrors + s.resyncs + s.truncatedPackets + s.pesDropped + s.pesTruncated + s.pesErrors + s.badPackets;
    }
    expect(errors).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("lost datagrams: after every gap, video resumes on a keyframe", () => {
    const rand = rng(10);
    let dropped = 0;
    for (let i = 0; i < 100; i++) {
      const grams = window(rand);
      // A few single losses, far apart: 7 packets can never wrap a 4-bit continuity_counter.
      for (let at = Math.floor(rand() * 30); at < grams.length; at += 20 + Math.floor(rand() * 40)) grams.splice(at, 1);
      const { aus, reader } = feedDatagrams(grams);
      dropped += reader.stats.unitsDroppedAfterLoss;
      const video = aus.filter((u) => u.track.kind === "video");
      for (let k = 1; k < video.length; k++) {
        if (video[k]!.dts - video[k - 1]!.dts !== 3600) expect(video[k]!.key).toBe(true);
      }
    }
    expect(dropped).toBeGreaterThan(0);
  });

  test("with an arena (PES written in place): the same PES and counters as without, none overwritten while held", () => {
    const rand = rng(11);
    /** PES kept (retained) at a time, as a short ring would: older ones are checked, then released. */
    const HELD = 40;
    const totals = { reused: 0, moved: 0, errors: 0 };
    for (let pass = 0; pass < 12; pass++) {
      const grams = capture.slice();
      for (let k = 0, n = 5 + Math.floor(rand() * 40); k < n; k++) DATAGRAM_MUTATIONS[Math.floor(rand() * DATAGRAM_MUTATIONS.length)]!(grams, rand);
      const arena = new UnitArena();
      const plain = new TsDemuxer();
      const placed = new TsDemuxer({ arena });
      const held: { pes: PesPacket; want: Uint8Array }[] = [];
      const check = (want: PesPacket[], got: PesPacket[]) => {
        expect(got.map((p) => [p.pid, p.dts, p.lost, p.data.byteLength])).toEqual(want.map((p) => [p.pid, p.dts, p.lost, p.data.byteLength]));
        got.forEach((p, i) => {
          expect(p.data).toEqual(want[i]!.data);
          p.storage?.retain();
          held.push({ pes: p, want: want[i]!.data });
        });
        arena.settle();
        while (held.length > HELD) {
          const h = held.shift()!;
          expect(h.pes.data).toEqual(h.want);
          h.pes.storage?.release();
        }
      };
      // One receive buffer, refilled for every datagram, as a socket's batch buffer is.
      const socketBuffer = new Uint8Array(2048);
      for (const g of grams) {
        socketBuffer.set(g);
        check(plain.push(g), placed.push(socketBuffer.subarray(0, g.length)));
        socketBuffer.fill(0x47);
        expect(placed.bufferedBytes).toBeLessThanOrEqual(BUFFER_BOUND);
      }
      check(plain.flush(), placed.flush());
      for (const h of held) expect(h.pes.data).toEqual(h.want);
      expect(placed.stats).toEqual(plain.stats);
      const s = placed.stats;
      totals.errors += s.ccErrors + s.pesDropped + s.pesTruncated + s.pesErrors;
      totals.reused += arena.stats.reused;
      totals.moved += arena.stats.moved;
    }
    expect(totals.errors).toBeGreaterThan(0);
    expect(totals.reused).toBeGreaterThan(0);
    expect(totals.moved).toBeGreaterThan(0);
  });
});
