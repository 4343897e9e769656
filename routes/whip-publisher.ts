/**
 * GET /<path>/publish: a page that publishes the camera and microphone to
 * the path over WHIP, or with `?source=canvas` a drawn picture (a clock,
 * and the sending time as 24 black/white squares for latency measurements:
 * bit i of Date.now() & 0xffffff at x = 40 + 20·i, y = 20, with white and
 * black reference squares at x = 0 and 20) and a tone. `window.whip` is
 * there for tests.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Publish</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; padding: 20px; background: #111; color: #eee; }
  video, canvas { width: min(640px, 100%); background: #000; border-radius: 4px; display: block; }
</style>
</head>
<body>
<video id="preview" muted autoplay playsinline></video>
<p id="status">starting…</p>
<script>
const params = new URLSearchParams(location.search);
const endpoint = location.pathname.replace(/\\/publish$/, "/whip");
const status = (t) => (document.getElementById("status").textContent = t);
const whip = (window.whip = { pc: new RTCPeerConnection(), session: null, etag: null, error: null });
function canvasSource() {
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 360;
  const ctx = canvas.getContext("2d");
  setInterval(() => {
    const now = Date.now();
    ctx.fillStyle = "#234";
    ctx.fillRect(0, 0, 640, 360);
    ctx.fillStyle = "#fff";
    ctx.font = "48px monospace";
    ctx.fillText(new Date(now).toISOString().slice(11, 23), 150, 200);
    ctx.fillRect(0, 0, 20, 60);
    ctx.fillStyle = "#000";
    ctx.fillRect(20, 0, 20, 60);
    for (let i = 0; i < 24; i++) {
      ctx.fillStyle = (now >> i) & 1 ? "#fff" : "#000";
      ctx.fillRect(40 + 20 * i, 0, 20, 60);
    }
  }, 1000 / 30);
  const media = canvas.captureStream(30);
  if (params.get("audio") !== "0") {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const out = audio.createMediaStreamDestination();
    tone.connect(out);
    tone.start();
    media.addTrack(out.stream.getAudioTracks()[0]);
  }
  return media;
}
async function patch(candidates, ufrag, pwd) {
  const body = ["a=ice-ufrag:" + ufrag, "a=ice-pwd:" + pwd, "m=video 9 UDP/TLS/RTP/SAVPF 0"];
  for (const c of candidates) body.push("a=mid:" + c.sdpMid, "a=" + c.candidate);
  await fetch(whip.session, { method: "PATCH", headers: { "Content-Type": "application/trickle-ice-sdpfrag", "If-Match": whip.etag }, body: body.join("\\r\\n") + "\\r\\n" });
}
async function publish() {
  const media = params.get("source") === "canvas" ? canvasSource() : await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  document.getElementById("preview").srcObject = media;
  const pc = whip.pc;
  for (const track of media.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
  pc.onconnectionstatechange = () => status(pc.connectionState);
  const early = [];
  pc.onicecandidate = (e) => e.candidate && e.candidate.candidate && (whip.session ? patch([e.candidate], ufrag, pwd) : early.push(e.candidate));
  await pc.setLocalDescription(await pc.createOffer());
  const ufrag = /a=ice-ufrag:(.*)/.exec(pc.localDescription.sdp)[1].trim();
  const pwd = /a=ice-pwd:(.*)/.exec(pc.localDescription.sdp)[1].trim();
  const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error((await res.json()).error || res.statusText);
  whip.etag = res.headers.get("ETag");
  whip.session = new URL(res.headers.get("Location"), location.href).href;
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  if (early.length) await patch(early, ufrag, pwd);
  addEventListener("pagehide", () => fetch(whip.session, { method: "DELETE", keepalive: true }));
}
publish().catch((e) => { whip.error = String(e.message || e); status("error: " + whip.error); });
</script>
</body>
</html>
`;

export const whipPublisherPage = new TextEncoder().encode(PAGE);
