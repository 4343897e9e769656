/**
 * GET /<path>/webrtc: a page that plays the path over WHEP. The client is
 * plain RTCPeerConnection + fetch: offer, POST, answer, candidates trickled
 * by PATCH, DELETE when the page goes. `window.whep` is there for tests.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WebRTC</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; padding: 20px; background: #111; color: #eee; }
  video { width: min(960px, 100%); background: #000; border-radius: 4px; display: block; }
  pre { color: #9c9; white-space: pre-wrap; }
</style>
</head>
<body>
<video id="video" controls muted autoplay playsinline></video>
<p id="status">connecting…</p>
<pre id="info"></pre>
<script>
const endpoint = location.pathname.replace(/\\/webrtc$/, "/whep");
const status = (t) => (document.getElementById("status").textContent = t);
const whep = (window.whep = { pc: new RTCPeerConnection(), session: null, etag: null, error: null });
async function patch(candidates, ufrag, pwd) {
  const body = ["a=ice-ufrag:" + ufrag, "a=ice-pwd:" + pwd, "m=video 9 UDP/TLS/RTP/SAVPF 0"];
  for (const c of candidates) body.push("a=mid:" + c.sdpMid, "a=" + c.candidate);
  await fetch(whep.session, { method: "PATCH", headers: { "Content-Type": "application/trickle-ice-sdpfrag", "If-Match": whep.etag }, body: body.join("\\r\\n") + "\\r\\n" });
}
async function play() {
  const pc = whep.pc;
  const video = document.getElementById("video");
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  pc.ontrack = (e) => {
    if (!video.srcObject) video.srcObject = e.streams[0] || new MediaStream();
    if (!video.srcObject.getTracks().includes(e.track)) video.srcObject.addTrack(e.track);
  };
  pc.onconnectionstatechange = () => status(pc.connectionState);
  const early = [];
  pc.onicecandidate = (e) => e.candidate && e.candidate.candidate && (whep.session ? patch([e.candidate], ufrag, pwd) : early.push(e.candidate));
  await pc.setLocalDescription(await pc.createOffer());
  const ufrag = /a=ice-ufrag:(.*)/.exec(pc.localDescription.sdp)[1].trim();
  const pwd = /a=ice-pwd:(.*)/.exec(pc.localDescription.sdp)[1].trim();
  const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error((await res.json()).error || res.statusText);
  whep.etag = res.headers.get("ETag");
  whep.session = new URL(res.headers.get("Location"), location.href).href;
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  if (early.length) await patch(early, ufrag, pwd);
  addEventListener("pagehide", () => fetch(whep.session, { method: "DELETE", keepalive: true }));
  const info = await (await fetch(whep.session)).json();
  document.getElementById("info").textContent = info.tracks.map((t) => "sending " + t.codec + (t.note ? " (" + t.note + ")" : "")).concat(info.leftOut.map((t) => "left out " + t.codec + ": " + t.reason)).join("\\n");
}
play().catch((e) => { whep.error = String(e.message || e); status("error: " + whep.error); });
</script>
</body>
</html>
`;

export const whepPlayerPage = new TextEncoder().encode(PAGE);
