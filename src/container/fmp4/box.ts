import { ByteWriter } from "./byte-writer.ts";

/** size and type (ISO 14496-12 4.2); largesize is never needed for live fragments. */
export const BOX_HEADER_SIZE = 8;
/** version and flags of a FullBox (ISO 14496-12 4.2). */
export const FULL_BOX_HEADER_SIZE = 4;
const MAX_BOX_SIZE = 0xffffffff;

/** A box whose size is known before it is written: composed first, then written once. */
export interface Box {
  readonly size: number;
  write(w: ByteWriter): void;
}

export type BodyWriter = (w: ByteWriter) => void;

/** A box with a body of `bodySize` bytes, then its children. */
export function box(type: string, bodySize: number, body: BodyWriter | undefined, children: readonly Box[] = []): Box {
  let size = BOX_HEADER_SIZE + bodySize;
  for (const c of children) size += c.size;
  if (size > MAX_BOX_SIZE) throw new RangeError(`${type} box larger than 4 GiB`);
  return {
    size,
    write(w: ByteWriter): void {
      const start = w.offset;
      w.u32(size);
      w.fourcc(type);
      body?.(w);
      for (const c of children) c.write(w);
      if (w.offset - start !== size) throw new Error(`${type}: wrote ${w.offset - start} bytes, declared ${size}`);
    },
  };
}

/** A FullBox: version and 24-bit flags before the body. */
export function fullBox(type: string, version: number, flags: number, bodySize: number, body: BodyWriter | undefined, children: readonly Box[] = []): Box {
  return box(
    type,
    FULL_BOX_HEADER_SIZE + bodySize,
    (w) => {
      w.u8(version);
      w.u24(flags);
      body?.(w);
    },
    children,
  );
}

/** A box that only holds other boxes (moov, trak, mdia, ...). */
export function container(type: string, children: readonly Box[]): Box {
  return box(type, 0, undefined, children);
}

/** Writes boxes one after another into one new buffer of exactly their size. */
export function serialize(...boxes: readonly Box[]): Uint8Array {
  let size = 0;
  for (const b of boxes) size += b.size;
  const w = new ByteWriter(new Uint8Array(size));
  for (const b of boxes) b.write(w);
  return w.out;
}
