import { afterEach, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { MAX_LOW_WATER, ReadCoalescing, TICK_MS } from "../../../src/ingest/rtsp/read-coalescing.ts";
import { connectTcpBun } from "../../../src/runtime/tcp-bun.ts";

const made: ReadCoalescing[] = [];
afterEach(() => {
  for (const c of made.splice(0)) c.stop();
});

/** A coalescing whose marks are recorded; `ok` says whether the socket takes them. */
function recorded(budgetMs: number, ok = () => true) {
  const marks: number[] = [];
  const c = new ReadCoalescing((bytes) => {
    if (!ok()) return false;
    marks.push(bytes);
    return true;
  }, budgetMs);
  made.push(c);
  return { c, marks };
}

/** `bytes` per second in reads of `size`, for one tick. */
function feed(c: ReadCoalescing, perSecond: number, size = 1400): void {
  const perTick = (perSecond * TICK_MS) / 1000;
  for (let n = 0; n < perTick; n += size) c.onRead(Math.min(size, perTick - n));
  c.tick();
}

test("the mark follows the byte rate times the budget, and small wobbles do not move it", () => {
  const { c, marks } = recorded(10);
  feed(c, 135_000);
  expect(c.lowWater).toBe(1350);
  for (const rate of [140_000, 130_000, 138_000]) feed(c, rate);
  expect(marks).toEqual([1350]); // within a quarter: no setsockopt
  for (let i = 0; i < 20; i++) feed(c, 540_000);
  expect(c.lowWater).toBeGreaterThan(4500);
  expect(c.lowWater).toBeLessThanOrEqual(5400);
});

test("reads stopping for longer than twice the budget, or an awaited answer, drop the mark to one byte at once", () => {
  const { c, marks } = recorded(10);
  feed(c, 400_000);
  expect(c.lowWater).toBe(4000);
  c.tick(); // nothing read for 100 ms, past twice the 10 ms budget: the camera paused, or a frame's tail sits below the mark
  expect(c.lowWater).toBe(1);
  feed(c, 400_000);
  expect(c.lowWater).toBeGreaterThan(1);
  c.hold(true);
  expect(c.lowWater).toBe(1);
  feed(c, 400_000);
  expect(c.lowWater).toBe(1); // held for as long as the answer is awaited
  c.hold(false);
  feed(c, 400_000);
  expect(c.lowWater).toBeGreaterThan(1);
  expect(marks.filter((m) => m === 1).length).toBe(2);
});

test("with a budget near the tick, quiet ticks are a stall only past twice the budget", () => {
  const { c } = recorded(100);
  feed(c, 40_000);
  expect(c.lowWater).toBe(4000);
  c.tick(); // reads come about every 100 ms: a tick may see none
  expect(c.lowWater).toBeGreaterThan(1);
  c.tick();
  expect(c.lowWater).toBeGreaterThan(1);
  c.tick(); // 300 ms without a read
  expect(c.lowWater).toBe(1);
});

test("the mark is capped, and a socket that cannot take one is left alone for good", () => {
  const { c } = recorded(100);
  feed(c, 100_000_000);
  expect(c.lowWater).toBe(MAX_LOW_WATER);
  let ok = true;
  const r = recorded(10, () => ok);
  ok = false;
  feed(r.c, 400_000);
  feed(r.c, 800_000);
  expect(r.c.lowWater).toBe(1);
  expect(r.marks).toEqual([]);
});

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

test("on a real connection, a camera's small packets arrive several to a read", async () => {
  // 200-byte packets every 5 ms (40 kB/s); with a 100 ms budget the kernel should gather ~4 kB per wake-up.
  let peer: Socket | undefined;
  server = createServer((s) => (peer = s));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const reads: number[] = [];
  let c: ReadCoalescing | undefined;
  const conn = await connectTcpBun("127.0.0.1", port, 5000, {
    onData: (b) => {
      reads.push(b.length);
      c?.onRead(b.length);
    },
    onClose: () => {},
  });
  c = new ReadCoalescing((bytes) => conn.setReceiveLowWater(bytes), 100);
  made.push(c);
  while (!peer) await new Promise((r) => setTimeout(r, 5));
  const sender = setInterval(() => peer!.write(new Uint8Array(200)), 5);
  await new Promise((r) => setTimeout(r, 500)); // a few ticks to measure the rate
  reads.length = 0;
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(sender);
  const bytes = reads.reduce((a, b) => a + b, 0);
  expect(bytes).toBeGreaterThan(10_000);
  // Without the mark nearly every 200-byte write is a read of its own.
  expect(bytes / reads.length).toBeGreaterThan(1000);
  conn.close();
});
