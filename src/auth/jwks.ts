import { logger } from "../core/log.ts";

const log = logger("auth");
/** A JWKS URL is fetched again this often, and at most this often when a token names an unknown kid. */
const REFRESH_MS = 10 * 60_000;
const MIN_REFETCH_MS = 30_000;
const FETCH_TIMEOUT_MS = 5000;

interface Jwks {
  keys?: (JsonWebKey & { kid?: string })[];
}

/**
 * Public keys for RS256/ES256 tokens from a JWKS (RFC 7517 5), given as
 * a URL (fetched, cached, refreshed) or as the document's text.
 */
export class JwksKeys {
  private keys: (JsonWebKey & { kid?: string })[] = [];
  private fetchedAt = 0;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly url: string | undefined,
    text: string | undefined,
  ) {
    if (text !== undefined) this.keys = JwksKeys.parse(text);
  }

  static parse(text: string): (JsonWebKey & { kid?: string })[] {
    const doc = JSON.parse(text) as Jwks;
    if (!Array.isArray(doc.keys)) throw new Error("a JWKS is { keys: [...] }");
    return doc.keys;
  }

  async jwk(kid: string | undefined): Promise<JsonWebKey | undefined> {
    const find = () => this.keys.find((k) => kid === undefined || k.kid === kid);
    const age = Date.now() - this.fetchedAt;
    if (this.url && (age > REFRESH_MS || (!find() && age > MIN_REFETCH_MS))) await this.refresh();
    return find();
  }

  private refresh(): Promise<void> {
    this.pending ??= (async () => {
      try {
        const res = await fetch(this.url!, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.keys = JwksKeys.parse(await res.text());
      } catch (e) {
        log.warn(`JWKS ${this.url}: ${e instanceof Error ? e.message : String(e)}; keeping ${this.keys.length} known key(s)`);
      } finally {
        this.fetchedAt = Date.now();
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
