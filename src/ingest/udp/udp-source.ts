import type { Stream } from "../../core/stream.ts";
import { logger } from "../../core/log.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { UdpReceiver } from "../../runtime/udp.ts";
import type { SourceState, SourceStatus, StatusSource } from "../source-status.ts";
import type { SourceSpec } from "../source-url.ts";
import { TsIngest } from "../ts/ts-ingest.ts";
import { ErrorReport } from "../ts/error-report.ts";

const log = logger("udp");
/** How often the idle check and the error summary run. */
const CHECK_MS = 1000;

export interface UdpSourceOptions {
  readonly spec: Extract<SourceSpec, { kind: "udp" }>;
  readonly url: string;
  readonly receiveBuffer: number;
  /** Seconds without a datagram before the source counts as idle. */
  readonly timeout: number;
}

/** MPEG-TS over UDP, unicast or multicast, into one stream. */
export class UdpSource implements StatusSource {
  private receiver: UdpReceiver | undefined;
  private readonly ingest: TsIngest;
  private state: SourceState = "starting";
  private reason: string | undefined;
  private lastData = 0;
  private lastCount = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly report: ErrorReport;

  constructor(
    private readonly runtime: Runtime,
    private readonly stream: Stream,
    private readonly options: UdpSourceOptions,
  ) {
    this.ingest = new TsIngest(stream, options.spec.program);
    this.report = new ErrorReport(`${stream.path}`, log);
  }

  async start(): Promise<void> {
    const { spec } = this.options;
    this.stream.publisher = this.options.url;
    try {
      this.receiver = await this.runtime.receiveUdp(
        {
          host: spec.host,
          port: spec.port,
          multicast: spec.multicast ? { group: spec.host, interface: spec.interface!, source: spec.sourceAddress } : undefined,
          receiveBuffer: this.options.receiveBuffer,
        },
        (bytes) => this.ingest.push(bytes),
        (e) => log.warn(`${this.stream.path}: socket error: ${e.message}`),
      );
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
      return;
    }
    this.checkReceiveBuffer(this.receiver.granted);
    this.lastData = Date.now();
    this.state = "idle";
    this.reason = "no datagram yet";
    this.timer = setInterval(() => this.check(), CHECK_MS);
    log.info(`${this.stream.path}: listening on ${this.options.url}`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.receiver?.close();
    this.receiver = undefined;
    this.state = "stopped";
  }

  status(): SourceStatus {
    const r = this.receiver;
    return {
      kind: "udp",
      url: this.options.url,
      state: this.state,
      reason: this.reason,
      counters: {
        ...(r ? r.stats : {}),
        receiveBufferGranted: r ? Math.floor(r.granted / 2) : 0,
        ...this.ingest.counters(),
      },
    };
  }

  /** Linux reports twice the usable size (socket(7)); less than asked means rmem_max capped it. */
  private checkReceiveBuffer(reported: number): void {
    if (reported === 0) {
      log.warn(
        `${this.stream.path}: this runtime (${this.runtime.name}) cannot set the socket receive buffer; ` +
          `the kernel default applies: raise it with sysctl -w net.core.rmem_default=${this.options.receiveBuffer}, or run Deno with --allow-ffi`,
      );
      return;
    }
    const usable = Math.floor(reported / 2);
    if (usable < this.options.receiveBuffer) {
      log.warn(
        `${this.stream.path}: asked for a ${this.options.receiveBuffer} byte receive buffer, the kernel granted ${usable}; ` +
          `raise it with: sysctl -w net.core.rmem_max=${this.options.receiveBuffer}`,
      );
    }
  }

  private check(): void {
    const r = this.receiver;
    if (!r) return;
    const now = Date.now();
    if (r.stats.datagrams !== this.lastCount) {
      this.lastCount = r.stats.datagrams;
      this.lastData = now;
      if (this.state !== "running") log.info(`${this.stream.path}: receiving`);
      this.state = "running";
      this.reason = undefined;
    } else if (this.state === "running" && now - this.lastData > this.options.timeout * 1000) {
      this.state = "idle";
      this.reason = `no datagram for ${this.options.timeout} s`;
      log.warn(`${this.stream.path}: ${this.reason}`);
    }
    this.report.check(this.ingest.counters());
  }

  private fail(reason: string): void {
    this.state = "failed";
    this.reason = reason;
    log.error(`${this.stream.path}: ${reason}`);
  }
}
