/** Where a source stands, for the API and metrics. */
export type SourceState = "starting" | "running" | "idle" | "failed" | "stopped";

export interface SourceStatus {
  readonly kind: "udp" | "http" | "rtsp" | "publisher" | "demo";
  /** The source URL with any password masked. */
  readonly url: string;
  readonly state: SourceState;
  /** Why the source is idle or failed, in a sentence. */
  readonly reason?: string;
  /** Counters of this source (datagrams, CC errors, reconnects, ...). */
  readonly counters: Readonly<Record<string, number>>;
}

/** Anything that feeds a stream and can say how it is doing. */
export interface StatusSource {
  status(): SourceStatus;
}
