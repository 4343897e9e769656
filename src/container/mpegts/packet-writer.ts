import { PID_NULL, TS_HEADER_SIZE, TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TS_SYNC_BYTE } from "./constants.ts";

/**
 * Lends room for packets, contiguous in one buffer; the muxer fills every
 * byte of each one. No view per packet: at 100 Mbit/s that is 66,000
 * objects a second for the GC.
 */
export interface TsPacketSink {
  /** Reserves 1 to `max` packets, contiguous in `buffer` from `offset`; returns how many. */
  reserve(max: number): number;
  /** The buffer of the last reservation. */
  readonly buffer: Uint8Array;
  /** Where the last reservation starts in `buffer`. */
  readonly offset: number;
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
    this.sink.reserve(1);
    const p = this.sink.buffer;
    const at = this.sink.offset;
    const cc = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (cc + 1) & 0x0f);
    writeHeader(p, at, pid, true, AFC_PAYLOAD, cc);
    p[at + 4] = 0;
    p.set(section, at + 5);
    p.fill(STUFFING, at + 5 + section.length, at + TS_PACKET_SIZE);
  }

  /** Null packets (PID 0x1FFF, payload 0xFF): filler a demuxer drops; their counter is undefined (2.4.3.3). */
  nullPackets(count: number): void {
    let left = count;
    while (left > 0) {
      const n = this.sink.reserve(left);
      const p = this.sink.buffer;
      for (let k = 0, at = this.sink.offset; k < n; k++, at += TS_PACKET_SIZE) {
        writeHeader(p, at, PID_NULL, false, AFC_PAYLOAD, 0);
        p.fill(STUFFING, at + TS_HEADER_SIZE, at + TS_PACKET_SIZE);
      }
      left -= n;
    }
  }

  /** A packet with only an adaptation field carrying a PCR; the counter does not advance. */
  pcrOnly(pid: number, pcr: number): void {
    this.sink.reserve(1);
    const p = this.sink.buffer;
    const at = this.sink.offset;
    const cc = ((this.cc.get(pid) ?? 0) + 15) & 0x0f;
    writeHeader(p, at, pid, false, AFC_ADAPTATION, cc);
    adaptation(p, at, TS_PAYLOAD_SIZE, false, pcr);
  }

  /** A PES from `pieces` (total `size` bytes): PCR and random access on the first packet, stuffing on the last. */
  pes(pid: number, pieces: readonly Uint8Array[], size: number, randomAccess: boolean, pcr: number | undefined): void {
    const firstAf = pcr !== undefined ? AF_PCR_SIZE : randomAccess ? AF_FLAGS_SIZE : 0;
    let left = packetCount(size, firstAf);
    let remaining = size;
    let piece = 0;
    let offset = 0;
    let first = true;
    let cc = this.cc.get(pid) ?? 0;
    const sink = this.sink;
    while (left > 0) {
      const n = sink.reserve(left);
      const p = sink.buffer;
      const end = sink.offset + n * TS_PACKET_SIZE;
      left -= n;
      let at = sink.offset;
      while (at < end) {
        const src = pieces[piece]!;
        // Full packets inside one large piece (the bulk of a picture): one copy for the run, then
        // each payload moved into place within the buffer (copyWithin: no view per packet).
        const run = first ? 0 : Math.min((end - at) / TS_PACKET_SIZE, Math.floor(Math.min(src.length - offset, remaining) / TS_PAYLOAD_SIZE));
        if (run >= 2) {
          const bytes = run * TS_PAYLOAD_SIZE;
          p.set(src.subarray(offset, offset + bytes), at + TS_HEADER_SIZE);
          // Last first: each payload moves forward by 4 bytes per packet before it, past the next one's source.
          for (let k = run - 1; k > 0; k--) {
            const from = at + TS_HEADER_SIZE + k * TS_PAYLOAD_SIZE;
            p.copyWithin(at + k * TS_PACKET_SIZE + TS_HEADER_SIZE, from, from + TS_PAYLOAD_SIZE);
          }
          for (let k = 0; k < run; k++) {
            writeHeader(p, at, pid, false, AFC_PAYLOAD, cc);
            cc = (cc + 1) & 0x0f;
            at += TS_PACKET_SIZE;
          }
          offset += bytes;
          remaining -= bytes;
          if (offset === src.length) {
            piece++;
            offset = 0;
          }
          continue;
        }
        const base = first ? firstAf : 0;
        const af = remaining < TS_PAYLOAD_SIZE - base ? TS_PAYLOAD_SIZE - remaining : base;
        writeHeader(p, at, pid, first, af > 0 ? AFC_PAYLOAD | AFC_ADAPTATION : AFC_PAYLOAD, cc);
        cc = (cc + 1) & 0x0f;
        if (af > 0) adaptation(p, at, af, first && randomAccess, first ? pcr : undefined);
        // Copy the payload from the pieces: the only copy between the access unit and the wire.
        let pos = at + TS_HEADER_SIZE + af;
        const packetEnd = at + TS_PACKET_SIZE;
        while (pos < packetEnd) {
          const s = pieces[piece]!;
          const k = Math.min(s.length - offset, packetEnd - pos);
          // A whole piece (start code, PES or ADTS header, small NAL unit) needs no view of its own.
          if (k === s.length) p.set(s, pos);
          else p.set(s.subarray(offset, offset + k), pos);
          pos += k;
          offset += k;
          if (offset === s.length) {
            piece++;
            offset = 0;
          }
        }
        remaining -= TS_PAYLOAD_SIZE - af;
        first = false;
        at = packetEnd;
      }
    }
    this.cc.set(pid, cc);
  }
}

/** Packets a PES of `size` bytes takes when the first one carries an adaptation field of `firstAf` bytes. */
function packetCount(size: number, firstAf: number): number {
  const rest = size - (TS_PAYLOAD_SIZE - firstAf);
  return rest <= 0 ? 1 : 1 + Math.ceil(rest / TS_PAYLOAD_SIZE);
}

/** The 4-byte packet header (2.4.3.2) at `p[at]`. */
function writeHeader(p: Uint8Array, at: number, pid: number, unitStart: boolean, afc: number, cc: number): void {
  p[at] = TS_SYNC_BYTE;
  p[at + 1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  p[at + 2] = pid & 0xff;
  p[at + 3] = afc | cc;
}

/** An adaptation field of `size` bytes in total (length byte included) after the header of the packet at `p[at]`. */
function adaptation(p: Uint8Array, at: number, size: number, randomAccess: boolean, pcr: number | undefined): void {
  p[at + 4] = size - 1;
  if (size === 1) return;
  p[at + 5] = (randomAccess ? AF_RANDOM_ACCESS : 0) | (pcr !== undefined ? AF_PCR : 0);
  let pos = at + 6;
  if (pcr !== undefined) {
    // 33-bit base, 6 reserved bits, 9-bit extension 0.
    p[at + 6] = Math.floor(pcr / 2 ** 25) & 0xff;
    p[at + 7] = Math.floor(pcr / 2 ** 17) & 0xff;
    p[at + 8] = Math.floor(pcr / 2 ** 9) & 0xff;
    p[at + 9] = Math.floor(pcr / 2) & 0xff;
    p[at + 10] = ((pcr % 2) << 7) | PCR_RESERVED;
    p[at + 11] = 0;
    pos = at + 12;
  }
  p.fill(STUFFING, pos, at + TS_HEADER_SIZE + size);
}
