import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { TsDemuxer } from "../../../src/container/mpegts/demuxer.ts";
import { rng } from "../../codec/bit-writer.ts";

const DEMO = new Uint8Array(readFileSync(new URL("../../../assets/demo.ts", import.meta.url)));
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
      errors += s.ccErrors + s.resyncs + s.pesDropped + s.pesErrors + s.crcErrors + s.badPackets + reader.stats.parseErrors;
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
