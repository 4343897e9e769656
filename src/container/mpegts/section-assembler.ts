import { ParseError } from "../../core/errors.ts";
import { MAX_SECTION_SIZE, sectionSize } from "./psi.ts";

/** Stuffing after the last section in a packet (ISO/IEC 13818-1 2.4.4.1). */
const STUFFING = 0xff;

/**
 * Reassembles PSI sections of one PID from packet payloads (2.4.4.1-2):
 * pointer_field on unit start, sections that span packets, several sections
 * in one packet. The sections handed out are views valid during the callback.
 */
export class SectionAssembler {
  private readonly buf = new Uint8Array(MAX_SECTION_SIZE);
  private len = 0;
  private active = false;

  /** Forgets a partial section, e.g. after a lost packet. */
  reset(): void {
    this.len = 0;
    this.active = false;
  }

  push(payload: Uint8Array, unitStart: boolean, onSection: (section: Uint8Array) => void): void {
    if (unitStart) {
      if (payload.length === 0) throw new ParseError("PSI: missing pointer_field");
      const pointer = payload[0]!;
      if (1 + pointer > payload.length) throw new ParseError("PSI: pointer_field past packet end");
      if (this.active) this.append(payload.subarray(1, 1 + pointer), onSection);
      this.reset();
      this.active = true;
      this.append(payload.subarray(1 + pointer), onSection);
    } else if (this.active) {
      this.append(payload, onSection);
    }
  }

  private append(data: Uint8Array, onSection: (section: Uint8Array) => void): void {
    let pos = 0;
    while (this.active && pos < data.length) {
      if (this.len === 0 && data[pos] === STUFFING) {
        this.active = false; // the rest of the packet is stuffing
        return;
      }
      const head = this.buf.subarray(0, this.len);
      let size = sectionSize(head);
      const want = size < 0 ? 3 - this.len : size - this.len;
      const n = Math.min(want, data.length - pos);
      if (this.len + n > MAX_SECTION_SIZE) {
        this.reset();
        throw new ParseError("PSI: section too long");
      }
      this.buf.set(data.subarray(pos, pos + n), this.len);
      this.len += n;
      pos += n;
      size = sectionSize(this.buf.subarray(0, this.len));
      if (size > MAX_SECTION_SIZE) {
        this.reset();
        throw new ParseError("PSI: section too long");
      }
      if (size >= 0 && this.len === size) {
        this.len = 0;
        onSection(this.buf.subarray(0, size));
      }
    }
  }
}
