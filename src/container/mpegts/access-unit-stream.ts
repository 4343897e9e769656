import type { AccessUnit } from "../../core/access-unit.ts";
import { TsAccessUnitReader } from "./access-unit-reader.ts";
import type { TsDemuxerOptions } from "./demuxer.ts";

/**
 * MPEG-TS bytes in (any chunking: UDP datagrams, HTTP body chunks), access
 * units out; the rest of the input is flushed when the writable side closes.
 * Pass your own `reader` to watch its `stats`, `tracks` and `demuxer.stats`.
 * The reader copies what it keeps, so a source may reuse its chunk buffers.
 */
export function tsAccessUnitStream(
  options: TsDemuxerOptions = {},
  reader: TsAccessUnitReader = new TsAccessUnitReader(options),
): TransformStream<Uint8Array, AccessUnit> {
  return new TransformStream<Uint8Array, AccessUnit>({
    transform(chunk, controller) {
      for (const au of reader.push(chunk)) controller.enqueue(au);
    },
    flush(controller) {
      for (const au of reader.flush()) controller.enqueue(au);
    },
  });
}
