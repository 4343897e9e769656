import { Stream, type StreamOptions } from "./stream.ts";

export type RegistryEvent = "add" | "remove";
type Listener = (stream: Stream) => void;

/** The streams of this server by path. */
export class StreamRegistry {
  private readonly streams = new Map<string, Stream>();
  /** One listener per subsystem (HLS, API, ...), so this set stays tiny. */
  private readonly listeners = new Map<RegistryEvent, Set<Listener>>([
    ["add", new Set()],
    ["remove", new Set()],
  ]);

  constructor(private readonly defaults: StreamOptions) {}

  get(path: string): Stream | undefined {
    return this.streams.get(path);
  }

  list(): Stream[] {
    return [...this.streams.values()];
  }

  /** Creates the stream at `path`; a path can have one stream at a time. */
  create(path: string, options: Partial<StreamOptions> = {}): Stream {
    if (this.streams.has(path)) throw new Error(`stream "${path}" already exists`);
    const stream = new Stream(path, { ...this.defaults, ...options });
    this.streams.set(path, stream);
    for (const fn of this.listeners.get("add")!) fn(stream);
    return stream;
  }

  remove(path: string, reason = "removed"): void {
    const stream = this.streams.get(path);
    if (!stream) return;
    this.streams.delete(path);
    stream.close(reason);
    for (const fn of this.listeners.get("remove")!) fn(stream);
  }

  on(event: RegistryEvent, fn: Listener): void {
    this.listeners.get(event)!.add(fn);
  }
}
