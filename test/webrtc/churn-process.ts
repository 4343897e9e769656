/**
 * 200 WHEP sessions opened and closed inside one process, server side
 * (WhepManager on a demo stream) and viewer side (werift) together, then
 * what is still held: timers (Deno's process.getActiveResourcesInfo; Bun
 * reports none), open file descriptors (sockets are fds; Linux /proc), and
 * the stream's readers. Prints one JSON line. Usage: <clip.ts> [sessions] [parallel]
 */
import { readdirSync, readFileSync } from "node:fs";
import { parseConfig } from "../../src/config/load.ts";
import { StreamRegistry } from "../../src/core/registry.ts";
import { DemoSource } from "../../src/ingest/demo/demo-source.ts";
import { loadLoopClip } from "../../src/ingest/demo/loop-clip.ts";
import { WhepManager } from "../../src/webrtc/whep-manager.ts";
import { whepClient } from "../helpers/whep-client.ts";

const [clipPath, total = "200", parallel = "10"] = process.argv.slice(2);
if (!clipPath) throw new Error("usage: churn-process.ts <clip.ts> [sessions] [parallel]");
const config = parseConfig({ webrtc: { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] } });
const registry = new StreamRegistry(config.ring);
const stream = registry.create("demo");
const demo = new DemoSource(loadLoopClip(new Uint8Array(readFileSync(clipPath))), stream);
demo.start();
const whep = new WhepManager(registry, config.webrtc);

const timers = () => {
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.();
  return info === undefined || (info.length === 0 && typeof (globalThis as { Bun?: unknown }).Bun !== "undefined") ? null : info.filter((r) => r === "Timeout").length;
};
const fds = () => readdirSync("/proc/self/fd").length;
const settle = () => new Promise((r) => setTimeout(r, 1500));

/** Fetch-free WHEP: the client's offer goes straight to the manager; its answer straight back. */
async function oneSession(i: number): Promise<number> {
  let answer: string | undefined;
  const fakeFetch = async (_url: string, init: { body: string }) => {
    const r = await whep.create("demo", init.body);
    if (!r.ok) throw new Error(`session ${i}: ${r.status} ${r.error}`);
    answer = r.answer;
    return new Response(answer, { status: 201, headers: { Location: `/demo/whep/sessions/${r.session.id}` } });
  };
  const original = globalThis.fetch;
  globalThis.fetch = fakeFetch as unknown as typeof fetch;
  let client;
  try {
    client = await whepClient("http://in-process/demo/whep");
  } finally {
    globalThis.fetch = original;
  }
  await client.connected(10_000);
  const end = Date.now() + 5000;
  while (client.received.video.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const got = client.received.video.length;
  const id = client.location!.split("/").pop()!;
  // Half end from the server side (as DELETE does), half from the viewer side first.
  if (i % 2 === 0) await whep.get(id)!.close("test: server side");
  else {
    await client.close();
    await whep.get(id)!.close("test: after the viewer");
  }
  await client.close();
  return got;
}

await settle();
const before = { timers: timers(), fds: fds(), readers: stream.readers.size };
let withMedia = 0;
const n = Number(total);
let next = 0;
await Promise.all(
  Array.from({ length: Number(parallel) }, async () => {
    while (next < n) {
      const i = next++;
      if ((await oneSession(i)) > 0) withMedia++;
    }
  }),
);
await settle();
const after = { timers: timers(), fds: fds(), readers: stream.readers.size, sessions: whep.count };
demo.stop();
console.log(JSON.stringify({ sessions: n, withMedia, before, after }));
process.exit(0);
