import type { Stream } from "../core/stream.ts";
import type { StatusSource } from "./source-status.ts";

/** A client pushing media into a path (HTTP MPEG-TS, RTSP RECORD, ...), admitted by the SourceManager. */
export interface Publisher extends StatusSource {
  readonly stream: Stream;
  /** Who publishes, for logs and the API. */
  readonly remote: string;
  /** Stops taking media; idempotent. */
  close(reason: string): void;
}

/** Why a publisher was not admitted, with the HTTP/RTSP status that says so. */
export interface Refusal {
  readonly status: 404 | 409;
  readonly error: string;
}
