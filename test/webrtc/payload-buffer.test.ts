import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { UnitArena } from "../../src/core/unit-arena.ts";
import { payloadBuffer } from "../../src/webrtc/payload-buffer.ts";
import { video } from "../helpers/units.ts";

describe("payloadBuffer", () => {
  test("a payload of a unit in arena memory is copied: werift's NACK history outlives the slab", () => {
    const w = new UnitArena().writer();
    w.begin();
    w.reserve(500, 0);
    const { data, storage } = w.commit(0, 500);
    data.fill(9);
    const au: AccessUnit = { track: video, pts: 0, dts: 0, key: true, units: [data], storage };
    const b = payloadBuffer(data.subarray(100, 200), au);
    expect(b.buffer).not.toBe(data.buffer);
    data.fill(0);
    expect([...b].every((x) => x === 9)).toBe(true);
  });

  test("other units' payloads are views, not copies", () => {
    const data = new Uint8Array(500).fill(9);
    const au: AccessUnit = { track: video, pts: 0, dts: 0, key: true, units: [data] };
    const b = payloadBuffer(data.subarray(100, 200), au);
    expect(b.buffer).toBe(data.buffer);
    expect(b.byteOffset).toBe(100);
    expect(b.byteLength).toBe(100);
  });
});
