import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";
import { isValidStreamPath } from "../src/stream-path.ts";
import { remoteAddress } from "./authorize.ts";
import { problem } from "./problem.ts";

const INGEST = "/ingest";

/** POST or PUT /:path/ingest with an MPEG-TS body (chunked or not): one publisher per path. */
export function ingestRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.on(["POST", "PUT"], "/*", async (c, next) => {
    const pathname = new URL(c.req.url).pathname;
    if (!pathname.endsWith(INGEST)) return next();
    const path = pathname.slice(1, -INGEST.length);
    if (!isValidStreamPath(path)) return problem(c, 400, `"${path.slice(0, 80)}" is not a valid stream path`);
    // Credentials were checked by the authorize middleware (publish on this path).
    const programParam = c.req.query("program");
    const program = programParam === undefined ? undefined : Number(programParam);
    if (program !== undefined && !(Number.isInteger(program) && program >= 1 && program <= 65535)) {
      return problem(c, 400, `program must be a number from 1 to 65535, got "${String(programParam).slice(0, 20)}"`);
    }
    const body = c.req.raw.body;
    if (!body) return problem(c, 400, "the request has no body: send MPEG-TS");
    const remote = remoteAddress(c) || "http publisher";
    const session = ctx.sources.publish(path, remote, program);
    if (!("ingest" in session)) return problem(c, session.status, session.error);
    const reader = body.getReader();
    const onAbort = () => void reader.cancel().catch(() => {});
    session.signal.addEventListener("abort", onAbort);
    let reason = "the request body ended";
    try {
      // One chunk at a time: we read the next only after demuxing this one, so TCP backpressure reaches the sender.
      for (;;) {
        const { value, done } = await reader.read();
        if (done || session.signal.aborted) break;
        session.push(value);
      }
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    } finally {
      session.signal.removeEventListener("abort", onAbort);
    }
    if (session.signal.aborted) reason = String((session.signal.reason as Error | undefined)?.message ?? "closed");
    ctx.sources.end(session, reason);
    const replaced = reason.startsWith("replaced");
    return c.json({ path, bytes: session.counters.bytes, ended: reason }, replaced ? 409 : 200);
  });
  return app;
}
