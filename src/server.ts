import { Hono } from "hono";
import { cors } from "hono/cors";
import { fileURLToPath } from "node:url";
import { apiRoutes } from "../routes/api.ts";
import { authorize } from "../routes/authorize.ts";
import { hlsRoutes } from "../routes/hls.ts";
import { ingestRoutes } from "../routes/ingest.ts";
import { metricsRoutes } from "../routes/metrics.ts";
import { pathRoutes } from "../routes/paths.ts";
import { requestLimits } from "../routes/limits.ts";
import { uiRoutes } from "../routes/ui.ts";
import { webrtcRoutes } from "../routes/webrtc.ts";
import { buildAuthorizer } from "./auth/build.ts";
import { useStartCodeSearch } from "./codec/annexb.ts";
import type { Config } from "./config/schema.ts";
import { type ConfigOrigin, ConfigStore } from "./config/store.ts";
import type { ServerContext } from "./context.ts";
import { ChunkPool } from "./core/chunk-pool.ts";
import { logger } from "./core/log.ts";
import { StreamRegistry } from "./core/registry.ts";
import { HlsManager } from "./hls/manager.ts";
import { DemoSource } from "./ingest/demo/demo-source.ts";
import { loadLoopClip } from "./ingest/demo/loop-clip.ts";
import { SourceManager } from "./ingest/source-manager.ts";
import type { ListeningServer, Runtime } from "./runtime/types.ts";
import { type RunningRtspServer, startRtspServer } from "./rtsp/server/rtsp-server.ts";
import { WhepManager } from "./webrtc/whep-manager.ts";
import { WhipManager } from "./webrtc/whip-manager.ts";

/** 1024 TS packets (192,512 bytes): a 2 s segment at 4 Mbit/s takes about six. */
const CHUNK_SIZE = 188 * 1024;
/** Free chunks kept for reuse (~24 MB); a burst beyond that is left to the GC. */
const MAX_FREE_CHUNKS = 128;

const log = logger("server");

function projectFile(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

export interface MediaServer {
  readonly context: ServerContext;
  readonly app: Hono;
  readonly port: number;
  stop(): Promise<void>;
}

/** `origin`: the config file and environment the config came from, for API changes written back (none: defaults only, kept in memory). */
export async function startServer(config: Config, runtime: Runtime, origin?: ConfigOrigin): Promise<MediaServer> {
  const hlsJs = await runtime.readFile(projectFile("node_modules/hls.js/dist/hls.min.js"));
  if (runtime.startCodeSearch) useStartCodeSearch(runtime.startCodeSearch);
  const registry = new StreamRegistry(config.ring);
  const pool = new ChunkPool(CHUNK_SIZE, MAX_FREE_CHUNKS);
  const hls = new HlsManager(registry, config.hls, pool);
  const sources = new SourceManager(config, registry, runtime);
  const auth = await buildAuthorizer(config.auth, (action, path) => (action === "read" ? sources.readCredentials(path) : sources.publishCredentials(path)), runtime);
  log.info(`auth: ${auth.describeDefaults()}`);
  const store = new ConfigStore(config, origin ?? { envNames: [], env: () => undefined, writeFileAtomic: runtime.writeFileAtomic }, (paths) => sources.apply(paths));
  // Deno's node:dgram sends run concurrently and arrive reordered: WebRTC sockets send one at a time there.
  const peerOptions = { orderedSends: runtime.name === "deno" };
  const whep = config.webrtc.enabled ? new WhepManager(registry, config.webrtc, peerOptions) : undefined;
  const whip = config.webrtc.enabled ? new WhipManager(sources, config.webrtc, peerOptions) : undefined;
  const context: ServerContext = {
    config,
    runtime,
    registry,
    hls,
    sources,
    pool,
    whep,
    startedAt: Date.now(),
    ports: {},
    assets: new Map([["hls.min.js", { body: hlsJs, type: "text/javascript; charset=utf-8" }]]),
  };

  let demo: DemoSource | undefined;
  if (config.demo.enabled) {
    const file = config.demo.file ?? projectFile("assets/demo.ts");
    const clip = loadLoopClip(await runtime.readFile(file));
    demo = new DemoSource(clip, registry.create(config.demo.path));
    demo.start();
    registry.get(config.demo.path)!.source = demo;
    log.info(`demo stream "${config.demo.path}" from ${file}: ${clip.tracks.map((t) => t.codec).join(" + ")}, ${clip.span.toFixed(2)} s loop`);
  }

  await sources.start();
  let rtsp: RunningRtspServer | undefined;
  if (config.rtsp.enabled) {
    rtsp = await startRtspServer(runtime, registry, {
      host: config.rtsp.host,
      port: config.rtsp.port,
      sessionTimeout: config.rtsp.sessionTimeout,
      rtpPort: config.rtsp.rtpPort ?? undefined,
      authorize: (request) => auth.check(request),
      digestPassword: (user, action, path) => auth.digestPassword(user, action, path),
      admitPublisher: (path, remote, create) => sources.admit(path, remote, create),
      endPublisher: (publisher, reason) => sources.end(publisher, reason),
    });
    context.ports.rtsp = rtsp.port;
  }

  const app = new Hono();
  app.use("*", requestLimits());
  app.use("*", cors({ origin: config.http.cors, exposeHeaders: ["ETag", "Content-Length", "Location", "Link", "Accept-Patch"] }));
  app.use("*", authorize(auth));
  app.route("/", pathRoutes(context, store));
  app.route("/", apiRoutes(context));
  app.route("/", uiRoutes(context));
  app.route("/", metricsRoutes(context));
  app.route("/", ingestRoutes(context));
  if (whep && whip) app.route("/", webrtcRoutes(whep, whip));
  app.route("/", hlsRoutes(context));
  app.notFound((c) => c.json({ error: `nothing at ${new URL(c.req.url).pathname.slice(0, 120)}` }, 404));
  app.onError((err, c) => {
    log.error(`${c.req.method} ${new URL(c.req.url).pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return c.json({ error: "internal error" }, 500);
  });

  let listening: ListeningServer;
  try {
    listening = await runtime.serve({ port: config.http.port, hostname: config.http.host, fetch: (req, info) => app.fetch(req, info) });
  } catch (e) {
    demo?.stop();
    sources.stop();
    rtsp?.close();
    hls.close();
    throw e;
  }
  return {
    context,
    app,
    port: listening.port,
    async stop() {
      demo?.stop();
      sources.stop();
      rtsp?.close();
      hls.close();
      await Promise.all([whep?.closeAll("server stopping"), whip?.closeAll("server stopping")]);
      for (const s of registry.list()) registry.remove(s.path, "server stopping");
      await listening.stop();
    },
  };
}
