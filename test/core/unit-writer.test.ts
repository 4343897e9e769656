import { describe, expect, test } from "bun:test";
import { UnitArena } from "../../src/core/unit-arena.ts";
import { CopyWriter, writeUnits } from "../../src/core/unit-writer.ts";

describe("writeUnits", () => {
  const source = () => [Uint8Array.of(0x67, 1, 2), Uint8Array.of(0x68, 3), Uint8Array.of(0x65, 4, 5, 6, 7)];

  test("into an arena: the units back to back in one slab, with the slab as storage, independent of the input", () => {
    const w = new UnitArena().writer();
    const input = source();
    const a = writeUnits(w, input);
    for (const u of input) u.fill(0xee);
    expect(a.units).toEqual(source());
    expect(a.storage).toBeDefined();
    expect(new Set(a.units.map((u) => u.buffer)).size).toBe(1);
    expect(a.units.map((u) => u.byteOffset)).toEqual([a.units[0]!.byteOffset, a.units[0]!.byteOffset + 3, a.units[0]!.byteOffset + 5]);
    // The next access unit goes after this one in the same slab, leaving this one intact.
    const b = writeUnits(w, [Uint8Array.of(9, 9)]);
    expect(b.units[0]!.byteOffset).toBe(a.units[2]!.byteOffset + 5);
    expect(a.units).toEqual(source());
  });

  test("into a CopyWriter: units of their own, no storage", () => {
    const input = source();
    const { units, storage } = writeUnits(new CopyWriter(1 << 20), input);
    for (const u of input) u.fill(0xee);
    expect(units).toEqual(source());
    expect(storage).toBeUndefined();
  });

  test("no bytes (an empty G.711 payload) as the writer's first unit: empty units, no storage", () => {
    expect(writeUnits(new UnitArena().writer(), [])).toEqual({ units: [], storage: undefined });
    expect(writeUnits(new UnitArena().writer(), [new Uint8Array(0)])).toEqual({ units: [new Uint8Array(0)], storage: undefined });
  });
});
