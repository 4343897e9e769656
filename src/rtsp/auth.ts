import { createHash, randomBytes } from "node:crypto";
import { type AuthChallenge, challengeStrength, type DigestChallenge, parseChallenges } from "./auth-challenge.ts";
import { quote } from "./params.ts";

export { type AuthChallenge, type BasicChallenge, type DigestAlgorithm, type DigestChallenge, parseChallenges } from "./auth-challenge.ts";

/** Client nonce size: 16 random bytes as hex, as curl and gortsplib use (RFC 7616 3.4 asks only for unpredictability). */
const CNONCE_BYTES = 16;

export interface AuthenticatorOptions {
  /** Client nonce source; tests pin it to the RFC examples' values. */
  cnonce?: () => string;
}

function hash(algorithm: DigestChallenge["algorithm"], text: string): string {
  return createHash(algorithm.startsWith("SHA-256") ? "sha256" : "md5").update(text, "utf8").digest("hex");
}

function base64Utf8(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Answers a camera's 401 (RFC 2326 12.5 and 12.44 borrow HTTP auth):
 * Basic (RFC 7617) or Digest (RFC 2617, RFC 7616), picking the strongest
 * offered. One instance per connection: it keeps the nonce count.
 *
 * Flow: on a 401 call `setChallenges(res.headers.getAll("WWW-Authenticate"))`
 * and resend with `authorization(method, uri)`; on a second 401 retry only
 * when `isStaleRetry` says the nonce merely expired.
 */
export class RtspAuthenticator {
  private current: AuthChallenge | undefined;
  private nc = 0;
  private cnonceValue = "";
  private readonly makeCnonce: () => string;

  constructor(
    readonly user: string,
    private readonly password: string,
    options: AuthenticatorOptions = {},
  ) {
    this.makeCnonce = options.cnonce ?? (() => randomBytes(CNONCE_BYTES).toString("hex"));
  }

  /** The challenge in use, if any. */
  get challenge(): AuthChallenge | undefined {
    return this.current;
  }

  /** Takes the strongest usable challenge; false when none is usable (the old one is kept then). */
  setChallenges(values: readonly string[]): boolean {
    let best: AuthChallenge | undefined;
    for (const c of parseChallenges(values)) if (!best || challengeStrength(c) > challengeStrength(best)) best = c;
    if (!best) return false;
    const sameNonce = best.scheme === "digest" && this.current?.scheme === "digest" && this.current.nonce === best.nonce;
    this.current = best;
    if (!sameNonce) {
      // nc counts requests per nonce (RFC 7616 3.4); a new nonce starts again at 1 with a new cnonce.
      this.nc = 0;
      this.cnonceValue = "";
    }
    return true;
  }

  /** True when a 401 carries a Digest challenge with stale=true: same credentials, new nonce. */
  isStaleRetry(values: readonly string[]): boolean {
    return parseChallenges(values).some((c) => c.scheme === "digest" && c.stale);
  }

  /** The Authorization value for this request, or undefined before any usable challenge. */
  authorization(method: string, uri: string): string | undefined {
    const c = this.current;
    if (!c) return undefined;
    if (c.scheme === "basic") return `Basic ${base64Utf8(`${this.user}:${this.password}`)}`;
    return this.digest(c, method, uri);
  }

  private digest(c: DigestChallenge, method: string, uri: string): string {
    const h = (text: string) => hash(c.algorithm, text);
    const useQop = c.qop.length > 0;
    const sess = c.algorithm.endsWith("-sess");
    if ((useQop || sess) && this.cnonceValue === "") this.cnonceValue = this.makeCnonce();
    const cnonce = this.cnonceValue;
    // RFC 7616 3.4.2: the -sess variants fold the nonces into HA1.
    let ha1 = h(`${this.user}:${c.realm}:${this.password}`);
    if (sess) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
    const ha2 = h(`${method}:${uri}`);
    const parts = [`username=${quote(this.user)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(uri)}`];
    if (!useQop) {
      // RFC 2069 form, still what many older cameras send a challenge for.
      parts.push(`response=${quote(h(`${ha1}:${c.nonce}:${ha2}`))}`);
      if (c.algorithmGiven) parts.push(`algorithm=${c.algorithm}`);
      if (sess) parts.push(`cnonce=${quote(cnonce)}`);
    } else {
      this.nc++;
      const nc = this.nc.toString(16).padStart(8, "0");
      parts.push(`response=${quote(h(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`))}`);
      parts.push(`algorithm=${c.algorithm}`, `qop=auth`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    }
    if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
    return `Digest ${parts.join(", ")}`;
  }
}
