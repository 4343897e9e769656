import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";
import { openApiDocument } from "../src/openapi.ts";
import { streamInfo } from "../src/stream-info.ts";
import { VERSION } from "../src/version.ts";
import { problem } from "./problem.ts";

/** /v1/streams (live state), /v1/info, /v1/openapi.json, and the health checks. */
export function apiRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/v1/streams", (c) => c.json({ streams: ctx.registry.list().map(streamInfo) }, 200, { "Cache-Control": "no-store" }));
  // Kick one reader (its id is in GET /v1/streams): the RTSP or WebRTC session behind it is disconnected.
  app.delete("/v1/streams/:path{.+}/readers/:id", (c) => {
    const path = c.req.param("path");
    const stream = ctx.registry.get(path);
    if (!stream) return problem(c, 404, `no stream named "${path.slice(0, 80)}"`);
    const reader = [...stream.readers].find((r) => r.id === c.req.param("id"));
    if (!reader) return problem(c, 404, `no reader "${c.req.param("id").slice(0, 40)}" on "${path}"`);
    if (reader.protocol === "hls") return problem(c, 409, "the HLS muxer is shared by every HLS viewer; it stops by itself hls.closeAfter seconds after the last request");
    reader.close("kicked through the API");
    return c.json({ kicked: reader.id, path, protocol: reader.protocol }, 200, { "Cache-Control": "no-store" });
  });
  app.get("/v1/info", (c) =>
    c.json(
      {
        name: "mediaserver",
        version: VERSION,
        runtime: ctx.runtime.name,
        runtimeVersion: ctx.runtime.version,
        startedAt: new Date(ctx.startedAt).toISOString(),
        rtspPort: ctx.ports.rtsp ?? null,
        uptime: Math.round((Date.now() - ctx.startedAt) / 1000),
      },
      200,
      { "Cache-Control": "no-store" },
    ),
  );
  const openapi = JSON.stringify(openApiDocument());
  app.get("/v1/openapi.json", (c) => c.body(openapi, 200, { "Content-Type": "application/json" }));
  // Readiness: routes answer only once startServer has finished (config loaded, every listener up).
  app.get("/readyz", (c) => c.json({ status: "ready", rtsp: ctx.config.rtsp.enabled, uptime: Math.round((Date.now() - ctx.startedAt) / 1000) }, 200, { "Cache-Control": "no-store" }));
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
