import { BitReader } from "../../codec/bit-reader.ts";
import { ParseError } from "../../core/errors.ts";

/** AU-headers-length is a 16-bit count of bits (RFC 3640 3.2.1). */
const AU_HEADERS_LENGTH_SIZE = 2;

/** Field widths from the fmtp (RFC 3640 4.1); absent fields are 0 bits. */
export interface AuHeaderLayout {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
}

/** AU sizes from the AU Header Section, and where the data section starts. */
export interface AuHeaderSection {
  sizes: number[];
  dataOffset: number;
}

/**
 * Reads the AU Header Section (RFC 3640 3.2.1, 3.3.6): AU-headers-length in
 * bits, then one AU-header per access unit: AU-size then AU-Index (first) or
 * AU-Index-delta (others). The index is not used: AAC-hbr senders do not
 * interleave, so AUs follow each other in order.
 */
export function readAuHeaders(payload: Uint8Array, layout: AuHeaderLayout): AuHeaderSection {
  if (payload.length < AU_HEADERS_LENGTH_SIZE) throw new ParseError("RFC 3640: payload shorter than AU-headers-length");
  const bits = (payload[0]! << 8) | payload[1]!;
  const dataOffset = AU_HEADERS_LENGTH_SIZE + Math.ceil(bits / 8);
  if (dataOffset > payload.length) throw new ParseError(`RFC 3640: AU-headers-length of ${bits} bits overruns the packet`);
  const first = layout.sizeLength + layout.indexLength;
  const next = layout.sizeLength + layout.indexDeltaLength;
  if (layout.sizeLength <= 0 || next <= 0) throw new ParseError("RFC 3640: sizeLength must be at least 1");
  if (bits < first) throw new ParseError(`RFC 3640: AU-headers-length of ${bits} bits holds no AU-header`);
  const r = new BitReader(payload.subarray(AU_HEADERS_LENGTH_SIZE, dataOffset));
  const sizes: number[] = [];
  let left = bits;
  for (let width = first; left >= width; left -= width, width = next) {
    sizes.push(r.u(layout.sizeLength));
    r.skip(width - layout.sizeLength);
  }
  return { sizes, dataOffset };
}

/** Writes AU-headers-length and the AU-headers for `sizes` (index and deltas all 0). */
export function writeAuHeaders(sizes: readonly number[], layout: AuHeaderLayout, out: Uint8Array): number {
  let bits = 0;
  const put = (value: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--, bits++) {
      if (Math.floor(value / 2 ** i) % 2) out[AU_HEADERS_LENGTH_SIZE + (bits >> 3)]! |= 0x80 >> (bits & 7);
    }
  };
  sizes.forEach((size, i) => {
    put(size, layout.sizeLength);
    put(0, i === 0 ? layout.indexLength : layout.indexDeltaLength);
  });
  out[0] = bits >> 8;
  out[1] = bits & 0xff;
  return AU_HEADERS_LENGTH_SIZE + Math.ceil(bits / 8);
}

/** Bytes the header section takes for `count` AUs. */
export function auHeadersSize(count: number, layout: AuHeaderLayout): number {
  if (count === 0) return AU_HEADERS_LENGTH_SIZE;
  const bits = layout.sizeLength + layout.indexLength + (count - 1) * (layout.sizeLength + layout.indexDeltaLength);
  return AU_HEADERS_LENGTH_SIZE + Math.ceil(bits / 8);
}
