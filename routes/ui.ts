import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";

/** One static page: the stream list from /v1/streams and an hls.js player (served by us, no CDN). */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Media server</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
  header { padding: 12px 20px; background: #1b1b1b; border-bottom: 1px solid #333; }
  main { display: flex; gap: 20px; padding: 20px; flex-wrap: wrap; }
  ul { list-style: none; padding: 0; margin: 0; min-width: 240px; }
  li { padding: 8px 10px; border: 1px solid #333; margin-bottom: 6px; cursor: pointer; border-radius: 4px; }
  li.on { border-color: #4a9eff; }
  small { color: #999; display: block; }
  video { width: min(960px, 100%); background: #000; border-radius: 4px; }
  code { color: #8cf; }
</style>
</head>
<body>
<header><strong>Media server</strong> <span id="status"></span></header>
<main>
  <ul id="streams"><li>loading…</li></ul>
  <div>
    <video id="video" controls muted autoplay playsinline></video>
    <p>HLS URL: <code id="url">pick a stream</code></p>
    <p>WebRTC (WHEP): <a id="webrtc" href="#">pick a stream</a></p>
  </div>
</main>
<script src="/assets/hls.min.js"></script>
<script>
const video = document.getElementById("video");
let hls, current;
function play(path) {
  current = path;
  const url = location.origin + "/" + path + "/index.m3u8";
  document.getElementById("url").textContent = url;
  const webrtc = document.getElementById("webrtc");
  webrtc.href = "/" + path + "/webrtc";
  webrtc.textContent = "player page (endpoint " + location.origin + "/" + path + "/whep)";
  if (hls) hls.destroy();
  if (window.Hls && Hls.isSupported()) {
    hls = new Hls({ liveDurationInfinity: true });
    hls.loadSource(url);
    hls.attachMedia(video);
  } else {
    video.src = url;
  }
  video.play().catch(() => {});
  render(lastStreams);
}
let lastStreams = [];
function describe(s) {
  return s.tracks.map((t) => t.kind === "video" ? t.codec + " " + (t.width || "?") + "x" + (t.height || "?") : t.codec + " " + (t.sampleRate || "") + " Hz").join(", ");
}
function render(streams) {
  lastStreams = streams;
  const ul = document.getElementById("streams");
  ul.replaceChildren(...streams.map((s) => {
    const li = document.createElement("li");
    li.className = s.path === current ? "on" : "";
    li.textContent = s.path;
    const small = document.createElement("small");
    small.textContent = describe(s) + " · " + s.readers.length + " reader(s)";
    li.append(small);
    li.onclick = () => play(s.path);
    return li;
  }));
  if (!streams.length) ul.innerHTML = "<li>no streams</li>";
}
async function refresh() {
  try {
    const r = await fetch("/v1/streams");
    const { streams } = await r.json();
    render(streams);
    if (!current && streams.length) play(streams[0].path);
    document.getElementById("status").textContent = "";
  } catch (e) {
    document.getElementById("status").textContent = "server unreachable";
  }
}
refresh();
setInterval(refresh, 5000);
</script>
</body>
</html>
`;

const pageBytes = new TextEncoder().encode(PAGE);

export function uiRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/", (c) => c.body(pageBytes, 200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" }));
  // Browsers ask for it on every page; an empty answer keeps logs and consoles clean.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "Cache-Control": "public, max-age=86400" }));
  app.get("/assets/:name", (c) => {
    const asset = ctx.assets.get(c.req.param("name"));
    if (!asset) return c.json({ error: `no asset named "${c.req.param("name").slice(0, 80)}"` }, 404);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { "Content-Type": asset.type, "Cache-Control": "public, max-age=86400" });
  });
  return app;
}
