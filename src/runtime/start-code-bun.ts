import { Buffer } from "node:buffer";
import type { StartCodeSearch } from "../codec/annexb.ts";

const START_CODE = Buffer.from([0, 0, 1]);

/**
 * Bun's Buffer.indexOf of a byte string is a SIMD memmem: ~20 µs per MB of
 * coded video against ~110 for the indexOf(1) scan. (Deno's takes ~2.9 ms
 * per MB: there annexb.ts's skip scan stays.)
 */
export const startCodeSearchBun: StartCodeSearch = (data, from) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(START_CODE, from);
