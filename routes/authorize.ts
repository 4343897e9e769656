import type { Context, MiddlewareHandler } from "hono";
import type { Action } from "../src/auth/permissions.ts";
import type { Authorizer } from "../src/auth/authorizer.ts";
import { parseBasicAuthorization } from "../src/auth/basic.ts";
import { problem } from "./problem.ts";

/** First path segments that are the server's own pages, not streams. */
const OWN = new Set(["assets", "v1", "favicon.ico", "healthz", "readyz", "metrics"]);
const PLAYLIST_TYPE = /mpegurl/i;

/** What an HTTP request asks to do, and on which stream path; undefined for the web page and health checks. */
export function httpPermission(method: string, pathname: string): { action: Action; path: string; protocol: string } | undefined {
  if (pathname === "/metrics") return { action: "metrics", path: "", protocol: "metrics" };
  if (pathname.startsWith("/v1/")) return { action: "api", path: "", protocol: "api" };
  const slash = pathname.lastIndexOf("/");
  if (slash <= 0) return undefined;
  const path = pathname.slice(1, slash);
  const file = pathname.slice(slash + 1);
  if (OWN.has(path.split("/")[0]!)) return undefined;
  if (method === "POST" || method === "PUT") {
    if (file === "ingest") return { action: "publish", path, protocol: "http" };
    if (file === "whip") return { action: "publish", path, protocol: "webrtc" };
    if (file === "whep") return { action: "read", path, protocol: "webrtc" };
    return undefined;
  }
  if (method === "GET" || method === "HEAD") return { action: "read", path, protocol: "hls" };
  return undefined;
}

export function remoteAddress(c: Context): string {
  return c.env && typeof c.env === "object" && "remoteAddress" in c.env ? String(c.env.remoteAddress) : "";
}

/**
 * The token a player passed in the query goes on every URI of the playlist
 * (segments, parts, maps, renditions), so players that cannot set headers
 * still fetch them (RFC 8216 4.1: URIs are relative to the playlist).
 */
export function withToken(playlist: string, token: string): string {
  const add = (uri: string) => (/^[a-z][a-z0-9+.-]*:/i.test(uri) ? uri : `${uri}${uri.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`);
  return playlist
    .split("\n")
    .map((line) => (line === "" ? line : line.startsWith("#") ? line.replace(/URI="([^"]*)"/g, (_m, u: string) => `URI="${add(u)}"`) : add(line)))
    .join("\n");
}

/**
 * Every request that reads, publishes, or uses the API or metrics asks the
 * Authorizer: Basic credentials, a Bearer token, or `?token=` in the query.
 */
export function authorize(auth: Authorizer): MiddlewareHandler {
  return async (c, next) => {
    const need = httpPermission(c.req.method, new URL(c.req.url).pathname);
    if (!need) return next();
    const header = c.req.header("Authorization");
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
    const queryToken = c.req.query("token");
    const decision = await auth.check({ ...need, ip: remoteAddress(c), basic: parseBasicAuthorization(header), token: bearer ?? queryToken });
    if (!decision.ok) {
      if (decision.status === 401) c.header("WWW-Authenticate", `Basic realm="mediaserver", charset="UTF-8"`);
      return problem(c, decision.status, decision.reason);
    }
    await next();
    if (queryToken && c.res.ok && PLAYLIST_TYPE.test(c.res.headers.get("Content-Type") ?? "")) {
      const headers = new Headers(c.res.headers);
      headers.delete("Content-Length");
      headers.delete("ETag");
      c.res = new Response(withToken(await c.res.text(), queryToken), { status: c.res.status, headers });
    }
  };
}
