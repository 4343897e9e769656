import { parse } from "sdp-transform";
import { ParseError } from "../core/errors.ts";
import { parseFmtp } from "../rtsp/sdp.ts";

/** One payload format an offerer can receive in one m-section. */
export interface OfferedCodec {
  payloadType: number;
  /** Encoding name as written (H264, opus, PCMU, ...). */
  name: string;
  clockRate: number;
  channels: number;
  /** fmtp parameters, keys lower-cased. */
  fmtp: Record<string, string>;
}

/** An audio or video m-section of a WHEP or WHIP offer. */
export interface OfferedSection {
  /** Index among all m-sections (data channels included), as the answer must keep it. */
  index: number;
  kind: "audio" | "video";
  mid: string | undefined;
  /** The offerer receives on it (recvonly or sendrecv), so we may send (WHEP). */
  receives: boolean;
  /** The offerer sends on it (sendonly or sendrecv), so we may receive (WHIP). */
  sends: boolean;
  codecs: OfferedCodec[];
}

export interface WhepOffer {
  sections: OfferedSection[];
  /** ICE username fragment of the offer, to tell trickle from restart (RFC 8840 4.4). */
  iceUfrag: string;
}

/** An offer is a small text; anything bigger is a mistake or an attack. */
export const MAX_OFFER_BYTES = 64 << 10;
/** RTP payload types are 7 bits (RFC 3550 5.1). */
const MAX_PAYLOAD_TYPE = 127;

function text(v: unknown): string {
  return v === undefined || v === null ? "" : String(v).trim();
}

/**
 * Reads a WHEP (or WHIP) offer and refuses what werift cannot answer, with the reason:
 * WebRTC needs ICE credentials, a DTLS fingerprint and RTP/RTCP multiplexing
 * on one port (RFC 8829 5.2.1, RFC 8858); anything else would fail later,
 * after sockets were opened, with an error nobody can act on.
 */
export function parseWhepOffer(sdp: string): WhepOffer {
  if (!/^v=0\r?\n/.test(sdp)) throw new ParseError(`not an SDP offer: it must start with "v=0", got ${JSON.stringify(sdp.slice(0, 40))}`);
  const session = parse(sdp);
  const media = session.media ?? [];
  const sessionUfrag = text(session.iceUfrag);
  const sessionPwd = text(session.icePwd);
  const sessionFingerprint = session.fingerprint !== undefined;
  const sections: OfferedSection[] = [];
  let iceUfrag = "";
  media.forEach((m, index) => {
    const kind = text(m.type);
    if (kind === "application") return;
    if (kind !== "audio" && kind !== "video") throw new ParseError(`m-section ${index}: media type "${kind.slice(0, 20)}" is not audio, video or application`);
    const protocol = text(m.protocol).toUpperCase();
    if (!protocol.includes("SAVPF") && !protocol.includes("SAVP")) throw new ParseError(`m-section ${index}: protocol "${protocol.slice(0, 40)}" is not DTLS-SRTP (UDP/TLS/RTP/SAVPF)`);
    const ufrag = text(m.iceUfrag) || sessionUfrag;
    if (!ufrag || !(text(m.icePwd) || sessionPwd)) throw new ParseError(`m-section ${index}: no ICE credentials (a=ice-ufrag and a=ice-pwd)`);
    if (m.fingerprint === undefined && !sessionFingerprint) throw new ParseError(`m-section ${index}: no DTLS fingerprint (a=fingerprint)`);
    if (m.port !== 0 && m.rtcpMux === undefined) throw new ParseError(`m-section ${index}: RTP and RTCP must share a port (a=rtcp-mux, RFC 8858)`);
    iceUfrag ||= ufrag;
    const direction = text(m.direction) || "sendrecv";
    sections.push({
      index,
      kind,
      mid: m.mid === undefined ? undefined : text(m.mid),
      receives: m.port !== 0 && (direction === "recvonly" || direction === "sendrecv"),
      sends: m.port !== 0 && (direction === "sendonly" || direction === "sendrecv"),
      codecs: offeredCodecs(m, index),
    });
  });
  if (sections.length === 0) throw new ParseError("the offer has no audio or video m-section: add a recvonly transceiver for video and/or audio");
  checkBundle(session, media.length);
  return { sections, iceUfrag };
}

type Media = ReturnType<typeof parse>["media"][number];

/**
 * Every m-section in one BUNDLE group (RFC 8843), as WHIP/WHEP clients do
 * (RFC 9725 4.2: max-bundle): one ICE/DTLS transport per session. werift
 * answering an unbundled offer would need a transport per section.
 */
function checkBundle(session: ReturnType<typeof parse>, count: number): void {
  if (count < 2) return;
  const mids = new Set((session.media ?? []).map((m) => text(m.mid)));
  const bundled = (session.groups ?? []).some((g) => text(g.type).toUpperCase() === "BUNDLE" && [...mids].every((mid) => mid !== "" && text(g.mids).split(/\s+/).includes(mid)));
  if (!bundled) throw new ParseError("the offer's m-sections are not all in one a=group:BUNDLE (RFC 8843); WHEP needs one transport per session (bundlePolicy max-bundle)");
}

function offeredCodecs(m: Media, index: number): OfferedCodec[] {
  const out: OfferedCodec[] = [];
  for (const r of m.rtp ?? []) {
    const pt = Number(r.payload);
    if (!Number.isInteger(pt) || pt < 0 || pt > MAX_PAYLOAD_TYPE) throw new ParseError(`m-section ${index}: payload type ${String(r.payload).slice(0, 10)} is out of range`);
    const fmtp = (m.fmtp ?? []).find((f) => Number(f.payload) === pt);
    out.push({
      payloadType: pt,
      name: text(r.codec),
      clockRate: Number(r.rate ?? 0),
      channels: r.encoding === undefined || text(r.encoding) === "" ? 1 : Number(r.encoding),
      fmtp: fmtp ? parseFmtp(text(fmtp.config)) : {},
    });
  }
  // Static payload types need no rtpmap (RFC 3551 6): PCMU 0 and PCMA 8 are the ones WebRTC uses.
  for (const p of text(m.payloads).split(/\s+/)) {
    const pt = Number(p);
    if (out.some((c) => c.payloadType === pt)) continue;
    if (pt === 0) out.push({ payloadType: 0, name: "PCMU", clockRate: 8000, channels: 1, fmtp: {} });
    if (pt === 8) out.push({ payloadType: 8, name: "PCMA", clockRate: 8000, channels: 1, fmtp: {} });
  }
  return out;
}
