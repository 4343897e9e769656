import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { Stream } from "../../src/core/stream.ts";
import { UnitArena } from "../../src/core/unit-arena.ts";
import { video } from "../helpers/units.ts";

/** A 25 fps video unit whose bytes (all `i & 0xff`) were copied into the arena. */
function unit(arena: UnitArena, i: number, size = 10_000, perGop = 25): AccessUnit {
  const { data, storage } = arena.copy(new Uint8Array(size).fill(i & 0xff));
  const ticks = i * 3600;
  return { track: video, pts: ticks, dts: ticks, key: i % perGop === 0, units: [data], storage };
}

function intact(au: AccessUnit): boolean {
  const u = au.units[0]!;
  const want = (au.dts / 3600) & 0xff;
  return u.byteLength > 0 && u.every((b) => b === want);
}

describe("UnitArena", () => {
  test("a copy does not change when the source buffer is reused", () => {
    const arena = new UnitArena();
    const src = new Uint8Array(100).fill(1);
    const { data, storage } = arena.copy(src);
    src.fill(2);
    expect(storage).toBeDefined();
    expect(data.every((b) => b === 1)).toBe(true);
  });

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

  test("a unit larger than any slab gets its own buffer", () => {
    const arena = new UnitArena();
    const big = new Uint8Array(9 * 1024 * 1024).fill(3);
    const { data, storage } = arena.copy(big);
    expect(storage).toBeUndefined();
    expect(data.byteLength).toBe(big.byteLength);
    expect(data.buffer).not.toBe(big.buffer);
  });

  test("slabs grow with the largest frames, so a slab holds several", () => {
    const arena = new UnitArena();
    const a = arena.copy(new Uint8Array(1_000_000)).data;
    const b = arena.copy(new Uint8Array(1_000_000)).data;
    // Both in one slab of at least 4 frames.
    expect(b.buffer).toBe(a.buffer);
    expect(a.buffer.byteLength).toBeGreaterThanOrEqual(4_000_000);
  });
});
