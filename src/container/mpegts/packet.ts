import { ParseError } from "../../core/errors.ts";
import { TS_HEADER_SIZE, TS_PACKET_SIZE } from "./constants.ts";

/** One transport packet's header and adaptation field (ISO/IEC 13818-1 2.4.3.2, 2.4.3.4). */
export interface TsPacket {
  readonly pid: number;
  readonly payloadUnitStart: boolean;
  readonly transportError: boolean;
  readonly scrambled: boolean;
  readonly hasPayload: boolean;
  readonly continuityCounter: number;
  readonly discontinuity: boolean;
  readonly randomAccess: boolean;
  /** program_clock_reference_base (90 kHz), when present. */
  readonly pcr: number | undefined;
  /** The payload, a view over the packet; empty without one. */
  readonly payload: Uint8Array;
}

const AF_DISCONTINUITY = 0x80;
const AF_RANDOM_ACCESS = 0x40;
const AF_PCR = 0x10;
/** PCR: 33-bit base, 6 reserved bits, 9-bit extension (2.4.3.5). */
const PCR_SIZE = 6;

/** Parses a 188-byte packet that starts with the sync byte. */
export function parseTsPacket(p: Uint8Array): TsPacket {
  const b1 = p[1]!;
  const b3 = p[3]!;
  const afc = (b3 >> 4) & 3;
  if (afc === 0) throw new ParseError("TS: reserved adaptation_field_control");
  let offset = TS_HEADER_SIZE;
  let discontinuity = false;
  let randomAccess = false;
  let pcr: number | undefined;
  if (afc & 2) {
    const afLength = p[4]!;
    // With a payload the field leaves room for it; alone it fills the packet (2.4.3.5).
    if (afLength > (afc === 3 ? 182 : 183)) throw new ParseError("TS: adaptation field too long");
    if (afLength > 0) {
      const flags = p[5]!;
      discontinuity = (flags & AF_DISCONTINUITY) !== 0;
      randomAccess = (flags & AF_RANDOM_ACCESS) !== 0;
      if (flags & AF_PCR && afLength >= 1 + PCR_SIZE) {
        pcr = p[6]! * 2 ** 25 + p[7]! * 2 ** 17 + p[8]! * 2 ** 9 + p[9]! * 2 + (p[10]! >> 7);
      }
    }
    offset += 1 + afLength;
  }
  return {
    pid: ((b1 & 0x1f) << 8) | p[2]!,
    payloadUnitStart: (b1 & 0x40) !== 0,
    transportError: (b1 & 0x80) !== 0,
    scrambled: (b3 & 0xc0) !== 0,
    hasPayload: (afc & 1) !== 0,
    continuityCounter: b3 & 0x0f,
    discontinuity,
    randomAccess,
    pcr,
    payload: afc & 1 ? p.subarray(offset, TS_PACKET_SIZE) : p.subarray(TS_PACKET_SIZE),
  };
}
