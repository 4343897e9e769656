import { guardSockets } from "../../src/webrtc/socket-guard.ts";
import { RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket, useH264, useOPUS, usePCMU } from "werift";

/** Loopback only: no interface addresses, no STUN server (werift's default is Google's). */
const LOOPBACK = { iceServers: [], iceUseIpv4: false, iceUseIpv6: false, iceAdditionalHostAddresses: ["127.0.0.1"], iceInterfaceAddresses: { udp4: "127.0.0.1" } };

export interface WhepClient {
  readonly pc: RTCPeerConnection;
  readonly status: number;
  readonly location: string | undefined;
  readonly etag: string | undefined;
  readonly body: string;
  /** RTP packets received so far, by kind. */
  readonly received: { video: RtpPacket[]; audio: RtpPacket[] };
  connected(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A werift viewer: offers recvonly video (H.264 packetization-mode 1,
 * Main profile) and audio (Opus, PCMU, PCMA), POSTs to `endpoint` and
 * applies the answer when the server gives one (unless `applyAnswer` is
 * false: a viewer that never connects). Keeps at most `keep` packets per kind.
 */
export async function whepClient(endpoint: string, options: { keep?: number; headers?: Record<string, string>; applyAnswer?: boolean } = {}): Promise<WhepClient> {
  const keep = options.keep ?? 2000;
  const pc = new RTCPeerConnection({
    ...LOOPBACK,
    // werift's default (max-compat) gathers a transport per m-section and, once the answer bundles
    // them, never closes the spare one: a socket leaked per session (measured). WHEP clients bundle.
    bundlePolicy: "max-bundle",
    codecs: {
      video: [useH264({ parameters: "profile-level-id=4d001f;packetization-mode=1;level-asymmetry-allowed=1" })],
      audio: [useOPUS(), usePCMU(), new RTCRtpCodecParameters({ mimeType: "audio/PCMA", clockRate: 8000, channels: 1, payloadType: 8 })],
    },
  });
  const received = { video: [] as RtpPacket[], audio: [] as RtpPacket[] };
  for (const kind of ["video", "audio"] as const) {
    const t = pc.addTransceiver(kind, { direction: "recvonly" });
    t.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((p) => {
        const list = received[kind];
        if (list.length < keep) list.push(p);
      }),
    );
  }
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.iceGatheringStateChange.subscribe((s) => s === "complete" && resolve());
  });
  // Bun turns an ICMP port-unreachable into an 'error' event werift does not listen for (see the server's guard).
  guardSockets(pc, () => {});
  const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/sdp", ...options.headers }, body: pc.localDescription!.sdp });
  const body = await res.text();
  if (res.status === 201 && options.applyAnswer !== false) await pc.setRemoteDescription({ type: "answer", sdp: body });
  const location = res.headers.get("Location") ?? undefined;
  return {
    pc,
    status: res.status,
    location: location ? new URL(location, endpoint).href : undefined,
    etag: res.headers.get("ETag") ?? undefined,
    body,
    received,
    connected: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (pc.connectionState === "connected") return resolve();
        const timer = setTimeout(() => reject(new Error(`not connected within ${timeoutMs} ms (${pc.connectionState})`)), timeoutMs);
        pc.connectionStateChange.subscribe((s) => {
          if (s === "connected") {
            clearTimeout(timer);
            resolve();
          }
        });
      }),
    close: () => pc.close(),
  };
}
