import { describe, expect, test } from "bun:test";
import { HlsSchema } from "../../src/config/schema.ts";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { StreamRegistry } from "../../src/core/registry.ts";
import { HlsManager } from "../../src/hls/manager.ts";
import { gops } from "../helpers/units.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(hls: object) {
  const registry = new StreamRegistry({ maxDuration: 10, maxBytes: 64 << 20, slowReader: "skip" });
  const config = HlsSchema.parse(hls);
  const manager = new HlsManager(registry, config, new ChunkPool(188 * 64, 16));
  return { registry, manager };
}

describe("HLS muxers on demand", () => {
  test("no muxer (and no reader) until the first request; none for unknown paths", () => {
    const { registry, manager } = setup({});
    const s = registry.create("cam");
    expect(s.readers.size).toBe(0);
    expect(manager.muxer("nope")).toBeUndefined();
    expect(manager.muxer("cam")).toBeDefined();
    expect(s.readers.size).toBe(1);
    manager.close();
  });

  test("the first playlist request waits for the first segment", async () => {
    const { registry, manager } = setup({});
    const s = registry.create("cam");
    const muxer = manager.muxer("cam")!;
    const waiting = muxer.waitForPlaylist(2000);
    setTimeout(() => {
      for (const au of gops(3)) s.push(au);
    }, 50);
    expect(await waiting).toBe(true);
    expect(new TextDecoder().decode(muxer.playlist!.body)).toContain("#EXTINF:2.000,");
    manager.close();
  });

  test("a stream that never produces a segment gives up after the bounded wait", async () => {
    const { registry, manager } = setup({});
    registry.create("silent");
    const started = performance.now();
    expect(await manager.muxer("silent")!.waitForPlaylist(200)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    manager.close();
  });

  test("an idle muxer closes after closeAfter and lets go of its reader", async () => {
    const { registry, manager } = setup({ closeAfter: 1 });
    const s = registry.create("cam");
    const muxer = manager.muxer("cam")!;
    await sleep(2300);
    expect(muxer.closed).toBe(true);
    expect(s.readers.size).toBe(0);
    expect(manager.peek("cam")).toBeUndefined();
    manager.close();
  });

  test("alwaysRemux starts a muxer with the stream and keeps it", async () => {
    const { registry, manager } = setup({ closeAfter: 1, alwaysRemux: true });
    const s = registry.create("cam");
    expect(s.readers.size).toBe(1);
    await sleep(1300);
    expect(manager.peek("cam")!.closed).toBe(false);
    registry.remove("cam");
    expect(manager.peek("cam")).toBeUndefined();
    manager.close();
  });

  test("the window holds segmentCount segments and the media sequence advances", async () => {
    const { registry, manager } = setup({ segmentCount: 3 });
    const s = registry.create("cam");
    const muxer = manager.muxer("cam")!;
    // 12 s of media, one GOP per event-loop turn: 5 complete 2 s segments.
    const units = gops(12);
    for (let i = 0; i < units.length; i++) {
      s.push(units[i]);
      if (i % 25 === 24) await sleep(1);
    }
    await sleep(10);
    expect(muxer.segments.length).toBe(3);
    const text = new TextDecoder().decode(muxer.playlist!.body);
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:2");
    // The two removed ones are still fetchable for a while (RFC 8216 6.2.2).
    expect(muxer.segment(muxer.segments[0].name.replace(/_\d+/, "_0"))).toBeDefined();
    manager.close();
  });
});

test("a muxer whose first playlist request is still waiting is not idle", async () => {
  const registry = new StreamRegistry({ maxDuration: 10, maxBytes: 64 << 20, slowReader: "skip" });
  const manager = new HlsManager(registry, HlsSchema.parse({ closeAfter: 1 }), new ChunkPool(188 * 64, 16));
  const s = registry.create("slow-camera");
  const muxer = manager.muxer("slow-camera")!;
  const waiting = muxer.waitForPlaylist(3000);
  setTimeout(() => {
    for (const au of gops(3)) s.push(au);
  }, 2200);
  expect(await waiting).toBe(true);
  expect(muxer.closed).toBe(false);
  manager.close();
});

test("a path's own variant wins over the default, and a changed one restarts its muxer", async () => {
  const registry = new StreamRegistry({ maxDuration: 10, maxBytes: 64 << 20, slowReader: "skip" });
  const manager = new HlsManager(registry, HlsSchema.parse({ variant: "mpegts" }), new ChunkPool(188 * 64, 16));
  registry.create("cam");
  registry.create("other");
  const variants = new Map<string, "fmp4" | "lowLatency">([["cam", "fmp4"]]);
  manager.setVariantResolver((path) => variants.get(path));
  const first = manager.muxer("cam")!;
  expect(first.variant).toBe("fmp4");
  expect(manager.muxer("other")!.variant).toBe("mpegts");
  expect(manager.muxer("cam")).toBe(first);
  variants.set("cam", "lowLatency");
  const second = manager.muxer("cam")!;
  expect(second).not.toBe(first);
  expect(first.closed).toBe(true);
  expect(second.variant).toBe("lowLatency");
  expect(registry.get("cam")!.readers.size).toBe(1);
  manager.close();
});
