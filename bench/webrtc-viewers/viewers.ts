/**
 * Load for bench/webrtc-viewers: opens WHEP viewers on SERVER/PATH/whep in
 * steps (COUNTS), and at each step measures, over WINDOW seconds after WARMUP:
 * the server's CPU (cores, from /proc/<pid>/stat), its frames sent and
 * dropped (GET /v1/webrtc/sessions), and the frames the viewers received
 * whole (no sequence gap before the marker), and its RSS. One JSON line per step.
 *
 * The viewers are werift peers that stop decrypting once connected: SRTP
 * leaves RTP headers in the clear (RFC 3711 3.1), so sequence numbers and
 * markers are counted straight from the datagrams, without the AES and RTP
 * stack that would make the load generator cost as much as the server.
 * ICE consent checks go on (they are STUN, below that); the viewers send no
 * RTCP reports or NACKs, so lost packets stay lost.
 *
 * Usage: bun viewers.ts <server url> <server pid> <path> <count>...
 * Env: WARMUP=5 WINDOW=10 HZ=100 STOP_LOSS=0.01
 */
import { readFileSync } from "node:fs";
import { RTCPeerConnection, useH264 } from "werift";
import { guardSockets } from "../../src/webrtc/socket-guard.ts";

const [url, pidArg, path, ...countArgs] = process.argv.slice(2);
if (!url || !pidArg || !path || countArgs.length === 0) throw new Error("usage: viewers.ts <server url> <server pid> <path> <count>...");
const serverPid = Number(pidArg);
const counts = countArgs.map(Number);
const WARMUP = Number(process.env.WARMUP ?? 5);
const WINDOW = Number(process.env.WINDOW ?? 10);
const HZ = Number(process.env.HZ ?? 100);
const STOP_LOSS = Number(process.env.STOP_LOSS ?? 0.01);
/** Offers answered at once: ICE and DTLS of new viewers must not starve the ones already playing. */
const PARALLEL = 4;

interface Viewer {
  pc: RTCPeerConnection;
  id: string;
  packets: number;
  order: Reorder;
}

/** Packets back into sequence order within a window, then frames counted whole (no missing packet since the last marker). */
class Reorder {
  /** Packets held while an earlier one is missing; past this many the missing one counts as lost. */
  static readonly WINDOW = 64;
  private readonly held = new Map<number, boolean>();
  private next: number | undefined;
  private gap = false;
  complete = 0;
  lost = 0;
  reordered = 0;

  push(seq: number, marker: boolean): void {
    if (this.next === undefined) this.next = seq;
    const ahead = (seq - this.next + 0x10000) & 0xffff;
    if (ahead >= 0x8000) {
      this.reordered++; // older than the window: already counted lost
      return;
    }
    // Fills the hole later packets wait behind: it came out of order.
    if (ahead === 0 && this.held.size > 0) this.reordered++;
    this.held.set(seq, marker);
    while (this.held.size > 0) {
      const m = this.held.get(this.next!);
      if (m === undefined) {
        if (this.held.size <= Reorder.WINDOW) return;
        this.lost++;
        this.gap = true;
      } else {
        this.held.delete(this.next!);
        if (m) {
          if (!this.gap) this.complete++;
          this.gap = false;
        }
      }
      this.next = (this.next! + 1) & 0xffff;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serverRssMb(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${serverPid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** Busy clock ticks of the whole machine (user, nice, system, irq, softirq, steal: /proc/stat). */
function machineTicks(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  return f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
}

function serverTicks(): number {
  const fields = readFileSync(`/proc/${serverPid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function openViewer(): Promise<Viewer> {
  const pc = newPeer();
  try {
    return await connect(pc);
  } catch (e) {
    await pc.close();
    throw e;
  }
}

function newPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceInterfaceAddresses: { udp4: "127.0.0.1" },
    bundlePolicy: "max-bundle",
    codecs: { video: [useH264({ parameters: "profile-level-id=4d001f;packetization-mode=1;level-asymmetry-allowed=1" })], audio: [] },
  });
}

async function connect(pc: RTCPeerConnection): Promise<Viewer> {
  const v: Viewer = { pc, id: "", packets: 0, order: new Reorder() };
  pc.addTransceiver("video", { direction: "recvonly" });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((r) => (pc.iceGatheringState === "complete" ? r() : pc.iceGatheringStateChange.subscribe((s) => s === "complete" && r())));
  guardSockets(pc, () => {});
  const res = await fetch(`${url}/${path}/whep`, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription!.sdp });
  if (res.status !== 201) throw new Error(`POST: ${res.status} ${await res.text()}`);
  v.id = res.headers.get("Location")!.split("/").pop()!;
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  await new Promise<void>((r, f) => {
    const timer = setTimeout(() => f(new Error("viewer did not connect in 15 s")), 15_000);
    pc.connectionStateChange.subscribe((s) => s === "connected" && (clearTimeout(timer), r()));
  });
  // From now on the datagrams are counted, not handed to werift's SRTP and RTP stack (see above).
  const connection = pc.iceTransports[0]!.connection;
  connection.onData.allUnsubscribe();
  connection.onData.subscribe((data: Buffer) => {
    // RTCP packet types 200..207 share the second byte's range with RTP marker + PT (RFC 5761 4).
    if (data.length < 12 || (data[1]! >= 200 && data[1]! <= 207)) return;
    v.packets++;
    v.order.push(data.readUInt16BE(2), (data[1]! & 0x80) !== 0);
  });
  return v;
}

interface SessionFrames {
  id: string;
  tracks: { codec: string; frames: number }[];
  framesDropped: number;
}

async function serverFrames(): Promise<Map<string, number>> {
  const { sessions } = (await (await fetch(`${url}/v1/webrtc/sessions`)).json()) as { sessions: SessionFrames[] };
  return new Map(sessions.map((s) => [s.id, (s.tracks.find((t) => t.codec === "h264")?.frames ?? 0) + s.framesDropped]));
}

const viewers: Viewer[] = [];
/** Viewers that did not get going (refused, or no ICE/DTLS within 15 s): counted, and the step goes on without them. */
let failedConnects = 0;
for (const n of counts) {
  const stepFailures = failedConnects;
  while (viewers.length < n && failedConnects - stepFailures < n) {
    const batch = Math.min(PARALLEL, n - viewers.length);
    for (const r of await Promise.allSettled(Array.from({ length: batch }, openViewer))) {
      if (r.status === "fulfilled") viewers.push(r.value);
      else {
        failedConnects++;
        console.error(`viewer failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      }
    }
  }
  await sleep(WARMUP * 1000);
  const s0 = await serverFrames();
  const c0 = viewers.map((v) => ({ complete: v.order.complete, packets: v.packets, lost: v.order.lost, reordered: v.order.reordered }));
  const t0 = serverTicks();
  const m0 = machineTicks();
  const u0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(WINDOW * 1000);
  const wall = (performance.now() - w0) / 1000;
  const t1 = serverTicks();
  const m1 = machineTicks();
  const u1 = process.cpuUsage(u0);
  const s1 = await serverFrames();
  let expected = 0;
  let complete = 0;
  let packets = 0;
  let lost = 0;
  let reordered = 0;
  viewers.forEach((v, i) => {
    expected += (s1.get(v.id) ?? 0) - (s0.get(v.id) ?? 0);
    complete += v.order.complete - c0[i]!.complete;
    packets += v.packets - c0[i]!.packets;
    lost += v.order.lost - c0[i]!.lost;
    reordered += v.order.reordered - c0[i]!.reordered;
  });
  const serverCores = (t1 - t0) / HZ / wall;
  const clientCores = (u1.user + u1.system) / 1e6 / wall;
  // Other work on the machine during the window (it is shared): a busy neighbour on the server's core shows here.
  const otherCores = Math.max(0, (m1 - m0) / HZ / wall - serverCores - clientCores);
  const step = {
    viewers: viewers.length,
    failedConnects,
    serverCores: Number(serverCores.toFixed(3)),
    serverCoreMsPerViewerSecond: Number(((serverCores * 1000) / n).toFixed(3)),
    clientCores: Number(clientCores.toFixed(3)),
    otherCores: Number(otherCores.toFixed(2)),
    framesExpected: expected,
    framesComplete: complete,
    frameLoss: expected > 0 ? Number(Math.max(0, 1 - complete / expected).toFixed(4)) : 1,
    packetsPerSecond: Math.round(packets / wall),
    packetsLost: lost,
    packetsOutOfOrder: reordered,
    serverRssMb: serverRssMb(),
  };
  console.log(JSON.stringify(step));
  if (step.frameLoss > STOP_LOSS || serverCores > 0.97) break;
}
await Promise.all(viewers.map((v) => fetch(`${url}/${path}/whep/sessions/${v.id}`, { method: "DELETE" }).catch(() => {})));
await Promise.all(viewers.map((v) => v.pc.close()));
process.exit(0);
