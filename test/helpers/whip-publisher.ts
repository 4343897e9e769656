import { readFileSync } from "node:fs";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useH264, useNACK, usePLI } from "werift";
import { loadLoopClip } from "../../src/ingest/demo/loop-clip.ts";
import { guardSockets } from "../../src/webrtc/socket-guard.ts";
import { RtpWriter } from "../../src/webrtc/rtp-writer.ts";

/** Loopback only, one bundled transport (see whep-client.ts). */
const LOOPBACK = {
  iceServers: [],
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ["127.0.0.1"],
  iceInterfaceAddresses: { udp4: "127.0.0.1" },
  bundlePolicy: "max-bundle" as const,
};

export interface WhipPublisher {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  /** Keyframe requests (RTCP PLI) the server sent us. */
  readonly plis: () => number;
  /** Video frames sent so far. */
  readonly frames: () => number;
  close(): Promise<void>;
}

/**
 * A werift WHIP publisher: offers sendonly H.264 (Constrained Baseline in
 * the SDP, packetization-mode 1), and once connected sends the video of
 * `clip` (MPEG-TS without B-frames) in real time, looped, packetized by our
 * RtpWriter, for at most `maxSeconds`.
 */
export async function whipPublisher(endpoint: string, clip: string, maxSeconds = 60): Promise<WhipPublisher> {
  const pc = new RTCPeerConnection({
    ...LOOPBACK,
    codecs: { video: [useH264({ rtcpFeedback: [useNACK(), usePLI()] })], audio: [] },
  });
  const t = pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
  let plis = 0;
  let frames = 0;
  t.sender.onPictureLossIndication.subscribe(() => plis++);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.iceGatheringStateChange.subscribe((s) => s === "complete" && resolve());
  });
  guardSockets(pc, () => {});
  const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription!.sdp });
  const body = await res.text();
  const location = res.headers.get("Location");
  let stopped = false;
  if (res.status === 201) {
    await pc.setRemoteDescription({ type: "answer", sdp: body });
    const payloadType = Number(/a=rtpmap:(\d+) H264\/90000/i.exec(body)?.[1]);
    const units = loadLoopClip(new Uint8Array(readFileSync(clip))).units.filter((u) => u.track.kind === "video");
    const writer = new RtpWriter(units[0]!.track, 90000);
    void (async () => {
      await new Promise<void>((resolve) => {
        if (pc.connectionState === "connected") return resolve();
        pc.connectionStateChange.subscribe((s) => s === "connected" && resolve());
      });
      const start = performance.now();
      const first = units[0]!.pts;
      const span = units[units.length - 1]!.pts - first + 3600;
      for (let i = 0; !stopped && performance.now() - start < maxSeconds * 1000; i++) {
        const au = units[i % units.length]!;
        const pts = au.pts - first + Math.floor(i / units.length) * span;
        const due = start + pts / 90;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        for (const p of writer.write({ ...au, pts, dts: pts })) {
          const header = new RtpHeader({ marker: p.marker, payloadType, sequenceNumber: p.sequence, timestamp: p.timestamp });
          await t.sender.sendRtp(new RtpPacket(header, Buffer.from(p.payload)));
        }
        frames++;
      }
    })();
  }
  return {
    status: res.status,
    location: location ? new URL(location, endpoint).href : undefined,
    body,
    plis: () => plis,
    frames: () => frames,
    close: async () => {
      stopped = true;
      await pc.close();
    },
  };
}
