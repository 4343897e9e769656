import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Authorizer, type AuthRequest } from "../../src/auth/authorizer.ts";
import { AuthHook } from "../../src/auth/hook.ts";
import { hashPassword } from "../../src/auth/password.ts";
import { AuthSchema } from "../../src/config/auth-schema.ts";

const LAN = "192.168.1.20";
const req = (r: Partial<AuthRequest> & Pick<AuthRequest, "action">): AuthRequest => ({ path: "", protocol: "hls", ip: LAN, ...r });
const pathCreds = (action: "read" | "publish", path: string) => (path === "locked" && action === "read" ? { user: "nvr", password: "pw" } : undefined);

describe("Authorizer", () => {
  test("defaults: read, publish and metrics open; the API from localhost only", async () => {
    const a = new Authorizer(AuthSchema.parse({}), () => undefined, undefined, undefined);
    expect(await a.check(req({ action: "read", path: "demo" }))).toMatchObject({ ok: true, who: "anonymous" });
    expect(await a.check(req({ action: "publish", path: "x" }))).toMatchObject({ ok: true });
    expect(await a.check(req({ action: "metrics" }))).toMatchObject({ ok: true });
    expect(await a.check(req({ action: "api" }))).toMatchObject({ ok: false, status: 401 });
    expect(await a.check(req({ action: "api", ip: "127.0.0.1" }))).toMatchObject({ ok: true });
    expect(await a.check(req({ action: "api", ip: "::1" }))).toMatchObject({ ok: true });
    expect(a.describeDefaults()).toContain("API localhost only");
  });

  test("users with plain and hashed passwords, grants by path pattern, IP limits; 401 versus 403", async () => {
    const config = AuthSchema.parse({
      anonymous: [],
      users: [
        { user: "alice", password: "a-pw", permissions: [{ action: "read", path: "cams/*" }, { action: "api" }] },
        { user: "enc", passwordHash: await hashPassword("e-pw"), permissions: [{ action: "publish", path: "~^live/[a-z]+$" }], ips: ["10.0.0.0/8"] },
      ],
    });
    const a = new Authorizer(config, pathCreds, undefined, undefined);
    const alice = { user: "alice", password: "a-pw" };
    expect(await a.check(req({ action: "read", path: "cams/door", basic: alice }))).toEqual({ ok: true, who: "alice" });
    expect(await a.check(req({ action: "read", path: "cams", basic: alice }))).toMatchObject({ ok: true });
    expect(await a.check(req({ action: "read", path: "camsx/door", basic: alice }))).toMatchObject({ ok: false, status: 403 });
    expect(await a.check(req({ action: "api", basic: alice }))).toMatchObject({ ok: true });
    expect(await a.check(req({ action: "read", path: "cams/door", basic: { user: "alice", password: "nope" } }))).toMatchObject({ ok: false, status: 401 });
    expect(await a.check(req({ action: "read", path: "cams/door" }))).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining("needs credentials") });
    const enc = { user: "enc", password: "e-pw" };
    expect(await a.check(req({ action: "publish", path: "live/a", basic: enc, ip: "10.1.1.1" }))).toMatchObject({ ok: true });
    expect(await a.check(req({ action: "publish", path: "live/a", basic: enc }))).toMatchObject({ ok: false, status: 401 });
    expect(await a.check(req({ action: "publish", path: "live/A1", basic: enc, ip: "10.1.1.1" }))).toMatchObject({ ok: false, status: 403 });
  });

  test("a path's own credentials are required even when anonymous reading is open, and are enough", async () => {
    const a = new Authorizer(AuthSchema.parse({}), pathCreds, undefined, undefined);
    expect(await a.check(req({ action: "read", path: "locked" }))).toMatchObject({ ok: false, status: 401 });
    expect(await a.check(req({ action: "read", path: "locked", basic: { user: "nvr", password: "pw" } }))).toMatchObject({ ok: true, who: "nvr" });
    expect(await a.check(req({ action: "read", path: "open" }))).toMatchObject({ ok: true });
    expect(a.digestPassword("nvr", "read", "locked")).toBe("pw");
    expect(a.digestPassword("nvr", "read", "open")).toBeUndefined();
  });

  test("static tokens and JWTs", async () => {
    const secret = "jwt-secret-0123456789";
    const a = new Authorizer(
      AuthSchema.parse({ anonymous: [], tokens: [{ token: "0123456789abcdef-nvr", permissions: [{ action: "read" }] }], jwt: { secret } }),
      () => undefined,
      undefined,
      undefined,
    );
    expect(await a.check(req({ action: "read", path: "x", token: "0123456789abcdef-nvr" }))).toMatchObject({ ok: true, who: "token" });
    expect(await a.check(req({ action: "publish", path: "x", token: "0123456789abcdef-nvr" }))).toMatchObject({ ok: false, status: 403 });
    expect(await a.check(req({ action: "read", path: "x", token: "0123456789abcdef-bad" }))).toMatchObject({ ok: false, status: 401 });
    const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const data = `${enc({ alg: "HS256" })}.${enc({ sub: "viewer", permissions: [{ action: "read", path: "cams/*" }] })}`;
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const jwt = `${data}.${Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data))).toString("base64url")}`;
    expect(await a.check(req({ action: "read", path: "cams/1", token: jwt }))).toEqual({ ok: true, who: "viewer" });
    expect(await a.check(req({ action: "read", path: "other", token: jwt }))).toMatchObject({ ok: false, status: 403 });
  });

  describe("the operator's hook", () => {
    let server: Server;
    let url: string;
    const seen: Record<string, unknown>[] = [];
    beforeAll(async () => {
      server = createServer((rq, rs) => {
        let body = "";
        rq.on("data", (c) => (body += c));
        rq.on("end", () => {
          const q = JSON.parse(body) as Record<string, unknown>;
          seen.push(q);
          rs.statusCode = q.user === "hooked" && q.password === "ok" ? 204 : 403;
          rs.end();
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`;
    });
    afterAll(() => server.close());

    test("allows on 2xx, denies otherwise, answers remembered; a dead hook denies", async () => {
      const a = new Authorizer(AuthSchema.parse({ anonymous: [] }), () => undefined, undefined, new AuthHook(url, 2000, 10));
      const ok = req({ action: "read", path: "p", protocol: "rtsp", basic: { user: "hooked", password: "ok" } });
      expect(await a.check(ok)).toMatchObject({ ok: true, who: "hooked" });
      expect(await a.check(ok)).toMatchObject({ ok: true });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ action: "read", path: "p", protocol: "rtsp", ip: LAN, user: "hooked" });
      expect(await a.check(req({ action: "read", path: "p", basic: { user: "hooked", password: "no" } }))).toMatchObject({ ok: false, status: 401 });
      const dead = new Authorizer(AuthSchema.parse({ anonymous: [] }), () => undefined, undefined, new AuthHook("http://127.0.0.1:9/x", 500, 10));
      expect(await dead.check(ok)).toMatchObject({ ok: false, status: 401 });
    });
  });

  test("config: bad grants, hashes and ranges are refused with reasons", () => {
    const bad = AuthSchema.safeParse({
      users: [{ user: "x", password: "p", passwordHash: "scrypt$16384$8$1$AA==$AA==", permissions: [{ action: "fly" }] }, { user: "y", passwordHash: "md5:abc" }],
      tokens: [{ token: "short" }],
      anonymous: [{ action: "read", path: "~(", ips: ["10.0.0.0/40"] }],
      jwt: {},
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
    for (const m of ["users.0", "permissions.0.action", "users.1.passwordHash", "tokens.0.token", "anonymous.0.path", "anonymous.0.ips", "jwt"]) expect(messages).toContain(m);
  });
});
