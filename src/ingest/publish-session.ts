import type { Stream } from "../core/stream.ts";
import type { Publisher } from "./publisher.ts";
import type { SourceState, SourceStatus } from "./source-status.ts";
import { TsIngest } from "./ts/ts-ingest.ts";

/** One publisher pushing MPEG-TS (HTTP POST/PUT) into a path, until it ends or is replaced. */
export class PublishSession implements Publisher {
  readonly ingest: TsIngest;
  private readonly abort = new AbortController();
  private state: SourceState = "running";
  private reason: string | undefined;
  readonly counters = { bytes: 0, chunks: 0 };

  constructor(
    readonly stream: Stream,
    readonly remote: string,
    program: number | undefined,
  ) {
    this.ingest = new TsIngest(stream, program);
  }

  /** Aborted when the session is replaced or the server stops. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  push(chunk: Uint8Array): void {
    this.counters.bytes += chunk.byteLength;
    this.counters.chunks++;
    this.ingest.push(chunk);
  }

  close(reason: string): void {
    if (this.state === "stopped") return;
    this.ingest.end();
    this.state = "stopped";
    this.reason = reason;
    this.abort.abort(new Error(reason));
  }

  status(): SourceStatus {
    return {
      kind: "publisher",
      url: this.remote,
      state: this.state,
      reason: this.reason,
      counters: { ...this.counters, ...this.ingest.counters() },
    };
  }
}
