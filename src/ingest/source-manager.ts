import type { Config, PathConfig } from "../config/schema.ts";
import { logger } from "../core/log.ts";
import type { StreamRegistry } from "../core/registry.ts";
import type { Runtime } from "../runtime/types.ts";
import { HttpPullSource } from "./http/http-pull-source.ts";
import { PublishSession } from "./publish-session.ts";
import { maskSource, parseSource } from "./source-url.ts";
import { RtspSource } from "./rtsp/rtsp-source.ts";
import { UdpSource } from "./udp/udp-source.ts";
import type { Stream } from "../core/stream.ts";

const log = logger("sources");

export type PublishResult = PublishSession | { status: 404 | 409; error: string };

/** Starts the configured sources and admits publishers, one per path unless overridePublisher. */
export class SourceManager {
  private readonly sources: { stop(): void }[] = [];
  private readonly sessions = new Map<string, PublishSession>();

  constructor(
    private readonly config: Config,
    private readonly registry: StreamRegistry,
    private readonly runtime: Runtime,
  ) {}

  pathConfig(path: string): PathConfig | undefined {
    return Object.hasOwn(this.config.paths, path) ? this.config.paths[path] : undefined;
  }

  async start(): Promise<void> {
    for (const [path, pc] of Object.entries(this.config.paths)) {
      const spec = parseSource(pc.source);
      if (typeof spec === "string" || spec.kind === "publisher") continue;
      const stream = this.registry.create(path);
      const shown = maskSource(pc.source);
      if (spec.kind === "udp") {
        const source = new UdpSource(this.runtime, stream, { spec, url: shown, receiveBuffer: pc.udpReceiveBuffer, timeout: pc.timeout });
        stream.source = source;
        this.sources.push(source);
        await source.start();
      } else if (spec.kind === "http") {
        const source = new HttpPullSource(stream, { url: spec.url, shownUrl: shown, program: spec.program, timeout: pc.timeout });
        stream.source = source;
        this.sources.push(source);
        source.start();
      } else {
        const source = new RtspSource(this.runtime, stream, {
          url: spec.url,
          shownUrl: shown,
          transport: pc.transport,
          timeout: pc.timeout,
          requestTimeout: pc.requestTimeout,
        });
        stream.source = source;
        this.sources.push(source);
        if (pc.onDemand) onDemand(stream, source, pc.closeAfter);
        else source.start();
      }
    }
  }

  /** Admits a publisher on `path`, or says why not. */
  publish(path: string, remote: string, program: number | undefined): PublishResult {
    const pc = this.pathConfig(path);
    if (!pc || pc.source !== "publisher") return { status: 404, error: `path "${path}" does not take publishers (configure paths.${path} with source: publisher)` };
    const current = this.sessions.get(path);
    if (current && !pc.overridePublisher) return { status: 409, error: `path "${path}" already has a publisher (${current.remote}); set overridePublisher to replace it` };
    current?.close(`replaced by ${remote}`);
    const stream = this.registry.get(path) ?? this.registry.create(path);
    const session = new PublishSession(stream, remote, program);
    stream.publisher = remote;
    stream.source = session;
    this.sessions.set(path, session);
    log.info(`${path}: publisher ${remote} started`);
    return session;
  }

  /** The publisher finished (body ended, error, or replaced). */
  end(session: PublishSession, reason: string): void {
    session.ingest.end();
    session.close(reason);
    const path = session.stream.path;
    log.info(`${path}: publisher ${session.remote} ended: ${reason}`);
    if (this.sessions.get(path) !== session) return; // replaced: the stream goes on with the new one
    this.sessions.delete(path);
    this.registry.remove(path, "publisher left");
  }

  stop(): void {
    for (const s of this.sources) s.stop();
    for (const s of this.sessions.values()) s.close("server stopping");
  }
}

/** Starts `source` with the first reader of `stream` and stops it `closeAfter` seconds after the last one left. */
function onDemand(stream: Stream, source: { start(): void; stop(): void }, closeAfter: number): void {
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  stream.onReadersChanged((count) => {
    if (count > 0) {
      clearTimeout(timer);
      timer = undefined;
      if (!running) {
        running = true;
        log.info(`${stream.path}: first reader, dialling the source`);
        source.start();
      }
    } else if (running && timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        running = false;
        log.info(`${stream.path}: no reader for ${closeAfter} s, hanging up`);
        source.stop();
      }, closeAfter * 1000);
    }
  });
}
