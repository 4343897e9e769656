import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";
import { segmentStream } from "../src/hls/segment-body.ts";
import { isValidStreamPath } from "../src/stream-path.ts";
import { problem } from "./problem.ts";

const PLAYLIST = "index.m3u8";
/** Names the segmenter gives: s<muxer id>_<sequence>.ts */
const SEGMENT_NAME = /^s[a-z0-9]{1,20}_\d{1,12}\.ts$/;
/** Playlists change every segment: caches may keep one for a second at most. */
const PLAYLIST_CACHE = "max-age=1";

function splitMediaPath(pathname: string): { path: string; file: string } | undefined {
  const slash = pathname.lastIndexOf("/");
  if (slash <= 0) return undefined;
  return { path: pathname.slice(1, slash), file: pathname.slice(slash + 1) };
}

/** GET /:path/index.m3u8 and GET /:path/<segment>.ts */
export function hlsRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { hls, config } = ctx;

  app.get("/*", async (c, next) => {
    // The raw path, not the decoded one: "%2F" or "%2E%2E" never become separators.
    const parts = splitMediaPath(new URL(c.req.url).pathname);
    if (!parts || (parts.file !== PLAYLIST && !parts.file.endsWith(".ts"))) return next();
    if (!isValidStreamPath(parts.path)) return problem(c, 400, `"${parts.path.slice(0, 80)}" is not a valid stream path`);

    if (parts.file === PLAYLIST) {
      const muxer = hls.muxer(parts.path);
      if (!muxer) return problem(c, 404, `no stream named "${parts.path}"`);
      if (!(await muxer.waitForPlaylist(config.hls.firstSegmentTimeout * 1000))) {
        return problem(c, 404, `stream "${parts.path}" produced no HLS segment within ${config.hls.firstSegmentTimeout} s`);
      }
      const playlist = muxer.playlist!;
      const headers = { ETag: playlist.etag, "Cache-Control": PLAYLIST_CACHE };
      if (c.req.header("If-None-Match") === playlist.etag) return c.body(null, 304, headers);
      return c.body(playlist.body as Uint8Array<ArrayBuffer>, 200, { ...headers, "Content-Type": "application/vnd.apple.mpegurl" });
    }

    if (!SEGMENT_NAME.test(parts.file)) return problem(c, 404, `"${parts.file.slice(0, 80)}" is not a segment name`);
    const muxer = hls.peek(parts.path);
    const segment = muxer?.segment(parts.file);
    if (!muxer || !segment) return problem(c, 404, `segment "${parts.file}" of "${parts.path}" is not (or no longer) available`);
    muxer.lastRequest = Date.now();
    const headers = {
      "Content-Type": "video/mp2t",
      "Content-Length": String(segment.byteLength),
      "Cache-Control": `public, max-age=${config.hls.cacheMaxAge}, immutable`,
    };
    // HEAD takes no reference: a body nobody reads would pin the segment until sendTimeout.
    if (c.req.method === "HEAD") return new Response(null, { headers });
    const counters = muxer.stream.counters;
    const body = segmentStream(segment, config.hls.sendTimeout * 1000, (n) => (counters.bytesOut += n));
    return new Response(body, { headers });
  });
  return app;
}
