import { ParseError } from "../../core/errors.ts";
import { crc32Mpeg2 } from "./crc32.ts";
import { TABLE_ID_PAT, TABLE_ID_PMT } from "./constants.ts";

/** section_length is at most 1021 for PAT/PMT, so a section is at most 1024 bytes (2.4.4.3, 2.4.4.8). */
export const MAX_SECTION_SIZE = 1024;
/** Bytes of a long-form section before its body, and its CRC (2.4.4.3). */
const SECTION_HEADER = 8;
const CRC_SIZE = 4;

export interface PatEntry {
  readonly programNumber: number;
  readonly pmtPid: number;
}

export interface PmtStream {
  readonly streamType: number;
  readonly pid: number;
}

export interface Pmt {
  readonly programNumber: number;
  readonly version: number;
  readonly pcrPid: number;
  readonly streams: readonly PmtStream[];
}

/** Checks the generic long-form section header and CRC; returns the body between them. */
function sectionBody(section: Uint8Array, tableId: number): Uint8Array {
  if (section[0] !== tableId) throw new ParseError(`PSI: table_id ${section[0]} where ${tableId} expected`);
  if (section.length < SECTION_HEADER + CRC_SIZE || (section[1]! & 0x80) === 0) throw new ParseError("PSI: short section");
  if (crc32Mpeg2(section) !== 0) throw new CrcError("PSI: CRC mismatch");
  return section.subarray(SECTION_HEADER, section.length - CRC_SIZE);
}

/** A section whose CRC_32 does not match: counted apart from other parse errors. */
export class CrcError extends ParseError {}

/** Total section size from its first 3 bytes (section_length is 12 bits), or -1 if not known yet. */
export function sectionSize(head: Uint8Array): number {
  if (head.length < 3) return -1;
  return 3 + (((head[1]! & 0x0f) << 8) | head[2]!);
}

/** program_association_section (2.4.4.3); program 0 (the network PID) is left out. */
export function parsePat(section: Uint8Array): PatEntry[] {
  const body = sectionBody(section, TABLE_ID_PAT);
  const out: PatEntry[] = [];
  for (let i = 0; i + 4 <= body.length; i += 4) {
    const programNumber = (body[i]! << 8) | body[i + 1]!;
    const pid = ((body[i + 2]! & 0x1f) << 8) | body[i + 3]!;
    if (programNumber !== 0) out.push({ programNumber, pmtPid: pid });
  }
  return out;
}

/** TS_program_map_section (2.4.4.8). */
export function parsePmt(section: Uint8Array): Pmt {
  const body = sectionBody(section, TABLE_ID_PMT);
  const programNumber = (section[3]! << 8) | section[4]!;
  const version = (section[5]! >> 1) & 0x1f;
  if (body.length < 4) throw new ParseError("PMT: short body");
  const pcrPid = ((body[0]! & 0x1f) << 8) | body[1]!;
  let i = 4 + (((body[2]! & 0x0f) << 8) | body[3]!); // skip program_info descriptors
  const streams: PmtStream[] = [];
  while (i + 5 <= body.length) {
    const streamType = body[i]!;
    const pid = ((body[i + 1]! & 0x1f) << 8) | body[i + 2]!;
    i += 5 + (((body[i + 3]! & 0x0f) << 8) | body[i + 4]!);
    streams.push({ streamType, pid });
  }
  return { programNumber, version, pcrPid, streams };
}
