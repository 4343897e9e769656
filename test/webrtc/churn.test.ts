import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import type { WhepSessionInfo } from "../../src/webrtc/whep-session-info.ts";
import { DEMO_ASSET } from "../helpers/clips.ts";
import { run, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { streamInfo } from "../helpers/stream-api.ts";
import { whepClient } from "../helpers/whep-client.ts";

/** 200 sessions opened and closed: afterwards nothing the sessions held may be left. */
const SESSIONS = 200;
const PARALLEL = 10;
const ROOT = resolve(import.meta.dir, "../..");
// Deno phones home for updates on every run unless told not to; the child inherits this.
process.env.DENO_NO_UPDATE_CHECK = "1";

/** UDP sockets the process holds: its socket fds whose inode is in the UDP tables (HTTP keep-alive TCP sockets are not counted). */
function udpSockets(pid: number): number {
  const udp = new Set<string>();
  for (const table of ["udp", "udp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode) udp.add(inode);
    }
  }
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && udp.has(m[1]!)) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

describe(`${SESSIONS} WHEP sessions opened and closed`, () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess("bun", { webrtc: { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] } });
  });
  afterAll(() => server?.stop());

  test("over HTTP (werift viewers): sessions, the stream's readers, the metric and the server's UDP sockets are back where they were", async () => {
    const endpoint = `${server.url}/demo/whep`;
    const baseline = udpSockets(server.pid);
    let next = 0;
    let withMedia = 0;
    let peakSessions = 0;
    let peakUdp = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < SESSIONS) {
          next++;
          const c = await whepClient(endpoint);
          expect(c.status).toBe(201);
          await c.connected(10_000);
          const end = Date.now() + 5000;
          while (c.received.video.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
          if (c.received.video.length > 0) withMedia++;
          peakUdp = Math.max(peakUdp, udpSockets(server.pid));
          peakSessions = Math.max(peakSessions, ((await (await fetch(`${server.url}/v1/webrtc/sessions`)).json()) as { sessions: unknown[] }).sessions.length);
          expect((await fetch(c.location!, { method: "DELETE" })).status).toBe(200);
          await c.close();
        }
      }),
    );
    expect(withMedia).toBe(SESSIONS);
    expect(peakSessions).toBeGreaterThan(1);
    // The count sees the sessions' sockets while they live (one per session here: 127.0.0.1 only).
    expect(peakUdp).toBeGreaterThan(baseline);
    await new Promise((r) => setTimeout(r, 1000));
    const { sessions } = (await (await fetch(`${server.url}/v1/webrtc/sessions`)).json()) as { sessions: WhepSessionInfo[] };
    expect(sessions).toEqual([]);
    expect((await streamInfo(server.url, "demo"))!.readers).toEqual([]);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain("mediaserver_webrtc_sessions 0");
    expect(udpSockets(server.pid)).toBe(baseline);
  }, 120_000);

  // In one process, server and viewers together, so timers can be counted too: Deno's
  // process.getActiveResourcesInfo() lists them (Bun's lists nothing, so there only fds count).
  for (const runtime of ["deno", "bun"] as const) {
    test(`in one process on ${runtime}: timers, file descriptors and readers back where they were`, async () => {
      const script = join(ROOT, "test/webrtc/churn-process.ts");
      const args = runtime === "deno" ? ["run", "--allow-all", script] : [script];
      const r = await run(join(ROOT, "node_modules/.bin", runtime), [...args, DEMO_ASSET, String(SESSIONS), String(PARALLEL)], 100_000);
      // The exit code with the end of stderr, so a crash says why.
      expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: "" });
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        withMedia: number;
        before: { timers: number | null; fds: number; readers: number };
        after: { timers: number | null; fds: number; readers: number; sessions: number };
      };
      expect(out.withMedia).toBe(SESSIONS);
      expect(out.after).toEqual({ ...out.before, sessions: 0 });
      if (runtime === "deno") expect(out.before.timers).toBeNumber();
    }, 120_000);
  }
});
