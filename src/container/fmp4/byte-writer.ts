/** 2^32: the high half of a 64-bit field (ISO 14496-12 version 1 boxes). */
const TWO_32 = 2 ** 32;

/**
 * Writes big-endian fields into a buffer whose size was computed first, so a
 * segment is one allocation and no concatenation. Writing past the end throws
 * (a size computed wrong is a bug, not bad input).
 */
export class ByteWriter {
  private pos = 0;
  private readonly view: DataView;

  constructor(readonly out: Uint8Array) {
    this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  u8(v: number): void {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }

  u16(v: number): void {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  u24(v: number): void {
    this.view.setUint8(this.pos, (v >>> 16) & 0xff);
    this.view.setUint16(this.pos + 1, v & 0xffff);
    this.pos += 3;
  }

  u32(v: number): void {
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }

  i32(v: number): void {
    this.view.setInt32(this.pos, v | 0);
    this.pos += 4;
  }

  /** A non-negative safe integer as 64 bits. */
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.view.setUint32(this.pos, Math.floor(v / TWO_32));
    this.view.setUint32(this.pos + 4, v % TWO_32);
    this.pos += 8;
  }

  /** A four-character code such as a box type. */
  fourcc(code: string): void {
    if (code.length !== 4) throw new RangeError(`not a four-character code: ${code}`);
    for (let i = 0; i < 4; i++) this.u8(code.charCodeAt(i));
  }

  bytes(data: Uint8Array): void {
    if (this.pos + data.byteLength > this.out.byteLength) throw new RangeError("write past the end");
    this.out.set(data, this.pos);
    this.pos += data.byteLength;
  }

  zeros(n: number): void {
    if (this.pos + n > this.out.byteLength) throw new RangeError("write past the end");
    this.out.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
}
