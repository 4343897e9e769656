import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { sendDemo } from "../helpers/ffmpeg-sender.ts";
import { FFMPEG } from "../helpers/peers.ts";
import { freeUdpPort } from "../helpers/ports.ts";
import { run, type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";

const json = (method: string, body?: unknown) => ({ method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

for (const runtime of ["bun", "deno"] as RuntimeName[]) {
  describe(`paths through the API, applied live and written back (${runtime})`, () => {
    let server: ServerProcess;

    beforeAll(async () => {
      server = await startServerProcess(runtime, { demo: { enabled: false }, paths: { keep: { source: "publisher", publishUser: "u", publishPassword: "hidden-pw" } } });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });

    test("add a UDP path, receive on it, change it, delete it; the file follows", async () => {
      const port = await freeUdpPort();
      const added = await fetch(`${server.url}/v1/paths/field/tv`, json("POST", { source: `udp://127.0.0.1:${port}`, timeout: 5 }));
      expect(added.status).toBe(201);
      expect(await added.json()).toMatchObject({ name: "field/tv", persisted: true, config: { timeout: 5 } });
      expect(JSON.parse(readFileSync(server.configPath, "utf8")).paths["field/tv"]).toEqual({ source: `udp://127.0.0.1:${port}`, timeout: 5 });

      const sender = sendDemo(`udp://127.0.0.1:${port}?pkt_size=1316`, [], 30);
      try {
        const info = await waitForStream(server.url, "field/tv", (s) => s.source?.state === "running" && s.tracks.length === 2, 15_000);
        expect(info?.source?.state).toBe("running");
        const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", `${server.url}/field/tv/index.m3u8`, "-t", "3", "-f", "null", "-"], 40_000);
        expect(r.stderr).toBe("");

        const patched = await fetch(`${server.url}/v1/paths/field/tv`, json("PATCH", { timeout: 7 }));
        expect(patched.status).toBe(200);
        const after = await waitForStream(server.url, "field/tv", (s) => s.source?.state === "running", 15_000);
        expect(after?.source?.state).toBe("running");
        expect(((await (await fetch(`${server.url}/v1/paths/field/tv`)).json()) as { config: { timeout: number } }).config.timeout).toBe(7);
      } finally {
        await sender.stop();
      }
      const deleted = await fetch(`${server.url}/v1/paths/field/tv`, { method: "DELETE" });
      expect(deleted.status).toBe(200);
      expect(await waitForStream(server.url, "field/tv", () => false, 1000)).toBeUndefined();
      expect(JSON.parse(readFileSync(server.configPath, "utf8")).paths["field/tv"]).toBeUndefined();
    }, 60_000);

    test("server info, the OpenAPI document and readiness", async () => {
      const info = (await (await fetch(`${server.url}/v1/info`)).json()) as { version: string; runtime: string };
      expect(info).toMatchObject({ name: "mediaserver", runtime });
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
      const doc = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe("3.1.0");
      expect(Object.keys(doc.paths)).toContain("/v1/paths/{name}");
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    }, 30_000);

    test("passwords never appear in API output", async () => {
      const all = await (await fetch(`${server.url}/v1/paths`)).text();
      expect(all).toContain('"keep"');
      expect(all).not.toContain("hidden-pw");
      await fetch(`${server.url}/v1/paths/cam`, json("POST", { source: "rtsp://admin:cam-secret@127.0.0.1:1/x", onDemand: true }));
      const one = await (await fetch(`${server.url}/v1/paths/cam`)).text();
      expect(one).not.toContain("cam-secret");
      expect((await fetch(`${server.url}/v1/paths/cam`, { method: "DELETE" })).status).toBe(200);
    }, 30_000);

    test("random bodies get a 4xx with a reason, never a 500, and leave the file alone", async () => {
      const before = readFileSync(server.configPath, "utf8");
      const bodies = ["", "null", "[]", '"x"', "{", '{"source": 5}', '{"bogus": true}', '{"source":"publisher","timeout":-1}', '{"__proto__": {"source":"publisher"}}', "x".repeat(70_000)];
      for (const [i, body] of bodies.entries()) {
        for (const method of ["POST", "PATCH"]) {
          const res = await fetch(`${server.url}/v1/paths/${i % 2 ? "keep" : "fresh"}`, { method, body, headers: { "Content-Type": "application/json" } });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
        }
      }
      expect((await fetch(`${server.url}/v1/paths/nothing-here`, { method: "DELETE" })).status).toBe(404);
      expect(readFileSync(server.configPath, "utf8")).toBe(before);
    }, 30_000);
  });
}
