import type { MiddlewareHandler } from "hono";
import { credentialsMatch, parseBasicAuthorization } from "../src/auth/basic.ts";
import type { ServerContext } from "../src/context.ts";
import { problem } from "./problem.ts";

/**
 * HTTP reads of a path's media (playlists, segments, parts: GET/HEAD of
 * `/<path>/<file>`) need the path's readUser/readPassword, as RTSP reads do.
 * Basic over HTTP; browsers prompt for it, and players that cannot set
 * headers take `https://user:password@host/...`.
 */
export function readAuth(ctx: ServerContext): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const pathname = new URL(c.req.url).pathname;
    const slash = pathname.lastIndexOf("/");
    if (slash <= 0) return next();
    const path = pathname.slice(1, slash);
    const expected = ctx.sources.readCredentials(path);
    if (!expected || credentialsMatch(parseBasicAuthorization(c.req.header("Authorization")), expected)) return next();
    c.header("WWW-Authenticate", `Basic realm="read ${path}", charset="UTF-8"`);
    return problem(c, 401, `reading "${path}" needs valid credentials`);
  };
}
