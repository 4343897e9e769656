import { describe, expect, test } from "bun:test";
import type { AccessUnit, UnitStorage } from "../../src/core/access-unit.ts";
import { Stream } from "../../src/core/stream.ts";
import { UnitArena } from "../../src/core/unit-arena.ts";
import type { UnitWriter } from "../../src/core/unit-writer.ts";
import { video } from "../helpers/units.ts";

const writers = new WeakMap<UnitArena, UnitWriter>();

/** `bytes` written into `arena` whole, through one writer per arena (a source with one PID). */
function copied(arena: UnitArena, bytes: Uint8Array): { data: Uint8Array; storage: UnitStorage | undefined } {
  let w = writers.get(arena);
  if (!w) writers.set(arena, (w = arena.writer()));
  w.begin();
  w.reserve(bytes.byteLength, 0);
  w.bytes.set(bytes, w.start);
  return w.commit(0, bytes.byteLength);
}

/** A 25 fps video unit whose bytes (all `i & 0xff`) were copied into the arena. */
function unit(arena: UnitArena, i: number, size = 10_000, perGop = 25): AccessUnit {
  const { data, storage } = copied(arena, new Uint8Array(size).fill(i & 0xff));
  const ticks = i * 3600;
  return { track: video, pts: ticks, dts: ticks, key: i % perGop === 0, units: [data], storage };
}

function intact(au: AccessUnit): boolean {
  const u = au.units[0]!;
  const want = (au.dts / 3600) & 0xff;
  return u.byteLength > 0 && u.every((b) => b === want);
}

describe("UnitArena", () => {
  test("slabs are reused once the ring drops their units, and every unit in the ring stays intact", () => {
    const arena = new UnitArena();
    const s = new Stream("t", { maxDuration: 2, maxBytes: 1 << 30, slowReader: "skip" });
    const reader = s.addReader("test");
    let checked = 0;
    // 60 s of 10 kB frames at 25 fps, one frame per batch.
    for (let i = 0; i < 1500; i++) {
      s.push(unit(arena, i));
      arena.settle();
      for (let au = reader.read(); au; au = reader.read()) {
        expect(intact(au)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(1500);
    for (let seq = s.ring.head; seq < s.ring.tail; seq++) expect(intact(s.ring.at(seq)!)).toBe(true);
    // ~3 s of 250 kB/s in 256 KiB slabs: a handful allocated, the rest reused.
    expect(arena.stats.allocated).toBeLessThan(10);
    expect(arena.stats.reused).toBeGreaterThan(40);
  });

  test("a view kept past the ring without retaining reads as empty once its slab is reused", () => {
    const arena = new UnitArena();
    const s = new Stream("t", { maxDuration: 1, maxBytes: 1 << 30, slowReader: "skip" });
    const first = unit(arena, 0);
    s.push(first);
    arena.settle();
    const kept = first.units[0]!;
    for (let i = 1; i < 500; i++) {
      s.push(unit(arena, i));
      arena.settle();
    }
    expect(kept.byteLength).toBe(0);
  });

  test("a retained unit keeps its bytes after the ring drops it, until released", () => {
    const arena = new UnitArena();
    const s = new Stream("t", { maxDuration: 1, maxBytes: 1 << 30, slowReader: "skip" });
    const held = unit(arena, 0);
    held.storage!.retain();
    s.push(held);
    arena.settle();
    for (let i = 1; i < 500; i++) {
      s.push(unit(arena, i));
      arena.settle();
    }
    expect(s.ring.at(0)).toBeUndefined();
    expect(intact(held)).toBe(true);
    held.storage!.release();
    for (let i = 500; i < 1000; i++) {
      s.push(unit(arena, i));
      arena.settle();
    }
    expect(held.units[0]!.byteLength).toBe(0);
  });

  test("units of a batch not yet in the ring survive their slab's other units being dropped", () => {
    const arena = new UnitArena();
    const s = new Stream("t", { maxDuration: 1, maxBytes: 1 << 30, slowReader: "skip" });
    // One batch: many frames copied (slabs fill and are sealed) before any reaches the ring,
    // and pushing them makes the ring drop older units sharing those slabs.
    for (let round = 0; round < 20; round++) {
      const batch: AccessUnit[] = [];
      for (let i = 0; i < 60; i++) batch.push(unit(arena, round * 60 + i));
      for (const au of batch) s.push(au);
      arena.settle();
      for (const au of batch) expect(intact(au) || s.ring.at(au.dts / 3600) === undefined).toBe(true);
      for (let seq = s.ring.head; seq < s.ring.tail; seq++) expect(intact(s.ring.at(seq)!)).toBe(true);
    }
    expect(arena.stats.reused).toBeGreaterThan(0);
  });

  test("slabs grow with the largest frames, so a slab holds several", () => {
    const arena = new UnitArena();
    const a = copied(arena, new Uint8Array(1_000_000)).data;
    const b = copied(arena, new Uint8Array(1_000_000)).data;
    // Both in one slab of at least 4 frames.
    expect(b.buffer).toBe(a.buffer);
    expect(a.buffer.byteLength).toBeGreaterThanOrEqual(4_000_000);
  });
});

/** Writes `size` bytes of value `v` into `w` in `piece`-byte pieces, as the PES assembler does, and commits them. */
function write(w: UnitWriter, v: number, size: number, piece = 184): Uint8Array {
  w.begin();
  for (let n = 0; n < size; n += piece) {
    const end = Math.min(size, n + piece);
    w.reserve(end, n);
    w.bytes.fill(v, w.start + n, w.start + end);
  }
  return w.commit(0, size).data;
}

describe("UnitArena writers (units written in place)", () => {
  test("a unit is written where it stays: the next one follows it in the same slab", () => {
    const arena = new UnitArena();
    const w = arena.writer();
    const a = write(w, 1, 5000);
    const b = write(w, 2, 7000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 5000);
    expect(a.every((x) => x === 1) && b.every((x) => x === 2)).toBe(true);
    expect(arena.stats.moved).toBe(0);
  });

  test("interleaved writers (audio and video PIDs) each keep their units in one piece, in slabs of their own", () => {
    const arena = new UnitArena();
    const video = arena.writer();
    const audio = arena.writer();
    const units: { data: Uint8Array; v: number }[] = [];
    for (let i = 0; i < 50; i++) {
      video.begin();
      audio.begin();
      const vSize = 30_000 + i * 997;
      for (let n = 0; n < vSize; n += 184) {
        const end = Math.min(vSize, n + 184);
        video.reserve(end, n);
        video.bytes.fill(i, video.start + n, video.start + end);
        if (n % (184 * 20) === 0) units.push({ data: write(audio, 200 + (n % 50), 400), v: 200 + (n % 50) });
      }
      units.push({ data: video.commit(0, vSize).data, v: i });
    }
    for (const u of units) expect(u.data.every((x) => x === u.v)).toBe(true);
    const audioBuffers = new Set(units.filter((u) => u.v >= 200).map((u) => u.data.buffer));
    const videoBuffers = new Set(units.filter((u) => u.v < 200).map((u) => u.data.buffer));
    for (const b of audioBuffers) expect(videoBuffers.has(b)).toBe(false);
  });

  test("a unit that outgrows its slab moves with the bytes written so far; later units start in a slab sized for it", () => {
    const arena = new UnitArena();
    const w = arena.writer();
    write(w, 1, 100_000);
    const big = write(w, 2, 1_500_000);
    expect(big.every((x) => x === 2)).toBe(true);
    expect(arena.stats.moved).toBeGreaterThan(0);
    expect(arena.stats.movedBytes).toBeLessThan(2 * 1_500_000);
    const moved = arena.stats.moved;
    const next = write(w, 3, 1_400_000);
    expect(next.buffer).toBe(big.buffer);
    expect(arena.stats.moved).toBe(moved);
  });

  test("a unit not committed (PES lost mid-way) leaves nothing: the next unit takes its place", () => {
    const arena = new UnitArena();
    const w = arena.writer();
    const a = write(w, 1, 1000);
    w.begin();
    w.reserve(50_000, 0);
    w.bytes.fill(9, w.start, w.start + 50_000);
    expect(w.held).toBe(50_000);
    const b = write(w, 2, 3000);
    expect(b.byteOffset).toBe(a.byteOffset + 1000);
    expect(a.every((x) => x === 1) && b.every((x) => x === 2)).toBe(true);
    expect(w.held).toBe(0);
  });

  test("an oversize unit gets a slab of its own, bounded by the writer's limit and not kept for reuse", () => {
    const arena = new UnitArena();
    const limit = 12 * 1024 * 1024;
    const w = arena.writer(limit);
    const small = write(w, 1, 10_000);
    const huge = write(w, 2, 10 * 1024 * 1024, 188 * 256);
    expect(huge.every((x) => x === 2)).toBe(true);
    expect(huge.buffer.byteLength).toBeLessThanOrEqual(limit);
    expect(small.every((x) => x === 1)).toBe(true);
    w.begin();
    expect(() => w.reserve(limit + 1, 0)).toThrow(RangeError);
    // The next unit is back in a slab shared with others.
    const after = write(w, 3, 10_000);
    expect(after.buffer).not.toBe(huge.buffer);
    expect(after.buffer.byteLength).toBeLessThanOrEqual(8 * 1024 * 1024);
    // Nobody holds them: the shared slab is recycled (its old views detached), the oversize one left to the garbage collector.
    arena.settle();
    expect(small.byteLength).toBe(0);
    expect(huge.byteLength).toBe(10 * 1024 * 1024);
  });

  test("a free slab sized for another writer's larger units is not taken (audio would pin it)", () => {
    const arena = new UnitArena();
    const video = arena.writer();
    for (let i = 0; i < 40; i++) write(video, i, 1_000_000, 188 * 256);
    // Nothing retained the units: the slabs video filled go to the free list.
    arena.settle();
    const allocated = arena.stats.allocated;
    const audio = arena.writer();
    const a = write(audio, 7, 500);
    expect(a.buffer.byteLength).toBe(256 * 1024);
    expect(arena.stats.allocated).toBe(allocated + 1);
    // Video takes its own free slabs back.
    write(video, 1, 1_000_000, 188 * 256);
    write(video, 1, 1_000_000, 188 * 256);
    write(video, 1, 1_000_000, 188 * 256);
    write(video, 1, 1_000_000, 188 * 256);
    expect(arena.stats.allocated).toBe(allocated + 1);
  });
});
