import type { Stream } from "../../core/stream.ts";
import { logger } from "../../core/log.ts";
import type { SourceState, SourceStatus, StatusSource } from "../source-status.ts";
import { TsIngest } from "../ts/ts-ingest.ts";
import { ErrorReport } from "../ts/error-report.ts";

const log = logger("http-pull");
/** Redial delays: 1 s doubling to 30 s, so a dead server is not hammered. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export interface HttpPullOptions {
  readonly url: string;
  /** The URL for logs and the API, password masked. */
  readonly shownUrl: string;
  readonly program?: number;
  /** Seconds without a byte before the connection is dropped and dialled again. */
  readonly timeout: number;
}

/** MPEG-TS pulled over HTTP (a long or endless response body), dialled again when it ends or stalls. */
export class HttpPullSource implements StatusSource {
  private state: SourceState = "starting";
  private reason: string | undefined;
  private abort: AbortController | undefined;
  private stopped = false;
  private ingest: TsIngest | undefined;
  private retryMs = FIRST_RETRY_MS;
  private readonly counters = { connects: 0, reconnects: 0, bytes: 0 };
  private readonly report: ErrorReport;

  constructor(
    private readonly stream: Stream,
    private readonly options: HttpPullOptions,
  ) {
    this.report = new ErrorReport(stream.path, log);
  }

  start(): void {
    this.stream.publisher = this.options.shownUrl;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.state = "stopped";
  }

  status(): SourceStatus {
    return {
      kind: "http",
      url: this.options.shownUrl,
      state: this.state,
      reason: this.reason,
      counters: { ...this.counters, ...(this.ingest?.counters() ?? {}) },
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
        this.reason = "the server ended the response";
      } catch (e) {
        if (this.stopped) return;
        this.reason = e instanceof Error ? e.message : String(e);
      }
      if (this.stopped) return;
      this.state = "failed";
      log.warn(`${this.stream.path}: ${this.reason}; dialling again in ${this.retryMs / 1000} s`);
      await new Promise((r) => setTimeout(r, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      this.counters.reconnects++;
    }
  }

  /** One connection: read the body until it ends, stalls or fails. */
  private async session(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(new Error(`no data for ${this.options.timeout} s`)), this.options.timeout * 1000);
    };
    arm();
    try {
      const res = await fetch(this.options.url, { signal: abort.signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} from ${this.options.shownUrl}`);
      this.counters.connects++;
      const ingest = new TsIngest(this.stream, this.options.program);
      this.ingest = ingest;
      const reader = res.body.getReader();
      for (;;) {
        // One chunk at a time: TCP backpressure reaches the server while we demux.
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        if (this.state !== "running") log.info(`${this.stream.path}: receiving from ${this.options.shownUrl}`);
        this.state = "running";
        this.reason = undefined;
        this.retryMs = FIRST_RETRY_MS;
        this.counters.bytes += value.byteLength;
        ingest.push(value);
        this.report.check(ingest.counters());
      }
      ingest.end();
    } catch (e) {
      throw abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason : e;
    } finally {
      clearTimeout(watchdog);
    }
  }
}
