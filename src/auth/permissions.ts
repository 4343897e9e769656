import { type CidrList, ipAllowed } from "./ip.ts";

/** What a request wants to do; the same words for HLS, RTSP, WebRTC and the API. */
export type Action = "read" | "publish" | "api" | "metrics";

/** One grant: an action, on paths matching `path` (all when absent), from addresses in `ips` (any when absent). */
export interface Permission {
  readonly action: Action;
  /** Exact name, `prefix/*` (the prefix and everything under it), `*`, or `~regex`. */
  readonly path?: string;
  readonly ips?: CidrList;
}

/** Compiled `~regex` grants; patterns also come from JWT claims, so the cache is bounded. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 256;

export function pathMatches(pattern: string | undefined, path: string): boolean {
  if (pattern === undefined || pattern === "*") return true;
  if (pattern.startsWith("~")) {
    let re = compiled.get(pattern);
    if (!re) {
      re = new RegExp(pattern.slice(1));
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      compiled.set(pattern, re);
    }
    return re.test(path);
  }
  if (pattern.endsWith("/*")) {
    const prefix = pattern.slice(0, -2);
    return path === prefix || path.startsWith(`${prefix}/`);
  }
  return pattern === path;
}

/** Does any grant allow `action` on `path` from `ip`? The API and metrics have no path. */
export function allows(grants: readonly Permission[], action: Action, path: string, ip: string): boolean {
  return grants.some((g) => g.action === action && (action === "api" || action === "metrics" || pathMatches(g.path, path)) && (!g.ips || ipAllowed(g.ips, ip)));
}
