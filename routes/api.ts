import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";
import { streamInfo } from "../src/stream-info.ts";

/** GET /v1/streams: every path with its tracks, readers and counters. */
export function apiRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/v1/streams", (c) => c.json({ streams: ctx.registry.list().map(streamInfo) }, 200, { "Cache-Control": "no-store" }));
  app.get("/healthz", (c) => {
    const m = ctx.runtime.memory();
    return c.json(
      {
        status: "ok",
        runtime: `${ctx.runtime.name} ${ctx.runtime.version}`,
        uptime: Math.round((Date.now() - ctx.startedAt) / 1000),
        streams: ctx.registry.list().length,
        rss: m.rss,
        segmentPool: { chunkBytes: ctx.pool.chunkSize, allocated: ctx.pool.allocated, free: ctx.pool.freeCount },
      },
      200,
      { "Cache-Control": "no-store" },
    );
  });
  return app;
}
