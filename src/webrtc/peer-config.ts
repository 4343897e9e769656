import { type RTCPeerConnectionConfig, RTCRtpCodecParameters } from "werift";
import type { WebRtcConfig } from "../config/schema.ts";
import type { OfferedCodec, OfferedSection } from "./offer.ts";

/** A payload format chosen for one m-section (a track to send, or one to receive from a publisher). */
export interface ChosenFormat {
  readonly section: OfferedSection;
  readonly codec: OfferedCodec;
}

/**
 * werift codec entries for this offer: exactly the payload formats we chose
 * (the offer was filtered down to them), plus one format of each section we
 * do not use, so werift can answer it (inactive) instead of failing.
 * werift answers with the offer's own payload numbers, fmtp and rtcp-fb.
 */
function codecsFor(plan: readonly ChosenFormat[], sections: readonly OfferedSection[]): NonNullable<RTCPeerConnectionConfig["codecs"]> {
  const audio: RTCRtpCodecParameters[] = [];
  const video: RTCRtpCodecParameters[] = [];
  const add = (kind: "audio" | "video", name: string, clockRate: number, channels: number) => {
    const list = kind === "audio" ? audio : video;
    const mimeType = `${kind}/${name}`;
    if (list.some((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase())) return;
    list.push(
      new RTCRtpCodecParameters({
        mimeType,
        clockRate,
        channels: kind === "audio" ? channels : undefined,
      }),
    );
  };
  for (const p of plan) add(p.section.kind, p.codec.name, p.codec.clockRate, p.codec.channels);
  const planned = new Set(plan.map((p) => p.section));
  for (const s of sections) {
    const first = s.codecs[0];
    if (!planned.has(s) && first) add(s.kind, first.name, first.clockRate, first.channels);
  }
  return { audio, video };
}

/** The werift configuration of one WHEP or WHIP session. */
export function peerConfig(config: WebRtcConfig, plan: readonly ChosenFormat[], sections: readonly OfferedSection[]): RTCPeerConnectionConfig {
  const ipv6Host = config.host.includes(":");
  const anyHost = config.host === "0.0.0.0" || config.host === "::";
  return {
    codecs: codecsFor(plan, sections),
    headerExtensions: { audio: [], video: [] },
    // werift's default is a public Google STUN server: never talk to it unless configured.
    iceServers: config.iceServers.map((s) => ({ ...s })),
    iceUseIpv4: config.interfaceAddresses === "ipv4" || config.interfaceAddresses === "both",
    iceUseIpv6: config.interfaceAddresses === "ipv6" || config.interfaceAddresses === "both",
    iceAdditionalHostAddresses: config.announcedAddresses.length > 0 ? [...config.announcedAddresses] : undefined,
    iceInterfaceAddresses: anyHost ? undefined : ipv6Host ? { udp6: config.host } : { udp4: config.host },
    icePortRange: config.udpPortRange ? [config.udpPortRange[0], config.udpPortRange[1]] : undefined,
    bundlePolicy: "max-bundle",
  };
}
