import type { Permission } from "./permissions.ts";

/** Clock skew allowed on exp and nbf (RFC 7519 4.1.4 allows "some small leeway"). */
const LEEWAY_S = 60;
const MAX_TOKEN_LENGTH = 8192;

export interface JwtKeys {
  /** HS256 shared secret. */
  readonly secret?: string;
  /** RS256/ES256 public keys by kid (a JWKS, RFC 7517 5). */
  jwk(kid: string | undefined): Promise<JsonWebKey | undefined>;
}

export interface JwtOptions {
  readonly issuer?: string;
  readonly audience?: string;
  /** The claim that carries the grants: [{ action, path }]. */
  readonly claim: string;
}

export type JwtResult = { ok: true; subject: string | undefined; grants: Permission[] } | { ok: false; reason: string };

const ALGORITHMS = {
  RS256: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
} as const;

function base64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function json(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const ACTIONS = new Set(["read", "publish", "api", "metrics"]);

/** The grants in a claim, keeping only well-formed ones. */
function grantsOf(value: unknown): Permission[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((g) => {
    if (typeof g !== "object" || g === null) return [];
    const { action, path } = g as { action?: unknown; path?: unknown };
    if (typeof action !== "string" || !ACTIONS.has(action)) return [];
    return [{ action: action as Permission["action"], ...(typeof path === "string" ? { path } : {}) }];
  });
}

/** Verifies a compact JWS (RFC 7515) carrying a JWT (RFC 7519): HS256, RS256 or ES256; exp/nbf/iss/aud checked. */
export async function verifyJwt(token: string, keys: JwtKeys, options: JwtOptions, now = Date.now() / 1000): Promise<JwtResult> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "token too long" };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
  let header;
  let claims;
  let signature: Uint8Array;
  try {
    header = json(base64url(parts[0]!));
    claims = json(base64url(parts[1]!));
    signature = base64url(parts[2]!);
  } catch {
    return { ok: false, reason: "not base64url" };
  }
  if (!header || !claims) return { ok: false, reason: "not a JWT" };
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  const alg = header.alg;
  let valid = false;
  try {
    if (alg === "HS256") {
      if (!keys.secret) return { ok: false, reason: "HS256 tokens are not accepted (no auth.jwt.secret)" };
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(keys.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      valid = await crypto.subtle.verify("HMAC", key, signature as Uint8Array<ArrayBuffer>, signed);
    } else if (alg === "RS256" || alg === "ES256") {
      const jwk = await keys.jwk(typeof header.kid === "string" ? header.kid : undefined);
      if (!jwk) return { ok: false, reason: `no key for kid ${JSON.stringify(header.kid ?? null)}` };
      const a = ALGORITHMS[alg];
      const key = await crypto.subtle.importKey("jwk", jwk, a.import, false, ["verify"]);
      valid = await crypto.subtle.verify(a.verify, key, signature as Uint8Array<ArrayBuffer>, signed);
    } else {
      return { ok: false, reason: `algorithm ${JSON.stringify(alg ?? null)} not accepted` };
    }
  } catch (e) {
    return { ok: false, reason: `cannot verify: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!valid) return { ok: false, reason: "bad signature" };
  if (typeof claims.exp === "number" && now > claims.exp + LEEWAY_S) return { ok: false, reason: "expired" };
  if (typeof claims.nbf === "number" && now < claims.nbf - LEEWAY_S) return { ok: false, reason: "not valid yet" };
  if (options.issuer !== undefined && claims.iss !== options.issuer) return { ok: false, reason: "wrong issuer" };
  if (options.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(options.audience)) return { ok: false, reason: "wrong audience" };
  }
  return { ok: true, subject: typeof claims.sub === "string" ? claims.sub : undefined, grants: grantsOf(claims[options.claim]) };
}
