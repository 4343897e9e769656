import type { ByteWriter } from "./byte-writer.ts";

/** The unity transformation matrix of mvhd and tkhd (ISO 14496-12 8.2.2.3): 16.16 and 2.30 fixed point. */
const UNITY_MATRIX: readonly number[] = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
export const MATRIX_SIZE = 36;

export function writeUnityMatrix(w: ByteWriter): void {
  for (const v of UNITY_MATRIX) w.u32(v);
}
