import { expect, test } from "bun:test";
import { MAX_QUEUED_DATAGRAMS, serializeSends } from "../../src/webrtc/socket-guard.ts";

/** A socket whose sends complete out of order (as Deno's node:dgram does under a burst). */
function reorderingSocket() {
  const wire: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const socket: { send?: (...args: unknown[]) => void } = {};
  const rawSend = (...args: unknown[]) => {
    const done = args[args.length - 1] as (e: Error | null) => void;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Completion after a random delay: concurrent sends would reach the wire shuffled.
    setTimeout(() => {
      wire.push(args[0] as number);
      inFlight--;
      done(null);
    }, Math.random() * 2);
  };
  socket.send = rawSend;
  return { socket, rawSend, wire, maxInFlight: () => maxInFlight };
}

test("serialized sends go out one at a time, in call order, and callers' callbacks run", async () => {
  const s = reorderingSocket();
  let drops = 0;
  serializeSends(s.socket, s.rawSend, () => drops++);
  const callbacks: number[] = [];
  for (let i = 0; i < 200; i++) s.socket.send!(i, 5000, "127.0.0.1", () => callbacks.push(i));
  while (s.wire.length < 200) await new Promise((r) => setTimeout(r, 5));
  expect(s.wire).toEqual(Array.from({ length: 200 }, (_, i) => i));
  expect(callbacks).toEqual(s.wire);
  expect(s.maxInFlight()).toBe(1);
  expect(drops).toBe(0);
});

test("past the bound the newest datagrams are dropped and counted, never queued", async () => {
  const s = reorderingSocket();
  let drops = 0;
  serializeSends(s.socket, s.rawSend, () => drops++);
  const burst = MAX_QUEUED_DATAGRAMS + 500;
  for (let i = 0; i < burst; i++) s.socket.send!(i, 5000, "127.0.0.1");
  // One went straight out, MAX_QUEUED_DATAGRAMS wait, the rest were dropped.
  expect(drops).toBe(burst - MAX_QUEUED_DATAGRAMS - 1);
  while (s.wire.length < MAX_QUEUED_DATAGRAMS + 1) await new Promise((r) => setTimeout(r, 10));
  expect(s.wire).toEqual(Array.from({ length: MAX_QUEUED_DATAGRAMS + 1 }, (_, i) => i));
}, 30_000);
