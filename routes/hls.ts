import { type Context, Hono } from "hono";
import type { ServerContext } from "../src/context.ts";
import { parseDirectives } from "../src/hls/delivery-directives.ts";
import { MEDIA_PLAYLIST, type HlsMuxer, type RenderedPlaylist } from "../src/hls/muxer.ts";
import { hlsRequestKind } from "../src/hls/request-stats.ts";
import { type SharedBody, segmentStream } from "../src/hls/segment-body.ts";
import { isValidStreamPath } from "../src/stream-path.ts";
import { problem } from "./problem.ts";

/** The multivariant playlist's name: index.m3u8 stays the media playlist for existing players. */
export const MULTIVARIANT_PLAYLIST = "main.m3u8";
/** Names the segmenter gives: s<muxer id>_<sequence>.ts|.m4s, s<muxer id>_p<part id>.m4s, s<muxer id>_init<n>.mp4 */
const MEDIA_NAME = /^s[a-z0-9]{1,20}_(\d{1,12}\.(ts|m4s)|p\d{1,12}\.m4s|init\d{1,6}\.mp4)$/;
const MEDIA_EXTENSION = /\.(ts|m4s|mp4)$/;
/** Playlists change every segment: caches may keep one for a second at most. */
const PLAYLIST_CACHE = "max-age=1";
/** A low-latency playlist changes every part: not cached, except blocking answers below. */
const LIVE_EDGE_CACHE = "no-cache";
const PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
const CONTENT_TYPES: Record<string, string> = { ts: "video/mp2t", m4s: "video/mp4", mp4: "video/mp4" };

function splitMediaPath(pathname: string): { path: string; file: string } | undefined {
  const slash = pathname.lastIndexOf("/");
  if (slash <= 0) return undefined;
  return { path: pathname.slice(1, slash), file: pathname.slice(slash + 1) };
}

/**
 * GET /:path/index.m3u8 (media playlist, with LL-HLS delivery directives),
 * /:path/main.m3u8 (multivariant playlist), and segments, parts and init
 * segments named by the muxer.
 */
export function hlsRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { hls, config } = ctx;
  // Per-path variants come from the path settings (own entry or ~pattern), as the API leaves them.
  hls.setVariantResolver((path) => ctx.sources.pathConfig(path)?.hls?.variant);

  // Counts and response times (to the first byte) of answered requests, for /metrics.
  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const parts = splitMediaPath(url.pathname);
    const kind = parts && hlsRequestKind(parts.file, url.searchParams);
    const started = performance.now();
    await next();
    if (parts && kind && c.res.status < 400) hls.requests.record(parts.path, kind, (performance.now() - started) / 1000);
  });

  /** The running muxer with its first segment, or the response that says why not. */
  const ready = async (c: Context, path: string): Promise<HlsMuxer | Response> => {
    const muxer = hls.muxer(path);
    if (!muxer) return problem(c, 404, `no stream named "${path}"`);
    if (!(await muxer.waitForPlaylist(config.hls.firstSegmentTimeout * 1000))) {
      return problem(c, 404, `stream "${path}" produced no HLS segment within ${config.hls.firstSegmentTimeout} s`);
    }
    return muxer;
  };

  const sendPlaylist = (c: Context, playlist: RenderedPlaylist, cache: string): Response => {
    const headers = { ETag: playlist.etag, "Cache-Control": cache };
    if (c.req.header("If-None-Match") === playlist.etag) return c.body(null, 304, headers);
    return c.body(playlist.body as Uint8Array<ArrayBuffer>, 200, { ...headers, "Content-Type": PLAYLIST_TYPE });
  };

  const mediaPlaylist = async (c: Context, path: string): Promise<Response> => {
    const muxer = await ready(c, path);
    if (muxer instanceof Response) return muxer;
    if (!muxer.lowLatency) return sendPlaylist(c, muxer.playlist!, PLAYLIST_CACHE);
    const directives = parseDirectives(new URL(c.req.url).searchParams);
    if (typeof directives === "string") return problem(c, 400, directives);
    if (directives.msn === undefined) return sendPlaylist(c, muxer.playlistFor(directives.skip)!, LIVE_EDGE_CACHE);
    // Blocking playlist reload (RFC 8216bis 6.2.5.2).
    const { msn, part } = directives;
    const verdict = muxer.judge(msn, part);
    if (verdict === "too-far") return problem(c, 400, `_HLS_msn=${msn}${part === undefined ? "" : ` _HLS_part=${part}`} is too far ahead of the live edge`);
    if (verdict === "wait") {
      const timeoutMs = muxer.blockTimeoutMs;
      const held = muxer.waitForReload(msn, part, timeoutMs);
      if (!held) return problem(c, 503, `too many blocked playlist requests on "${path}" (hls.maxBlockedRequests)`);
      if (!(await held)) return problem(c, 503, `segment ${msn}${part === undefined ? "" : ` part ${part}`} of "${path}" did not appear within ${timeoutMs / 1000} s`);
      muxer.lastRequest = Date.now();
    }
    // The answer to one msn/part never changes meaning (it holds that part or later): caches may share it by URL.
    return sendPlaylist(c, muxer.playlistFor(directives.skip)!, `public, max-age=${Math.floor(muxer.blockTimeoutMs / 1000)}`);
  };

  const multivariantPlaylist = async (c: Context, path: string): Promise<Response> => {
    const muxer = await ready(c, path);
    if (muxer instanceof Response) return muxer;
    const playlist = muxer.multivariant();
    if (!playlist) return problem(c, 404, `stream "${path}" has no HLS segment`);
    return sendPlaylist(c, playlist, PLAYLIST_CACHE);
  };

  const mediaFile = async (c: Context, path: string, file: string): Promise<Response> => {
    if (!MEDIA_NAME.test(file)) return problem(c, 404, `"${file.slice(0, 80)}" is not a segment name`);
    const muxer = hls.peek(path);
    if (!muxer) return problem(c, 404, `stream "${path}" has no HLS muxer running`);
    muxer.lastRequest = Date.now();
    const immutable = `public, max-age=${config.hls.cacheMaxAge}, immutable`;
    const type = CONTENT_TYPES[file.slice(file.lastIndexOf(".") + 1)]!;
    if (file.endsWith(".mp4")) {
      const init = muxer.init(file);
      if (!init) return problem(c, 404, `init segment "${file}" of "${path}" is not (or no longer) available`);
      // A few hundred bytes: copied per response, nothing to share.
      return c.body(init.bytes as Uint8Array<ArrayBuffer>, 200, { "Content-Type": type, "Cache-Control": immutable });
    }
    let body: (SharedBody & { byteLength: number }) | undefined = muxer.segment(file) ?? muxer.part(file);
    if (!body && muxer.isHinted(file)) {
      // RFC 8216bis 6.2.6: a preload-hinted part is answered once all of it exists.
      const held = muxer.waitForPart(file, muxer.blockTimeoutMs);
      if (!held) return problem(c, 503, `too many blocked requests on "${path}" (hls.maxBlockedRequests)`);
      if (await held) body = muxer.part(file);
    }
    if (!body) return problem(c, 404, `"${file}" of "${path}" is not (or no longer) available`);
    const headers = { "Content-Type": type, "Content-Length": String(body.byteLength), "Cache-Control": immutable };
    // HEAD takes no reference: a body nobody reads would pin the segment until sendTimeout.
    if (c.req.method === "HEAD") return new Response(null, { headers });
    const counters = muxer.stream.counters;
    return new Response(segmentStream(body, config.hls.sendTimeout * 1000, (n) => (counters.bytesOut += n)), { headers });
  };

  app.get("/*", (c, next) => {
    // The raw path, not the decoded one: "%2F" or "%2E%2E" never become separators.
    const parts = splitMediaPath(new URL(c.req.url).pathname);
    if (!parts) return next();
    const { path, file } = parts;
    const playlist = file === MEDIA_PLAYLIST || file === MULTIVARIANT_PLAYLIST;
    if (!playlist && !MEDIA_EXTENSION.test(file)) return next();
    if (!isValidStreamPath(path)) return problem(c, 400, `"${path.slice(0, 80)}" is not a valid stream path`);
    if (file === MEDIA_PLAYLIST) return mediaPlaylist(c, path);
    if (file === MULTIVARIANT_PLAYLIST) return multivariantPlaylist(c, path);
    return mediaFile(c, path, file);
  });
  return app;
}
