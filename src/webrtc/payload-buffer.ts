import type { AccessUnit } from "../core/access-unit.ts";

/**
 * werift wants Buffers, and keeps sent packets for NACK resends for longer
 * than the ring may keep the unit: a unit in reused memory
 * (AccessUnit.storage) has its payloads copied, others are viewed.
 */
export function payloadBuffer(payload: Uint8Array, unit: AccessUnit): Buffer {
  return unit.storage ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
