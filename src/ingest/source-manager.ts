import type { Credentials } from "../auth/basic.ts";
import { compilePathPattern, isPathPattern } from "../config/path-pattern.ts";
import type { Config, PathConfig } from "../config/schema.ts";
import { logger } from "../core/log.ts";
import type { StreamRegistry } from "../core/registry.ts";
import type { Runtime } from "../runtime/types.ts";
import { HttpPullSource } from "./http/http-pull-source.ts";
import { PublishSession } from "./publish-session.ts";
import type { Publisher, Refusal } from "./publisher.ts";
import { maskSource, parseSource } from "./source-url.ts";
import { RtspSource } from "./rtsp/rtsp-source.ts";
import { UdpSource } from "./udp/udp-source.ts";
import type { Stream } from "../core/stream.ts";

const log = logger("sources");

/** Starts the configured sources and admits publishers, one per path unless overridePublisher. */
export class SourceManager {
  /** Pulled sources (UDP, HTTP, RTSP cameras) by path. */
  private readonly running = new Map<string, { stop(): void }>();
  /** Path settings: the config's at start, then whatever the API applied. */
  private paths: Record<string, PathConfig>;
  private readonly sessions = new Map<string, Publisher>();
  /** `~pattern` paths, compiled when the paths are set (the schema checked they compile). */
  private patterns: [RegExp, PathConfig][] = [];

  constructor(
    config: Config,
    private readonly registry: StreamRegistry,
    private readonly runtime: Runtime,
  ) {
    this.paths = config.paths;
    this.compilePatterns();
  }

  private compilePatterns(): void {
    this.patterns = Object.entries(this.paths).flatMap(([key, pc]) => {
      const re = isPathPattern(key) ? compilePathPattern(key) : undefined;
      return re instanceof RegExp ? [[re, pc] as [RegExp, PathConfig]] : [];
    });
  }

  /** The settings of `path`: its own entry, else the first `~pattern` entry that matches it. */
  pathConfig(path: string): PathConfig | undefined {
    if (Object.hasOwn(this.paths, path)) return this.paths[path];
    for (const [pattern, pc] of this.patterns) if (pattern.test(path)) return pc;
    return undefined;
  }

  /** Credentials a reader of `path` must give, if the path sets them. */
  readCredentials(path: string): Credentials | undefined {
    const pc = this.pathConfig(path);
    return pc?.readUser !== undefined && pc.readPassword !== undefined ? { user: pc.readUser, password: pc.readPassword } : undefined;
  }

  /** Credentials a publisher to `path` must give, if the path sets them. */
  publishCredentials(path: string): Credentials | undefined {
    const pc = this.pathConfig(path);
    return pc?.publishUser !== undefined && pc.publishPassword !== undefined ? { user: pc.publishUser, password: pc.publishPassword } : undefined;
  }

  async start(): Promise<void> {
    for (const [path, pc] of Object.entries(this.paths)) await this.startPath(path, pc);
  }

  /**
   * New path settings, applied live (API changes): paths whose settings
   * changed or went away lose their source, stream and readers, and
   * publishers the new settings no longer admit are ended; new and changed
   * paths start.
   */
  async apply(paths: Record<string, PathConfig>): Promise<void> {
    const before = this.paths;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(paths)])].filter(
      (name) => JSON.stringify(before[name]) !== JSON.stringify(paths[name]),
    );
    for (const name of changed) {
      const source = this.running.get(name);
      if (source) {
        source.stop();
        this.running.delete(name);
        this.registry.remove(name, "path reconfigured");
      }
    }
    // A publisher whose settings (own or by pattern) changed at all is ended: it may no longer be allowed.
    const settingsOf = (path: string) => JSON.stringify(this.pathConfig(path));
    const publishers = [...this.sessions].map(([path, session]) => ({ path, session, was: settingsOf(path) }));
    this.paths = paths;
    this.compilePatterns();
    for (const p of publishers) if (settingsOf(p.path) !== p.was) this.end(p.session, "path reconfigured");
    for (const name of changed) if (Object.hasOwn(paths, name)) await this.startPath(name, paths[name]!);
  }

  private async startPath(path: string, pc: PathConfig): Promise<void> {
    const spec = parseSource(pc.source);
    if (typeof spec === "string" || spec.kind === "publisher") return;
    const stream = this.registry.create(path);
    const shown = maskSource(pc.source);
    if (spec.kind === "udp") {
      const source = new UdpSource(this.runtime, stream, { spec, url: shown, receiveBuffer: pc.udpReceiveBuffer, timeout: pc.timeout });
      stream.source = source;
      this.running.set(path, source);
      await source.start();
    } else if (spec.kind === "http") {
      const source = new HttpPullSource(stream, { url: spec.url, shownUrl: shown, program: spec.program, timeout: pc.timeout });
      stream.source = source;
      this.running.set(path, source);
      source.start();
    } else {
      const source = new RtspSource(this.runtime, stream, {
        url: spec.url,
        shownUrl: shown,
        transport: pc.transport,
        timeout: pc.timeout,
        requestTimeout: pc.requestTimeout,
        tcpReadBatchMs: pc.tcpReadBatchMs,
        tls: { verify: pc.tlsVerify, fingerprint: pc.tlsFingerprint },
      });
      stream.source = source;
      this.running.set(path, source);
      if (pc.onDemand) onDemand(stream, source, pc.closeAfter);
      else source.start();
    }
  }

  /** Admits a publisher on `path` (made by `create` once admitted), or says why not. */
  admit<P extends Publisher>(path: string, remote: string, create: (stream: Stream) => P): P | Refusal {
    const pc = this.pathConfig(path);
    if (!pc || pc.source !== "publisher") return { status: 404, error: `path "${path}" does not take publishers (configure paths.${path} with source: publisher)` };
    const current = this.sessions.get(path);
    if (current && !pc.overridePublisher) return { status: 409, error: `path "${path}" already has a publisher (${current.remote}); set overridePublisher to replace it` };
    current?.close(`replaced by ${remote}`);
    const stream = this.registry.get(path) ?? this.registry.create(path);
    const publisher = create(stream);
    stream.publisher = remote;
    stream.source = publisher;
    this.sessions.set(path, publisher);
    log.info(`${path}: publisher ${remote} started`);
    return publisher;
  }

  /** An MPEG-TS publisher (HTTP push). */
  publish(path: string, remote: string, program: number | undefined): PublishSession | Refusal {
    return this.admit(path, remote, (stream) => new PublishSession(stream, remote, program));
  }

  /** The publisher finished (body ended, connection closed, error, or replaced). */
  end(publisher: Publisher, reason: string): void {
    publisher.close(reason);
    const path = publisher.stream.path;
    log.info(`${path}: publisher ${publisher.remote} ended: ${reason}`);
    if (this.sessions.get(path) !== publisher) return; // replaced: the stream goes on with the new one
    this.sessions.delete(path);
    this.registry.remove(path, "publisher left");
  }

  stop(): void {
    for (const s of this.running.values()) s.stop();
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
