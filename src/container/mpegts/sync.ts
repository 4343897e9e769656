import { TS_PACKET_SIZE, TS_SYNC_BYTE } from "./constants.ts";

/**
 * Packets in a row that must start with the sync byte before we trust an
 * offset: 0x47 is common inside payloads, and five in a row at 188-byte
 * steps by chance is about 1 in 2^32 (the usual choice of demuxers, cf.
 * ISO/IEC 13818-1 2.4.3.3 on sync acquisition).
 */
const SYNC_PACKETS = 5;
const SYNC_WINDOW = SYNC_PACKETS * TS_PACKET_SIZE;

/** A whole packet: `buf[at]` is its sync byte, `buf[at + 187]` its last byte. */
export type PacketHandler = (buf: Uint8Array, at: number) => void;

/**
 * Cuts a byte stream into 188-byte packets across arbitrary chunk boundaries,
 * and finds the packet grid again after garbage or loss. `onPacket` gets the
 * packet as a buffer and the offset of its sync byte (no view per packet),
 * valid only during the call.
 */
export class TsSync {
  /** A partial packet, or unconfirmed bytes while searching. */
  private carry = new Uint8Array(0);
  private synced = false;
  private readonly partial = new Uint8Array(TS_PACKET_SIZE);

  constructor(private readonly stats: { resyncs: number; bytesSkipped: number; truncatedPackets: number }) {}

  /** Bytes held between pushes: a partial packet, or at most one search window. */
  get buffered(): number {
    return this.carry.length;
  }

  push(chunk: Uint8Array, onPacket: PacketHandler): void {
    let data = chunk;
    if (this.carry.length > 0) {
      if (this.synced) {
        // Complete the partial packet, then go on with the chunk itself (no copy of it).
        const need = TS_PACKET_SIZE - this.carry.length;
        if (chunk.length > need && chunk[need] !== TS_SYNC_BYTE && chunk[0] === TS_SYNC_BYTE) {
          // The grid breaks right after the completed packet but the chunk starts on a
          // sync byte: the carried bytes were a packet cut short (a truncated UDP
          // datagram). Gluing them to this chunk would make one corrupt packet and
          // lose this chunk's first one; drop the stub and sync on the chunk instead.
          this.stats.truncatedPackets++;
          this.stats.bytesSkipped += this.carry.length;
          this.carry = new Uint8Array(0);
          this.lose();
          this.scan(chunk, onPacket);
          return;
        }
        if (chunk.length < need) {
          this.keep(concat(this.carry, chunk));
          return;
        }
        this.partial.set(this.carry);
        this.partial.set(chunk.subarray(0, need), this.carry.length);
        this.carry = new Uint8Array(0);
        data = chunk.subarray(need);
        if (this.partial[0] === TS_SYNC_BYTE) onPacket(this.partial, 0);
        else this.lose();
        if (!this.synced) data = concat(this.partial, data);
      } else {
        data = concat(this.carry, chunk);
        this.carry = new Uint8Array(0);
      }
    }
    this.scan(data, onPacket);
  }

  /** End of input: a short tail still counts if every whole packet in it starts with the sync byte. */
  flush(onPacket: PacketHandler): void {
    const data = this.carry;
    this.carry = new Uint8Array(0);
    for (let i = 0; i + TS_PACKET_SIZE <= data.length; i++) {
      let k = 0;
      while (i + (k + 1) * TS_PACKET_SIZE <= data.length && data[i + k * TS_PACKET_SIZE] === TS_SYNC_BYTE) k++;
      if (k > 0 && i + (k + 1) * TS_PACKET_SIZE > data.length) {
        for (let j = 0; j < k; j++) onPacket(data, i + j * TS_PACKET_SIZE);
        this.stats.bytesSkipped += data.length - k * TS_PACKET_SIZE;
        return;
      }
    }
    this.stats.bytesSkipped += data.length;
  }

  private scan(data: Uint8Array, onPacket: PacketHandler): void {
    let pos = 0;
    const n = data.length;
    while (pos < n) {
      if (this.synced) {
        if (n - pos < TS_PACKET_SIZE) break;
        if (data[pos] === TS_SYNC_BYTE) {
          onPacket(data, pos);
          pos += TS_PACKET_SIZE;
          continue;
        }
        this.lose();
      }
      const found = this.find(data, pos);
      if (found < 0) {
        // Keep only what could still begin a confirmed grid.
        const keepFrom = Math.max(pos, n - SYNC_WINDOW + 1);
        this.stats.bytesSkipped += keepFrom - pos;
        pos = keepFrom;
        break;
      }
      this.stats.bytesSkipped += found - pos;
      pos = found;
      this.synced = true;
    }
    if (pos < n) this.keep(data.subarray(pos));
  }

  /** Offset of the first grid of SYNC_PACKETS sync bytes, or -1 if none fits in the data. */
  private find(data: Uint8Array, from: number): number {
    for (let i = from; i + SYNC_WINDOW - TS_PACKET_SIZE < data.length; i++) {
      let k = 0;
      while (k < SYNC_PACKETS && data[i + k * TS_PACKET_SIZE] === TS_SYNC_BYTE) k++;
      if (k === SYNC_PACKETS) return i;
    }
    return -1;
  }

  private lose(): void {
    this.synced = false;
    this.stats.resyncs++;
  }

  private keep(bytes: Uint8Array): void {
    this.carry = bytes.slice(); // the caller may reuse its chunk buffer
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
