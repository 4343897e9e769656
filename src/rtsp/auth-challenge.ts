import { unquote } from "./params.ts";

/** Digest algorithms we can answer (RFC 7616 3.3, 6.1); SHA-512-256 is registered but no camera sends it. */
export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";
const ALGORITHMS: DigestAlgorithm[] = ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"];

export interface BasicChallenge {
  scheme: "basic";
  realm: string;
}

export interface DigestChallenge {
  scheme: "digest";
  realm: string;
  nonce: string;
  opaque?: string;
  /** MD5 when the challenge names none (RFC 2617 3.2.1). */
  algorithm: DigestAlgorithm;
  /** Whether the challenge named it: the legacy answer echoes `algorithm` only then. */
  algorithmGiven: boolean;
  /** Lower-cased qop options; empty means the RFC 2069 legacy form. */
  qop: string[];
  /** The nonce expired but the credentials were right (RFC 7616 3.3): retry, do not give up. */
  stale: boolean;
}

export type AuthChallenge = BasicChallenge | DigestChallenge;

/** `token` or `token=value` (value a token or a quoted string with escapes), RFC 7235 2.1. */
const TOKEN = /\s*([^\s,="]+)\s*/y;
const VALUE = /\s*("(?:[^"\\]|\\.)*"?|[^,]*)/y;

/** Splits header values into challenges: several may share one value (RFC 7235 4.1). */
function tokenize(value: string): { scheme: string; params: Map<string, string> }[] {
  const out: { scheme: string; params: Map<string, string> }[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === "," || value[i] === " " || value[i] === "\t") {
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const t = TOKEN.exec(value);
    if (!t) {
      i++; // a stray `=` or `"`: skip it rather than fail on a camera's typo
      continue;
    }
    i = TOKEN.lastIndex;
    if (value[i] === "=" && out.length > 0) {
      VALUE.lastIndex = i + 1;
      const v = VALUE.exec(value);
      i = VALUE.lastIndex;
      const key = t[1].toLowerCase();
      const params = out[out.length - 1].params;
      if (!params.has(key)) params.set(key, unquote(v ? v[1] : ""));
    } else if (value[i] === "=") {
      i++;
    } else {
      out.push({ scheme: t[1].toLowerCase(), params: new Map() });
    }
  }
  return out;
}

function interpret(scheme: string, params: Map<string, string>): AuthChallenge | undefined {
  if (scheme === "basic") return { scheme: "basic", realm: params.get("realm") ?? "" };
  if (scheme !== "digest") return undefined;
  const nonce = params.get("nonce");
  if (nonce === undefined) return undefined;
  const given = params.get("algorithm");
  const algorithm = given === undefined ? "MD5" : ALGORITHMS.find((a) => a.toLowerCase() === given.trim().toLowerCase());
  if (algorithm === undefined) return undefined;
  const qop = (params.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase()).filter((q) => q !== "");
  // Only `auth` is answered: `auth-int` alone would need the body hash (RFC 7616 3.4.3), no camera asks for it.
  if (qop.length > 0 && !qop.includes("auth")) return undefined;
  const challenge: DigestChallenge = {
    scheme: "digest",
    realm: params.get("realm") ?? "",
    nonce,
    algorithm,
    algorithmGiven: given !== undefined,
    qop,
    // Hikvision sends stale="FALSE", Axis stale=FALSE: compare without case or quotes.
    stale: (params.get("stale") ?? "").trim().toLowerCase() === "true",
  };
  const opaque = params.get("opaque");
  if (opaque !== undefined) challenge.opaque = opaque;
  return challenge;
}

/**
 * Challenges we can answer from WWW-Authenticate values, in the order given.
 * Unknown schemes, unknown algorithms and malformed challenges are left out;
 * this never throws.
 */
export function parseChallenges(values: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const value of values) {
    for (const { scheme, params } of tokenize(value)) {
      const c = interpret(scheme, params);
      if (c) out.push(c);
    }
  }
  return out;
}

/** Higher is stronger: Digest SHA-256 > Digest MD5 > Basic (RFC 7616 3.7: prefer the strongest). */
export function challengeStrength(c: AuthChallenge): number {
  if (c.scheme === "basic") return 1;
  return c.algorithm.startsWith("SHA-256") ? 3 : 2;
}
