import { crc32Mpeg2 } from "./crc32.ts";
import { TABLE_ID_PAT, TABLE_ID_PMT } from "./constants.ts";
import type { PatEntry, PmtStream } from "./psi.ts";

/** section_syntax_indicator=1, '0', reserved '11', then the top 4 bits of section_length (2.4.4.3). */
const SECTION_SYNTAX = 0xb0;
/** reserved '11', then version_number and current_next_indicator=1. */
const VERSION_BITS = 0xc1;
/** reserved bits in front of a 13-bit PID and a 12-bit length. */
const RESERVED_PID = 0xe000;
const RESERVED_LENGTH = 0xf000;

/** A long-form section: header, body, CRC_32. `idExtension` is transport_stream_id or program_number. */
function section(tableId: number, idExtension: number, version: number, body: readonly number[]): Uint8Array {
  const length = 5 + body.length + 4; // bytes after section_length
  const out = new Uint8Array(3 + length);
  out.set([tableId, SECTION_SYNTAX | (length >> 8), length & 0xff, idExtension >> 8, idExtension & 0xff]);
  out.set([VERSION_BITS | ((version & 0x1f) << 1), 0, 0], 5); // section 0 of 0
  out.set(body, 8);
  const crc = crc32Mpeg2(out.subarray(0, out.length - 4));
  out.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], out.length - 4);
  return out;
}

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];

/** program_association_section with one program (2.4.4.3). */
export function buildPat(transportStreamId: number, programNumber: number, pmtPid: number): Uint8Array {
  return buildPatPrograms(transportStreamId, [{ programNumber, pmtPid }]);
}

/** program_association_section listing several programs, in order (2.4.4.3). */
export function buildPatPrograms(transportStreamId: number, programs: readonly PatEntry[]): Uint8Array {
  return section(TABLE_ID_PAT, transportStreamId, 0, programs.flatMap((p) => [...u16(p.programNumber), ...u16(RESERVED_PID | p.pmtPid)]));
}

/** TS_program_map_section without descriptors (2.4.4.8). */
export function buildPmt(programNumber: number, version: number, pcrPid: number, streams: readonly PmtStream[]): Uint8Array {
  const body = [...u16(RESERVED_PID | pcrPid), ...u16(RESERVED_LENGTH)];
  for (const s of streams) body.push(s.streamType, ...u16(RESERVED_PID | s.pid), ...u16(RESERVED_LENGTH));
  return section(TABLE_ID_PMT, programNumber, version, body);
}
