import { createHash, randomBytes } from "node:crypto";
import { constantTimeEqual, type Credentials, credentialsMatch, parseBasicAuthorization } from "../../auth/basic.ts";

/** Nonces we issued and still accept; older ones get a stale=true challenge (RFC 7616 3.3). */
const MAX_NONCES = 256;
const REALM = "mediaserver";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

/** Authorization header parameters: key=value or key="value", comma separated. */
function parseParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    out.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]);
  }
  return out;
}

/**
 * Server side of RTSP authentication: challenges for Digest (MD5, the one
 * every camera client and ffmpeg speak, RFC 2617) and Basic, and checks of
 * what clients send back.
 */
export class ServerAuth {
  private readonly nonces: string[] = [];

  /** WWW-Authenticate values for a 401, Digest first (clients pick the first they know). */
  challenges(stale = false): string[] {
    const nonce = randomBytes(16).toString("hex");
    this.nonces.push(nonce);
    if (this.nonces.length > MAX_NONCES) this.nonces.shift();
    return [`Digest realm="${REALM}", nonce="${nonce}", algorithm=MD5${stale ? ", stale=true" : ""}`, `Basic realm="${REALM}"`];
  }

  /** The user a Digest Authorization header names (its password is looked up by that name). */
  digestUser(header: string | undefined): string | undefined {
    if (!header || !/^Digest\s/i.test(header)) return undefined;
    return parseParams(header.slice(7)).get("username");
  }

  /** "ok", "stale" (right password, old nonce) or "denied". */
  check(header: string | undefined, method: string, expected: Credentials): "ok" | "stale" | "denied" {
    if (!header) return "denied";
    if (/^Basic\s/i.test(header)) return credentialsMatch(parseBasicAuthorization(header), expected) ? "ok" : "denied";
    if (!/^Digest\s/i.test(header)) return "denied";
    const p = parseParams(header.slice(7));
    const nonce = p.get("nonce") ?? "";
    const uri = p.get("uri") ?? "";
    const ha1 = md5(`${expected.user}:${p.get("realm") ?? REALM}:${expected.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const qop = p.get("qop");
    const response = qop ? md5(`${ha1}:${nonce}:${p.get("nc") ?? ""}:${p.get("cnonce") ?? ""}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const userOk = constantTimeEqual(p.get("username") ?? "", expected.user);
    const responseOk = constantTimeEqual(p.get("response") ?? "", response);
    if (!userOk || !responseOk) return "denied";
    return this.nonces.includes(nonce) ? "ok" : "stale";
  }
}
