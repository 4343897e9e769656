import { ParseError } from "../../core/errors.ts";

/** What an RFC 3640 mpeg4-generic fmtp line tells a depacketizer. */
export interface Mpeg4GenericFmtp {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
  /** AudioSpecificConfig (ISO 14496-3 1.6.2.1), from `config=` hex. */
  config: Uint8Array;
  /** AAC-hbr, AAC-lbr, ...; "AAC-hbr" when a camera leaves it out. */
  mode: string;
}

/** Mode assumed when absent: every AAC camera we know sends AAC-hbr (RFC 3640 3.3.6). */
const DEFAULT_MODE = "AAC-hbr";

/**
 * Reads the fmtp parameters of an mpeg4-generic stream (RFC 3640 4.1).
 * Keys are case-insensitive (4.1: "parameter names are case-insensitive");
 * sizeLength and config are required, indexLength and indexDeltaLength
 * default to 0 as 4.1 says.
 */
export function parseMpeg4GenericFmtp(fmtp: Record<string, string>): Mpeg4GenericFmtp {
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(fmtp)) params.set(k.trim().toLowerCase(), v.trim());
  const sizeLength = integer(params, "sizelength");
  if (sizeLength === undefined) throw new ParseError("mpeg4-generic fmtp: sizeLength is missing (RFC 3640 4.1); constant-size AUs are not supported");
  const config = params.get("config");
  if (config === undefined || config === "") throw new ParseError("mpeg4-generic fmtp: config (AudioSpecificConfig) is missing");
  if (!/^([0-9a-f]{2})+$/i.test(config)) throw new ParseError(`mpeg4-generic fmtp: config "${config}" is not hex`);
  return {
    sizeLength,
    indexLength: integer(params, "indexlength") ?? 0,
    indexDeltaLength: integer(params, "indexdeltalength") ?? 0,
    config: new Uint8Array(config.match(/../g)!.map((h) => parseInt(h, 16))),
    mode: params.get("mode") || DEFAULT_MODE,
  };
}

function integer(params: Map<string, string>, key: string): number | undefined {
  const v = params.get(key);
  if (v === undefined || v === "") return undefined;
  if (!/^\d{1,2}$/.test(v)) throw new ParseError(`mpeg4-generic fmtp: ${key}=${v} is not a small integer`);
  return Number(v);
}
