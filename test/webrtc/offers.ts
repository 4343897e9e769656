import { readFileSync } from "node:fs";

/** A real offer: Chromium 156, recvonly video then audio transceivers (captured with playwright-core). */
export const CHROMIUM_OFFER = readFileSync(new URL("../fixtures/webrtc/chromium-156-offer.sdp", import.meta.url), "utf8").trim() + "\r\n";

/** A minimal valid offer with the given m-sections (each a list of lines after its m= line). */
export function offer(...sections: { m: string; lines: string[] }[]): string {
  const head = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE " + sections.map((_, i) => i).join(" ")];
  const body = sections.flatMap((s, i) => [
    s.m,
    "c=IN IP4 0.0.0.0",
    "a=ice-ufrag:abcd",
    "a=ice-pwd:0123456789abcdefghijkl",
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
    "a=setup:actpass",
    `a=mid:${i}`,
    "a=rtcp-mux",
    ...s.lines,
  ]);
  return [...head, ...body].join("\r\n") + "\r\n";
}

export const h264Section = (pt: number, fmtp: string, direction = "recvonly") => ({
  m: `m=video 9 UDP/TLS/RTP/SAVPF ${pt}`,
  lines: [`a=${direction}`, `a=rtpmap:${pt} H264/90000`, `a=fmtp:${pt} ${fmtp}`],
});

export const audioSection = (payloads: string, rtpmaps: string[], direction = "recvonly") => ({
  m: `m=audio 9 UDP/TLS/RTP/SAVPF ${payloads}`,
  lines: [`a=${direction}`, ...rtpmaps],
});

/** A real publishing offer: Chromium 156, sendonly audio (an AudioContext) then video (a canvas). */
export const CHROMIUM_PUBLISH_OFFER = readFileSync(new URL("../fixtures/webrtc/chromium-156-publish-offer.sdp", import.meta.url), "utf8").trim() + "\r\n";
