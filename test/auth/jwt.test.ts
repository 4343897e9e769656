import { describe, expect, test } from "bun:test";
import { verifyJwt } from "../../src/auth/jwt.ts";

const enc = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const SECRET = "a-shared-secret-of-some-length";
const opts = { claim: "permissions" };
const noKeys = { secret: SECRET, jwk: async () => undefined };

async function hs256(claims: object, secret = SECRET, header: object = { alg: "HS256", typ: "JWT" }): Promise<string> {
  const data = `${enc(header)}.${enc(claims)}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${data}.${Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data))).toString("base64url")}`;
}

async function asymmetric(alg: "RS256" | "ES256", claims: object) {
  const params =
    alg === "RS256"
      ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
      : { name: "ECDSA", namedCurve: "P-256" };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = { ...(await crypto.subtle.exportKey("jwk", pair.publicKey)), kid: "k1" };
  const data = `${enc({ alg, kid: "k1" })}.${enc(claims)}`;
  const sig = await crypto.subtle.sign(alg === "RS256" ? "RSASSA-PKCS1-v1_5" : { name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(data));
  return { token: `${data}.${Buffer.from(sig).toString("base64url")}`, keys: { jwk: async (kid: string | undefined) => (kid === "k1" ? jwk : undefined) } };
}

describe("JWT", () => {
  const grants = [{ action: "read", path: "cams/*" }, { action: "bogus" }, "x"];

  test("HS256: grants from the claim, malformed grants dropped", async () => {
    const r = await verifyJwt(await hs256({ sub: "nvr", exp: Date.now() / 1000 + 60, permissions: grants }), noKeys, opts);
    expect(r).toEqual({ ok: true, subject: "nvr", grants: [{ action: "read", path: "cams/*" }] });
  });

  for (const alg of ["RS256", "ES256"] as const) {
    test(`${alg} with a key from a JWKS`, async () => {
      const { token, keys } = await asymmetric(alg, { permissions: grants });
      expect(await verifyJwt(token, keys, opts)).toMatchObject({ ok: true, grants: [{ action: "read" }] });
      const tampered = token.replace(/\.([^.]+)\./, (_m, p: string) => `.${enc({ permissions: [{ action: "api" }] })}.`);
      expect(await verifyJwt(tampered, keys, opts)).toEqual({ ok: false, reason: "bad signature" });
    });
  }

  test("refusals name the reason", async () => {
    const now = Date.now() / 1000;
    const cases: [Promise<string> | string, string][] = [
      [hs256({ exp: now - 3600 }), "expired"],
      [hs256({ nbf: now + 3600 }), "not valid yet"],
      [hs256({}, "another-secret-of-some-length"), "bad signature"],
      [`${enc({ alg: "none" })}.${enc({})}.`, 'algorithm "none" not accepted'],
      [hs256({ iss: "them" }), "wrong issuer"],
      ["a.b", "not a JWT"],
      ["!!.??.**", "not base64url"],
    ];
    for (const [token, reason] of cases) {
      const r = await verifyJwt(await token, noKeys, { ...opts, ...(reason === "wrong issuer" ? { issuer: "us" } : {}) });
      expect(r).toEqual({ ok: false, reason });
    }
    expect(await verifyJwt(await hs256({ aud: ["a", "b"] }), noKeys, { ...opts, audience: "b" })).toMatchObject({ ok: true });
    expect(await verifyJwt(await hs256({ aud: "a" }), noKeys, { ...opts, audience: "b" })).toEqual({ ok: false, reason: "wrong audience" });
    expect(await verifyJwt(await hs256({}), { jwk: async () => undefined }, opts)).toMatchObject({ ok: false, reason: expect.stringContaining("no auth.jwt.secret") });
  });
});
