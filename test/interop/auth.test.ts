import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hashPassword } from "../../src/auth/password.ts";
import { FFMPEG } from "../helpers/peers.ts";
import { run, type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

const SECRET = "jwt-secret-for-the-test-0123";
const basic = (user: string, password: string) => ({ Authorization: `Basic ${btoa(`${user}:${password}`)}` });

async function jwt(claims: object): Promise<string> {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const data = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(claims)}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${data}.${Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data))).toString("base64url")}`;
}

for (const runtime of ["bun", "deno"] as RuntimeName[]) {
  describe(`one credential model for HLS, RTSP, the API and metrics (${runtime})`, () => {
    let server: ServerProcess;
    let hook: Server;
    const asked: { user?: string; action: string }[] = [];

    beforeAll(async () => {
      hook = createServer((rq, rs) => {
        let body = "";
        rq.on("data", (c) => (body += c));
        rq.on("end", () => {
          const q = JSON.parse(body) as { user?: string; password?: string; action: string };
          asked.push(q);
          rs.statusCode = q.user === "ext" && q.password === "ext-pw" && q.action === "read" ? 200 : 401;
          rs.end();
        });
      });
      await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
      server = await startServerProcess(runtime, {
        auth: {
          anonymous: [{ action: "api", ips: ["127.0.0.0/8", "::1"] }],
          users: [
            { user: "alice", password: "a-pw", permissions: [{ action: "read", path: "demo" }] },
            { user: "bob", passwordHash: await hashPassword("b-pw"), permissions: [{ action: "read", path: "cams/*" }] },
          ],
          tokens: [{ token: "metrics-token-0123456789", permissions: [{ action: "metrics" }] }],
          jwt: { secret: SECRET },
          hook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/auth`, cacheSeconds: 30 },
        },
      });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      hook?.close();
    });

    test("HLS: Basic (plain and hashed passwords), Bearer JWT, 401 without, 403 for a user without the grant", async () => {
      const playlist = `${server.url}/demo/index.m3u8`;
      expect((await fetch(playlist)).status).toBe(401);
      expect((await fetch(playlist)).headers.get("WWW-Authenticate")).toStartWith("Basic");
      expect((await fetch(playlist, { headers: basic("alice", "a-pw") })).status).toBe(200);
      expect((await fetch(playlist, { headers: basic("alice", "wrong") })).status).toBe(401);
      expect((await fetch(playlist, { headers: basic("bob", "b-pw") })).status).toBe(403);
      const token = await jwt({ sub: "viewer", exp: Date.now() / 1000 + 600, permissions: [{ action: "read", path: "demo" }] });
      expect((await fetch(playlist, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    }, 30_000);

    test("a token in the query reaches every segment URI, and ffmpeg plays with it alone", async () => {
      const token = await jwt({ permissions: [{ action: "read", path: "demo" }] });
      const res = await fetch(`${server.url}/demo/index.m3u8?token=${token}`);
      expect(res.status).toBe(200);
      const uris = (await res.text()).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
      expect(uris.length).toBeGreaterThan(0);
      for (const u of uris) expect(u).toContain(`token=${token}`);
      expect((await fetch(`${server.url}/demo/${uris[0]!.split("?")[0]}`)).status).toBe(401);
      const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", `${server.url}/demo/index.m3u8?token=${token}`, "-t", "2", "-f", "null", "-"], 40_000);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }, 45_000);

    test("RTSP: Digest with a configured user; wrong password and missing grant refused", async () => {
      const url = new URL(server.rtspUrl!);
      const read = (creds: string) =>
        run(FFMPEG, ["-hide_banner", "-v", "error", "-rtsp_transport", "tcp", "-i", `rtsp://${creds}@${url.host}/demo`, "-t", "2", "-f", "null", "-"], 30_000);
      const ok = await read("alice:a-pw");
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
      expect((await read("alice:nope")).stderr).toContain("401");
      expect((await read("bob:b-pw")).code).not.toBe(0);
    }, 60_000);

    test("the operator's hook decides for users it knows", async () => {
      expect((await fetch(`${server.url}/demo/index.m3u8`, { headers: basic("ext", "ext-pw") })).status).toBe(200);
      expect((await fetch(`${server.url}/demo/index.m3u8`, { headers: basic("ext", "bad") })).status).toBe(401);
      expect(asked.some((q) => q.user === "ext" && q.action === "read")).toBe(true);
    }, 30_000);

    test("metrics need their grant; the API stays open on localhost", async () => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: "Bearer metrics-token-0123456789" } })).status).toBe(200);
      expect((await fetch(`${server.url}/v1/streams`)).status).toBe(200);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
      // No password reaches the API output or the log.
      expect(await (await fetch(`${server.url}/v1/paths`)).text()).not.toContain("a-pw");
      expect(server.log()).not.toContain("a-pw");
      expect(server.log()).toContain("auth: without credentials: read nobody");
    }, 30_000);
  });
}
