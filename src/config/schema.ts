import { z } from "zod";

/** The single source of truth for settings and their defaults. */

const seconds = (min: number, max: number) => z.number().min(min).max(max);

export const RingSchema = z
  .object({
    maxDuration: seconds(1, 120)
      .default(10)
      .describe("Seconds of recent media each stream keeps for readers (a new reader starts at the newest keyframe in it)."),
    maxBytes: z
      .number()
      .int()
      .min(1 << 20)
      .max(1 << 30)
      .default(64 << 20)
      .describe("Bytes of recent media each stream keeps at most, whatever maxDuration says."),
    slowReader: z
      .enum(["skip", "close"])
      .default("skip")
      .describe("A reader that falls out of the ring is moved to the newest keyframe (skip) or closed (close)."),
  })
  .strict();

export const HlsSchema = z
  .object({
    segmentDuration: seconds(0.5, 30).default(2).describe("Target segment duration in seconds; segments are cut on keyframes."),
    segmentCount: z.number().int().min(3).max(60).default(7).describe("Segments listed in the playlist."),
    closeAfter: seconds(1, 86400).default(60).describe("Seconds without requests after which a stream's HLS muxer stops."),
    alwaysRemux: z.boolean().default(false).describe("Keep every stream's HLS muxer running with or without viewers."),
    firstSegmentTimeout: seconds(1, 60)
      .default(10)
      .describe("Seconds the first playlist request of a cold stream waits for the first segment before 404."),
    sendTimeout: seconds(5, 3600)
      .default(60)
      .describe("Seconds a segment response may take; a client slower than that is cut off so it cannot pin memory."),
    cacheMaxAge: seconds(0, 31536000).default(86400).describe("Cache-Control max-age of segments (they are immutable)."),
  })
  .strict();

export const HttpSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(8888).describe("HTTP port for HLS, the API and the web UI (env PORT overrides)."),
    host: z.string().min(1).default("0.0.0.0").describe("Address to listen on."),
    cors: z.string().default("*").describe("Access-Control-Allow-Origin sent with media and API responses."),
  })
  .strict();

export const DemoSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Publish the built-in looping demo clip."),
    path: z
      .string()
      .regex(/^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/)
      .default("demo")
      .describe("Stream path of the demo."),
    file: z.string().optional().describe("MPEG-TS file to loop instead of the built-in clip."),
  })
  .strict();

export const ConfigSchema = z
  .object({
    http: HttpSchema.prefault({}),
    ring: RingSchema.prefault({}),
    hls: HlsSchema.prefault({}),
    demo: DemoSchema.prefault({}),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default("info").describe("Least severe log lines written to stderr."),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type HlsConfig = z.infer<typeof HlsSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
