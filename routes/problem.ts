import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error is JSON with a sentence saying what was wrong. */
export function problem(c: Context, status: ContentfulStatusCode, error: string): Response {
  return c.json({ error }, status, { "Cache-Control": "no-store" });
}
