import { parse, type MediaDescription } from "sdp-transform";
import { ParseError } from "../core/errors.ts";
import { readAacPayload } from "../rtp/aac/payload-config.ts";
import { CODECS, codecByName, type SdpCodec, STATIC_PAYLOADS, staticName } from "./sdp-codecs.ts";

export { generateSessionDescription, type SessionDescriptionInit } from "./sdp-generate.ts";
export type { SdpCodec } from "./sdp-codecs.ts";

/** One usable track of a session description (RFC 4566 5.14 m-line plus its attributes). */
export interface MediaInfo {
  type: "video" | "audio";
  payloadType: number;
  /** The payload format: "aac" is MPEG4-GENERIC (RFC 3640), "aac-latm" MP4A-LATM (RFC 6416). */
  codec: SdpCodec;
  clockRate: number;
  /** Audio only: from the rtpmap, else 1 (RFC 4566 6), 2 for Opus (RFC 7587 7). */
  channels?: number;
  /** fmtp parameters, keys lower-cased, values as written (sprop-parameter-sets is case-sensitive base64). */
  fmtp: Record<string, string>;
  /** The media's a=control, unresolved (see resolveControl). */
  control?: string;
}

export interface SessionInfo {
  media: MediaInfo[];
  /** m-lines we cannot use (0-based index among all m-lines) and why. */
  skipped: { index: number; reason: string }[];
  /** Session-level a=control (often `*`, the aggregate URL). */
  control?: string;
}

/** Dynamic payload types (RFC 3551 6) and static ones are 0..127 (7-bit PT field, RFC 3550 5.1). */
const MAX_PAYLOAD_TYPE = 127;

/** `a=fmtp:96 packetization-mode=1; profile-level-id=42e01f` → { "packetization-mode": "1", … }. First key wins. */
export function parseFmtp(config: string): Record<string, string> {
  const map = new Map<string, string>();
  for (const part of config.split(";")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key === "" || map.has(key)) continue;
    map.set(key, eq < 0 ? "" : part.slice(eq + 1).trim());
  }
  // fromEntries defines own properties, so a key named __proto__ cannot reach the prototype.
  return Object.fromEntries(map);
}

/** A payload number as sdp-transform gives it (number, or string when it is not one). */
function ptOf(value: unknown): number {
  return typeof value === "number" ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
}

function fmtpFor(m: MediaDescription, pt: number, payloadCount: number): Record<string, string> {
  const own = m.fmtp.find((f) => ptOf(f.payload) === pt);
  // Quirk: some cameras write the fmtp under another number than their only rtpmap/payload.
  const only = !own && payloadCount === 1 && m.fmtp.length === 1 ? m.fmtp[0] : undefined;
  const line = own ?? only;
  return line ? parseFmtp(String(line.config)) : {};
}

/** Why a track's codec configuration cannot be used: skipped here rather than failing the whole session at SETUP. */
function configProblem(info: MediaInfo): string | undefined {
  if (info.codec !== "aac" && info.codec !== "aac-latm") return undefined;
  try {
    readAacPayload(info.codec === "aac" ? "generic" : "latm", info.clockRate, info.fmtp);
    return undefined;
  } catch (e) {
    if (e instanceof ParseError) return e.message;
    throw e;
  }
}

/** The first payload type of an m-line we can use, or the reason none is usable. */
function pickPayload(m: MediaDescription, index: number, type: "video" | "audio"): MediaInfo | string {
  const pts = String(m.payloads ?? "").trim().split(/\s+/).filter((p) => p !== "").map(Number);
  const reasons: string[] = [];
  for (const pt of pts) {
    if (!Number.isInteger(pt) || pt < 0 || pt > MAX_PAYLOAD_TYPE) {
      reasons.push(`payload type ${pt} is out of range`);
      continue;
    }
    const map = m.rtp.find((r) => ptOf(r.payload) === pt);
    const fixed = STATIC_PAYLOADS[pt];
    const name = map ? String(map.codec) : fixed?.name ?? staticName(pt);
    if (name === undefined) {
      reasons.push(`payload type ${pt} has no rtpmap`);
      continue;
    }
    const found = codecByName(name);
    if ("reason" in found) {
      reasons.push(found.reason);
      continue;
    }
    const row = CODECS[found.codec];
    if (row.type !== type) {
      reasons.push(`${name} in a ${type} m-line`);
      continue;
    }
    const rate = map?.rate !== undefined && String(map.rate) !== "" ? Number(map.rate) : (fixed?.clockRate ?? row.defaultClockRate);
    if (rate === undefined || !Number.isInteger(rate) || rate <= 0) {
      reasons.push(`${name} has no usable clock rate`);
      continue;
    }
    const info: MediaInfo = { type, payloadType: pt, codec: found.codec, clockRate: rate, fmtp: fmtpFor(m, pt, pts.length) };
    if (type === "audio") {
      const given = map?.encoding !== undefined ? Number(map.encoding) : NaN;
      info.channels = row.fixedChannels ?? (Number.isInteger(given) && given > 0 ? given : (fixed?.channels ?? 1));
    }
    const problem = configProblem(info);
    if (problem !== undefined) {
      reasons.push(problem);
      continue;
    }
    if (m.control !== undefined && String(m.control).trim() !== "") info.control = String(m.control).trim();
    return info;
  }
  return reasons.length > 0 ? reasons.join("; ") : `m-line ${index} lists no payload types`;
}

/**
 * Camera quirks sdp-transform's grammar would not match: leading blanks,
 * `a=rtpmap: 96 …` with a space after the colon, `m=video 0/2 RTP/AVP …`
 * with a port count (RFC 4566 5.14 allows it; we never use the port).
 */
function normalizeLine(line: string): string {
  return line
    .trim()
    .replace(/^a=(rtpmap|fmtp|control):\s+/i, "a=$1:")
    .replace(/^m=(\w+) (\d+)\/\d+ /, "m=$1 $2 ");
}

/**
 * Reads the tracks of a DESCRIBE answer (RFC 2326 C.1, RFC 4566). Tolerant:
 * lines are trimmed, blank ones and ones out of grammar ignored; each m-line
 * is judged alone, and one we cannot use goes to `skipped` with the reason.
 * Only text that is not an SDP at all (no `v=`/`m=` lines) is a ParseError.
 */
export function parseSessionDescription(text: string): SessionInfo {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map(normalizeLine)
    .filter((l) => /^[a-z]=/.test(l));
  if (!lines.some((l) => l.startsWith("m="))) {
    const start = JSON.stringify(text.slice(0, 60));
    throw new ParseError(lines.length === 0 ? `not an SDP (no type=value lines): ${start}` : `SDP without media (no m= line): ${start}`);
  }
  const session = parse(lines.join("\r\n") + "\r\n");
  const out: SessionInfo = { media: [], skipped: [] };
  if (session.control !== undefined && String(session.control).trim() !== "") out.control = String(session.control).trim();
  session.media.forEach((m, index) => {
    const type = String(m.type).toLowerCase();
    if (type !== "video" && type !== "audio") {
      out.skipped.push({ index, reason: `media type ${JSON.stringify(String(m.type))} is not audio or video` });
      return;
    }
    if (!String(m.protocol ?? "").toUpperCase().startsWith("RTP/")) {
      out.skipped.push({ index, reason: `transport ${JSON.stringify(String(m.protocol ?? ""))} is not RTP` });
      return;
    }
    const picked = pickPayload(m, index, type);
    if (typeof picked === "string") out.skipped.push({ index, reason: picked });
    else out.media.push(picked);
  });
  return out;
}
