import { describe, expect, test } from "bun:test";
import { Waiters } from "../../src/hls/waiters.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("held requests", () => {
  test("answered in the turn the condition becomes true, not before", async () => {
    const w = new Waiters(10);
    let parts = 3;
    const held = w.wait(() => parts >= 5, 5000)!;
    let answered: boolean | undefined;
    void held.then((ok) => (answered = ok));
    parts = 4;
    w.notify();
    await sleep(0);
    expect(answered).toBeUndefined();
    parts = 5;
    w.notify();
    await sleep(0);
    expect(answered).toBe(true);
    expect(w.size).toBe(0);
  });

  test("true at once when already ready, even when full", async () => {
    const w = new Waiters(1);
    void w.wait(() => false, 5000);
    expect(await w.wait(() => true, 5000)!).toBe(true);
    w.close();
  });

  test("bounded in number: over the bound, refused at once", () => {
    const w = new Waiters(3);
    for (let i = 0; i < 3; i++) expect(w.wait(() => false, 5000)).toBeDefined();
    expect(w.wait(() => false, 5000)).toBeUndefined();
    expect(w.size).toBe(3);
    w.close();
    expect(w.size).toBe(0);
  });

  test("bounded in time: false after the timeout, and the slot is free again", async () => {
    const w = new Waiters(1);
    const started = performance.now();
    expect(await w.wait(() => false, 80)!).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    expect(w.size).toBe(0);
    expect(w.wait(() => false, 10)).toBeDefined();
  });

  test("closing answers everyone false and refuses newcomers", async () => {
    const w = new Waiters(10);
    const a = w.wait(() => false, 5000)!;
    const b = w.wait(() => false, 5000)!;
    w.close();
    expect(await Promise.all([a, b])).toEqual([false, false]);
    expect(await w.wait(() => false, 5000)!).toBe(false);
  });
});
