import type { MiddlewareHandler } from "hono";
import { problem } from "./problem.ts";

/** Longest request target we read: RFC 9110 section 4.1 asks servers to accept at least 8000 octets. */
export const MAX_URL_LENGTH = 8192;

/** Refuses absurd request targets before any route parses them. */
export function requestLimits(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.url.length > MAX_URL_LENGTH) return problem(c, 414, `request target longer than ${MAX_URL_LENGTH} characters`);
    await next();
  };
}
