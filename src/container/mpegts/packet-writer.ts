import { TS_HEADER_SIZE, TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TS_SYNC_BYTE } from "./constants.ts";

/** Lends 188-byte writable views; the muxer fills every byte of each one. */
export interface TsPacketSink {
  packet(): Uint8Array;
}

/** Adaptation field flags (ISO/IEC 13818-1 2.4.3.5). */
const AF_RANDOM_ACCESS = 0x40;
const AF_PCR = 0x10;
/** Adaptation field with a PCR: length byte, flags byte, 6 PCR bytes. */
const AF_PCR_SIZE = 8;
const AF_FLAGS_SIZE = 2;
/** adaptation_field_control values (Table 2-5). */
const AFC_PAYLOAD = 0x10;
const AFC_ADAPTATION = 0x20;
const STUFFING = 0xff;
/** PCR reserved bits between the base and the extension (2.4.3.5). */
const PCR_RESERVED = 0x7e;

/** Writes transport packets with per-PID continuity counters (2.4.3.3). */
export class TsPacketWriter {
  private readonly cc = new Map<number, number>();

  constructor(private readonly sink: TsPacketSink) {}

  /** One section in one packet, pointer_field 0, stuffed with 0xFF (2.4.4.1). */
  section(pid: number, section: Uint8Array): void {
    const p = this.sink.packet();
    this.header(p, pid, true, AFC_PAYLOAD);
    p[4] = 0;
    p.set(section, 5);
    p.fill(STUFFING, 5 + section.length, TS_PACKET_SIZE);
  }

  /** A packet with only an adaptation field carrying a PCR; the counter does not advance. */
  pcrOnly(pid: number, pcr: number): void {
    const p = this.sink.packet();
    const cc = ((this.cc.get(pid) ?? 0) + 15) & 0x0f;
    p[0] = TS_SYNC_BYTE;
    p[1] = (pid >> 8) & 0x1f;
    p[2] = pid & 0xff;
    p[3] = AFC_ADAPTATION | cc;
    this.adaptation(p, TS_PAYLOAD_SIZE, false, pcr);
  }

  /** A PES from `pieces` (total `size` bytes): PCR and random access on the first packet, stuffing on the last. */
  pes(pid: number, pieces: readonly Uint8Array[], size: number, randomAccess: boolean, pcr: number | undefined): void {
    let remaining = size;
    let piece = 0;
    let offset = 0;
    let first = true;
    let cc = this.cc.get(pid) ?? 0;
    while (remaining > 0) {
      const p = this.sink.packet();
      const base = first ? (pcr !== undefined ? AF_PCR_SIZE : randomAccess ? AF_FLAGS_SIZE : 0) : 0;
      const af = remaining < TS_PAYLOAD_SIZE - base ? TS_PAYLOAD_SIZE - remaining : base;
      writeHeader(p, pid, first, af > 0 ? AFC_PAYLOAD | AFC_ADAPTATION : AFC_PAYLOAD, cc);
      cc = (cc + 1) & 0x0f;
      if (af > 0) this.adaptation(p, af, first && randomAccess, first ? pcr : undefined);
      // Copy the payload from the pieces: the only copy between the access unit and the wire.
      let at = TS_HEADER_SIZE + af;
      while (at < TS_PACKET_SIZE) {
        const src = pieces[piece]!;
        const n = Math.min(src.length - offset, TS_PACKET_SIZE - at);
        // A whole piece (start code, PES or ADTS header, small NAL unit) needs no view of its own.
        if (n === src.length) p.set(src, at);
        else p.set(src.subarray(offset, offset + n), at);
        at += n;
        offset += n;
        if (offset === src.length) {
          piece++;
          offset = 0;
        }
      }
      remaining -= TS_PACKET_SIZE - TS_HEADER_SIZE - af;
      first = false;
    }
    this.cc.set(pid, cc);
  }

  private header(p: Uint8Array, pid: number, unitStart: boolean, afc: number): void {
    const cc = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (cc + 1) & 0x0f);
    writeHeader(p, pid, unitStart, afc, cc);
  }

  /** An adaptation field of `size` bytes in total (length byte included) at offset 4. */
  private adaptation(p: Uint8Array, size: number, randomAccess: boolean, pcr: number | undefined): void {
    p[4] = size - 1;
    if (size === 1) return;
    p[5] = (randomAccess ? AF_RANDOM_ACCESS : 0) | (pcr !== undefined ? AF_PCR : 0);
    let at = 6;
    if (pcr !== undefined) {
      // 33-bit base, 6 reserved bits, 9-bit extension 0.
      p[6] = Math.floor(pcr / 2 ** 25) & 0xff;
      p[7] = Math.floor(pcr / 2 ** 17) & 0xff;
      p[8] = Math.floor(pcr / 2 ** 9) & 0xff;
      p[9] = Math.floor(pcr / 2) & 0xff;
      p[10] = ((pcr % 2) << 7) | PCR_RESERVED;
      p[11] = 0;
      at = 12;
    }
    p.fill(STUFFING, at, TS_HEADER_SIZE + size);
  }
}

/** The 4-byte packet header (2.4.3.2). */
function writeHeader(p: Uint8Array, pid: number, unitStart: boolean, afc: number, cc: number): void {
  p[0] = TS_SYNC_BYTE;
  p[1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  p[2] = pid & 0xff;
  p[3] = afc | cc;
}
