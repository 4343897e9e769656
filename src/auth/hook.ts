import { createHash } from "node:crypto";
import { logger } from "../core/log.ts";
import type { Action } from "./permissions.ts";

const log = logger("auth");
const MAX_CACHED = 4096;

export interface HookQuery {
  readonly action: Action;
  readonly path: string;
  readonly protocol: string;
  readonly ip: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
}

/**
 * The operator's authorization endpoint: POST the request as JSON, allowed
 * on 2xx. Answers are remembered for `cacheSeconds` (keyed by a hash, so no
 * password is kept), so a player's segment requests do not each call out;
 * an endpoint that is down or slow denies.
 */
export class AuthHook {
  private readonly cache = new Map<string, { allowed: boolean; until: number }>();

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly cacheSeconds: number,
  ) {}

  async allows(q: HookQuery): Promise<boolean> {
    const key = createHash("sha256").update(JSON.stringify(q)).digest("base64");
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.allowed;
    let allowed = false;
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(q),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      allowed = res.ok;
      await res.body?.cancel();
    } catch (e) {
      log.warn(`auth hook ${this.url}: ${e instanceof Error ? e.message : String(e)}; denying`);
      return false;
    }
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { allowed, until: Date.now() + this.cacheSeconds * 1000 });
    return allowed;
  }
}
