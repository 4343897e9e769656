import { type Context, Hono } from "hono";
import type { PathConfig } from "../src/config/schema.ts";
import type { ConfigStore, PathChangeResult } from "../src/config/store.ts";
import type { ServerContext } from "../src/context.ts";
import { maskSource } from "../src/ingest/source-url.ts";
import { streamInfo } from "../src/stream-info.ts";
import { problem } from "./problem.ts";

/** A path's settings are a few hundred bytes; anything near this is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const MASK = "***";

/** Settings as the API shows them: passwords never leave the server. */
function masked(pc: PathConfig): PathConfig {
  return {
    ...pc,
    source: maskSource(pc.source),
    ...(pc.publishPassword !== undefined ? { publishPassword: MASK } : {}),
    ...(pc.readPassword !== undefined ? { readPassword: MASK } : {}),
  };
}

/** The request body as a JSON object, or the problem response saying why not. */
async function jsonObject(c: Context): Promise<Record<string, unknown> | Response> {
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) return problem(c, 413, `body larger than ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return problem(c, 400, `body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return problem(c, 400, "body must be a JSON object of path settings");
  return body as Record<string, unknown>;
}

function answer(c: Context, name: string, result: PathChangeResult, status: 200 | 201): Response {
  if (!result.ok) return c.json({ error: result.error, ...(result.issues ? { issues: result.issues } : {}) }, result.status, { "Cache-Control": "no-store" });
  const pc = result.config.paths[name];
  return c.json({ name, config: pc ? masked(pc) : null, persisted: result.persisted }, status, { "Cache-Control": "no-store" });
}

/**
 * /v1/paths: the configured paths with their live state; POST adds one,
 * PATCH merges settings into one (RFC 7396: null removes a setting), DELETE
 * removes one. Changes apply without a restart and are written to the
 * config file first (see ConfigStore).
 */
export function pathRoutes(ctx: ServerContext, store: ConfigStore): Hono {
  const app = new Hono();
  const view = (name: string, pc: PathConfig) => {
    const stream = ctx.registry.get(name);
    return { name, config: masked(pc), stream: stream ? streamInfo(stream) : null };
  };
  app.get("/v1/paths", (c) =>
    c.json({ paths: Object.entries(store.config.paths).map(([n, pc]) => view(n, pc)), persisted: store.persistent }, 200, { "Cache-Control": "no-store" }),
  );
  app.get("/v1/paths/:name{.+}", (c) => {
    const name = c.req.param("name");
    const pc = Object.hasOwn(store.config.paths, name) ? store.config.paths[name] : undefined;
    return pc ? c.json(view(name, pc), 200, { "Cache-Control": "no-store" }) : problem(c, 404, `no path "${name.slice(0, 80)}" in the config`);
  });
  app.post("/v1/paths/:name{.+}", async (c) => {
    const body = await jsonObject(c);
    if (body instanceof Response) return body;
    return answer(c, c.req.param("name"), await store.change(c.req.param("name"), body, "create"), 201);
  });
  app.patch("/v1/paths/:name{.+}", async (c) => {
    const body = await jsonObject(c);
    if (body instanceof Response) return body;
    return answer(c, c.req.param("name"), await store.change(c.req.param("name"), body, "merge"), 200);
  });
  app.delete("/v1/paths/:name{.+}", async (c) => {
    const name = c.req.param("name");
    const result = await store.change(name, undefined, "delete");
    if (!result.ok) return answer(c, name, result, 200);
    return c.json({ deleted: name, persisted: result.persisted }, 200, { "Cache-Control": "no-store" });
  });
  return app;
}
