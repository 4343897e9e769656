import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";

/**
 * One static page (no CDN): the streams from /v1/streams every 2 s (source
 * state, tracks, bitrate, readers), a player (hls.js, or the WHEP player page
 * for WebRTC), and each protocol's URL with a copy button.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Media server</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
  header { padding: 10px 20px; background: #1b1b1b; border-bottom: 1px solid #333; display: flex; gap: 16px; align-items: baseline; }
  main { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 960px); gap: 20px; padding: 20px; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #2a2a2a; vertical-align: top; }
  th { color: #999; font-weight: normal; }
  tr.stream { cursor: pointer; }
  tr.on td { background: #1d2a3a; }
  .state-running { color: #6c6; } .state-failed, .state-idle { color: #e96; } .state-starting { color: #cc6; }
  video, iframe { width: 100%; aspect-ratio: 16 / 9; background: #000; border: 0; border-radius: 4px; }
  code { color: #8cf; word-break: break-all; }
  button { background: #2a2a2a; color: #eee; border: 1px solid #444; border-radius: 3px; cursor: pointer; padding: 2px 8px; }
  button.on { border-color: #4a9eff; }
  dl { display: grid; grid-template-columns: max-content 1fr max-content; gap: 6px 10px; align-items: center; }
  dt { color: #999; } dd { margin: 0; }
</style>
</head>
<body>
<header><strong>Media server</strong> <span id="version"></span> <span id="status"></span></header>
<main>
  <section>
    <table>
      <thead><tr><th>path</th><th>source</th><th>tracks</th><th>bitrate</th><th>readers</th></tr></thead>
      <tbody id="streams"><tr><td colspan="5">loading…</td></tr></tbody>
    </table>
  </section>
  <section>
    <div><button id="use-hls" class="on">HLS</button> <button id="use-webrtc">WebRTC</button></div>
    <p><video id="video" controls muted autoplay playsinline></video><iframe id="webrtc-player" hidden title="WebRTC player"></iframe></p>
    <dl id="urls">
      <dt>HLS</dt><dd><code id="url">pick a stream</code></dd><dd><button data-copy="url">copy</button></dd>
      <dt>HLS (multivariant)</dt><dd><code id="url-main"></code></dd><dd><button data-copy="url-main">copy</button></dd>
      <dt>RTSP</dt><dd><code id="url-rtsp"></code></dd><dd><button data-copy="url-rtsp">copy</button></dd>
      <dt>WebRTC (WHEP)</dt><dd><code id="url-whep"></code></dd><dd><button data-copy="url-whep">copy</button></dd>
    </dl>
  </section>
</main>
<script src="/assets/hls.min.js"></script>
<script>
const $ = (id) => document.getElementById(id);
const video = $("video");
let hls, current, mode = "hls", rtspPort = null, lastStreams = [];
const text = (el, value) => { el.textContent = value; return el; };
function kbps(bits) { return bits >= 1e6 ? (bits / 1e6).toFixed(1) + " Mbit/s" : Math.round(bits / 1e3) + " kbit/s"; }
function tracks(s) {
  return s.tracks.map((t) => t.kind === "video" ? t.codec + " " + (t.width || "?") + "x" + (t.height || "?") : t.codec + " " + (t.sampleRate ? t.sampleRate / 1000 + " kHz" : "")).join(", ");
}
function readers(s) {
  const by = {};
  for (const r of s.readers) by[r.protocol] = (by[r.protocol] || 0) + 1;
  return Object.entries(by).map(([p, n]) => n + " " + p).join(", ") || "none";
}
/** Bumped by every showPlayer: a start still waiting gives way to the viewer's newer choice. */
let loads = 0;
// Classic HLS: hls.js holds back 2 target durations instead of its default 3 (RFC 8216 6.3.3 says
// SHOULD), and starts the moment a segment is added, so the newest one it sees is fresh. That keeps
// a segment of margin over its playlist polling and puts the picture ~2.1 instead of 3.5 target
// durations behind live (docs/hls.md), for up to one segment more to wait before the start.
// LL-HLS keeps PART-HOLD-BACK, which any liveSync* setting would override.
const newestUri = (playlist) => playlist.trim().split("\\n").filter((l) => l && !l.startsWith("#")).pop();
async function hlsConfig(url, load) {
  const config = { liveDurationInfinity: true };
  try {
    const first = await (await fetch(url)).text();
    if (first.includes("#EXT-X-PART-INF") || first.includes("#EXT-X-ENDLIST")) return config;
    config.liveSyncDurationCount = 2;
    const targetDuration = Number(/#EXT-X-TARGETDURATION:(\\d+)/.exec(first)?.[1] ?? 2);
    const until = performance.now() + targetDuration * 1000 + 1000;
    while (load === loads && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      if (newestUri(await (await fetch(url)).text()) !== newestUri(first)) break;
    }
  } catch {}
  return config;
}
function showPlayer() {
  const load = ++loads;
  $("use-hls").className = mode === "hls" ? "on" : "";
  $("use-webrtc").className = mode === "webrtc" ? "on" : "";
  video.hidden = mode !== "hls";
  $("webrtc-player").hidden = mode !== "webrtc";
  if (!current) return;
  if (hls) { hls.destroy(); hls = undefined; }
  if (mode === "webrtc") {
    video.removeAttribute("src");
    $("webrtc-player").src = "/" + current + "/webrtc";
    return;
  }
  $("webrtc-player").removeAttribute("src");
  const url = $("url").textContent;
  if (!(window.Hls && Hls.isSupported())) {
    video.src = url;
    video.play().catch(() => {});
    return;
  }
  hlsConfig(url, load).then((config) => {
    if (load !== loads) return; // the viewer picked another stream or WebRTC meanwhile
    hls = new Hls(config);
    hls.loadSource(url);
    hls.attachMedia(video);
    video.play().catch(() => {});
  });
}
function play(path) {
  current = path;
  const base = location.origin + "/" + path;
  text($("url"), base + "/index.m3u8");
  text($("url-main"), base + "/main.m3u8");
  text($("url-rtsp"), rtspPort ? "rtsp://" + location.hostname + ":" + rtspPort + "/" + path : "RTSP is off");
  text($("url-whep"), base + "/whep");
  showPlayer();
  render(lastStreams);
}
function render(streams) {
  lastStreams = streams;
  const body = $("streams");
  if (!streams.length) { body.innerHTML = "<tr><td colspan=5>no streams</td></tr>"; return; }
  body.replaceChildren(...streams.map((s) => {
    const tr = document.createElement("tr");
    tr.className = "stream" + (s.path === current ? " on" : "");
    tr.dataset.path = s.path;
    const state = s.source ? s.source.state : "running";
    const src = text(document.createElement("td"), s.source ? s.source.kind + " " : "");
    src.append(text(document.createElement("span"), state));
    src.lastChild.className = "state-" + state;
    if (s.source && s.source.reason) src.title = s.source.reason;
    tr.append(text(document.createElement("td"), s.path), src, text(document.createElement("td"), tracks(s)), text(document.createElement("td"), kbps(s.bitrate)), text(document.createElement("td"), readers(s)));
    tr.onclick = () => play(s.path);
    return tr;
  }));
}
async function refresh() {
  try {
    const res = await fetch("/v1/streams");
    if (res.status === 401 || res.status === 403) {
      text($("status"), "the stream list needs API access (by default from localhost only; see docs/auth.md)");
      return;
    }
    const { streams } = await res.json();
    render(streams);
    if (!current && streams.length) play(streams[0].path);
    text($("status"), "");
  } catch (e) {
    text($("status"), "server unreachable");
  }
}
$("use-hls").onclick = () => { mode = "hls"; showPlayer(); };
$("use-webrtc").onclick = () => { mode = "webrtc"; showPlayer(); };
for (const b of document.querySelectorAll("button[data-copy]")) {
  b.onclick = async () => {
    await navigator.clipboard.writeText($(b.dataset.copy).textContent).catch(() => {});
    text(b, "copied");
    setTimeout(() => text(b, "copy"), 1200);
  };
}
fetch("/v1/info").then((r) => r.json()).then((info) => {
  rtspPort = info.rtspPort;
  text($("version"), "v" + info.version + " on " + info.runtime);
}).catch(() => {}).finally(() => { refresh(); setInterval(refresh, 2000); });
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
