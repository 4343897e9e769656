import { MediaError } from "../core/errors.ts";
import { CODECS } from "./sdp-codecs.ts";
import type { MediaInfo } from "./sdp.ts";

export interface SessionDescriptionInit {
  media: readonly MediaInfo[];
  /** s= (RFC 4566 5.3 requires one; a single space is allowed when there is no name). */
  sessionName?: string;
  /** Unicast address for o= and c=; 0.0.0.0 tells an RTSP client to use the RTSP peer (RFC 2326 C.1.7). */
  address?: string;
  /** o= session id: a number unique per session (RFC 4566 5.2); time-based when omitted. */
  sessionId?: string;
  /** Session-level a=control, usually `*` for aggregate control (RFC 2326 C.1.1). */
  control?: string;
}

function checkText(what: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new MediaError(`SDP ${what} must not contain line breaks: ${JSON.stringify(value)}`);
  return value;
}

/**
 * Writes an SDP for the RTSP server's DESCRIBE (RFC 4566, RFC 2326 C.1): one
 * m-line per track with port 0 (RFC 2326 C.1.7: ports come from SETUP),
 * a=rtpmap, a=fmtp when there are parameters, a=control when given.
 * `parseSessionDescription` reads it back to the same MediaInfo.
 */
export function generateSessionDescription(init: SessionDescriptionInit): string {
  const address = checkText("address", init.address ?? "0.0.0.0");
  const ipVersion = address.includes(":") ? "IP6" : "IP4";
  const id = checkText("session id", init.sessionId ?? String(Date.now()));
  const lines = [
    "v=0",
    `o=- ${id} 1 IN ${ipVersion} ${address}`,
    `s=${checkText("session name", init.sessionName || " ")}`,
    `c=IN ${ipVersion} ${address}`,
    "t=0 0",
  ];
  if (init.control) lines.push(`a=control:${checkText("control", init.control)}`);
  for (const m of init.media) {
    const row = CODECS[m.codec];
    lines.push(`m=${m.type} 0 RTP/AVP ${m.payloadType}`);
    const channels = m.type === "audio" && m.channels !== undefined && (m.channels !== 1 || row.fixedChannels) ? `/${m.channels}` : "";
    lines.push(`a=rtpmap:${m.payloadType} ${row.rtpmapName}/${m.clockRate}${channels}`);
    const fmtp = Object.entries(m.fmtp).map(([k, v]) => (v === "" ? k : `${k}=${v}`));
    if (fmtp.length > 0) lines.push(`a=fmtp:${m.payloadType} ${checkText("fmtp", fmtp.join(";"))}`);
    if (m.control) lines.push(`a=control:${checkText("control", m.control)}`);
  }
  return lines.join("\r\n") + "\r\n";
}
