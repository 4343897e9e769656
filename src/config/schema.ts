import { z } from "zod";
import { parseSource } from "../ingest/source-url.ts";
import { isValidStreamPath } from "../stream-path.ts";
import { AuthSchema } from "./auth-schema.ts";
import { compilePathPattern, isPathPattern } from "./path-pattern.ts";

/** The single source of truth for settings and their defaults. */

/** rtsps:// (RTP interleaved in TLS): UDP transport makes no sense there. */
function isRtsps(source: string): boolean {
  const spec = parseSource(source);
  return typeof spec !== "string" && spec.kind === "rtsp" && spec.tls;
}

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

export const HlsVariantSchema = z.enum(["mpegts", "fmp4", "lowLatency"]);

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
    variant: HlsVariantSchema.default("mpegts").describe(
      "HLS flavour of every stream (a path's `hls.variant` overrides it): `mpegts` (MPEG-TS segments, plays everywhere), `fmp4` (fMP4 segments with EXT-X-MAP; H.265 in Safari needs it), `lowLatency` (LL-HLS: fMP4 parts, blocking playlist reload, delta updates). See docs/hls.md.",
    ),
    partDuration: seconds(0.1, 2)
      .default(0.2)
      .describe("lowLatency: part target in seconds; a part is whole frames of at most this long, and PART-TARGET is the longest part made."),
    maxBlockedRequests: z
      .number()
      .int()
      .min(1)
      .max(100000)
      .default(10000)
      .describe("lowLatency: blocking playlist reloads and preload-hinted part requests one stream holds at once (more get 503); each is held at most three target durations."),
  })
  .strict()
  .refine((h) => h.partDuration < h.segmentDuration, { message: "partDuration must be shorter than segmentDuration", path: ["partDuration"] });

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

export const PathSchema = z
  .object({
    source: z
      .string()
      .default("publisher")
      .superRefine((value, ctx) => {
        const spec = parseSource(value);
        if (typeof spec === "string") ctx.addIssue({ code: "custom", message: spec });
      })
      .describe(
        "Where the media comes from: `rtsp://[user:password@]camera[:554]/path` (pulled from a camera; `rtsps://…[:322]` over TLS, see tlsVerify and tlsFingerprint), `publisher` (pushed to us, e.g. HTTP POST to /<path>/ingest), `udp://<address>:<port>` (MPEG-TS; multicast: `udp://239.0.0.1:1234?interface=<local address>[&source=<sender>]`), or `http(s)://…` (MPEG-TS pulled over HTTP). `?program=<n>` on the source (or on the ingest URL of a publisher) picks a program of a multi-program TS; default the first with video.",
      ),
    timeout: seconds(1, 3600)
      .default(10)
      .describe("Seconds without data after which the source counts as idle (UDP) or is dialled again (RTSP, HTTP pull)."),
    transport: z
      .enum(["auto", "tcp", "udp"])
      .default("auto")
      .describe(
        "RTSP: RTP over UDP or TCP (interleaved); auto tries UDP and falls back to TCP when refused or when no packet arrives within 3 s. With rtsps:// the RTP is interleaved in the TLS connection: auto means TCP and udp is refused.",
      ),
    tlsVerify: z
      .boolean()
      .default(true)
      .describe(
        "rtsps: check the camera's certificate against the system's CAs and the host name. false accepts any certificate (encrypted, but anyone on the path can pose as the camera); prefer tlsFingerprint for a camera with a self-signed certificate.",
      ),
    tlsFingerprint: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, { message: "tlsFingerprint is the SHA-256 of the certificate: 64 hex digits, colons allowed" })
      .optional()
      .describe(
        "rtsps: accept only the certificate with this SHA-256 fingerprint (64 hex digits, colons allowed; `openssl x509 -noout -fingerprint -sha256 -in cert.pem`), whoever signed it; replaces the CA and host name check.",
      ),
    requestTimeout: seconds(1, 60).default(10).describe("RTSP: seconds to wait for the connection and for each answer of the camera."),
    tcpReadBatchMs: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .describe(
        "RTSP over TCP (Linux): milliseconds of the camera's data, at its measured bit rate, the kernel gathers before waking the server (SO_RCVLOWAT). Fewer wake-ups and reads per camera for a few ms of latency (at most about one frame interval when a frame's last packet is small); 0 wakes for every packet.",
      ),
    onDemand: z.boolean().default(false).describe("RTSP: dial the camera when the first reader arrives and hang up closeAfter seconds after the last one leaves."),
    closeAfter: seconds(1, 3600).default(10).describe("With onDemand: seconds without readers before the camera is hung up."),
    udpReceiveBuffer: z
      .number()
      .int()
      .min(64 << 10)
      .max(256 << 20)
      .default(4 << 20)
      .describe("Socket receive buffer asked for UDP sources, in bytes; the kernel caps it at net.core.rmem_max."),
    overridePublisher: z.boolean().default(false).describe("A new publisher replaces the current one instead of being refused."),
    publishUser: z.string().min(1).optional().describe("User a publisher must give, with publishPassword (HTTP push: Basic; RTSP: Basic or Digest)."),
    publishPassword: z.string().min(1).optional().describe("Password a publisher must give."),
    readUser: z.string().min(1).optional().describe("User a reader must give, with readPassword (RTSP: Basic or Digest; HLS: Basic)."),
    readPassword: z.string().min(1).optional().describe("Password a reader must give."),
    hls: z
      .object({ variant: HlsVariantSchema.optional().describe("HLS flavour of this path; default the global hls.variant.") })
      .strict()
      .optional()
      .describe("HLS settings of this path."),
  })
  .strict()
  .refine((p) => (p.publishUser === undefined) === (p.publishPassword === undefined), {
    message: "publishUser and publishPassword go together",
  })
  .refine((p) => (p.readUser === undefined) === (p.readPassword === undefined), {
    message: "readUser and readPassword go together",
  })
  .refine((p) => !(p.transport === "udp" && isRtsps(p.source)), {
    message: "rtsps:// carries RTP inside its TLS connection (no SRTP): transport must be auto or tcp, not udp",
    path: ["transport"],
  });

export const RtspServerSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Serve every stream to RTSP readers (DESCRIBE, SETUP, PLAY) and take RTSP publishers on `source: publisher` paths (ANNOUNCE, SETUP, RECORD)."),
    port: z.number().int().min(0).max(65535).default(8554).describe("RTSP port (TCP)."),
    host: z.string().min(1).default("0.0.0.0").describe("Address the RTSP server listens on."),
    rtpPort: z
      .number()
      .int()
      .min(0)
      .max(65534)
      .refine((n) => n % 2 === 0, { message: "rtpPort must be even (RTCP takes the next one, RFC 3550 11)" })
      .nullable()
      .default(8000)
      .describe("UDP port for RTP to readers and from publishers (RTCP on the next one); 0 = any free pair; null = RTP over TCP only."),
    sessionTimeout: z
      .number()
      .int()
      .min(2)
      .max(600)
      .default(60)
      .describe("Seconds without a request or a packet after which an RTSP session is closed (RFC 2326 12.37); readers that are playing get 1.5 times this."),
  })
  .strict();

const IceServerSchema = z
  .object({
    urls: z
      .union([z.string(), z.array(z.string()).min(1)])
      .refine((u) => (Array.isArray(u) ? u : [u]).every((s) => /^(stun|stuns|turn|turns):/.test(s)), {
        message: "ICE server URLs start with stun:, stuns:, turn: or turns: (RFC 7064, RFC 7065)",
      }),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .strict();

const udpPort = z.number().int().min(1).max(65535);
const ipAddress = z.string().refine((s) => z.ipv4().safeParse(s).success || z.ipv6().safeParse(s).success, { message: "an IPv4 or IPv6 address" });

export const WebRtcSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Serve WebRTC playback (WHEP) at `POST /<path>/whep` and publishing (WHIP) at `POST /<path>/whip`."),
    host: ipAddress
      .default("0.0.0.0")
      .describe("Address the ICE UDP sockets bind to; a specific address also limits the announced interface addresses to it."),
    interfaceAddresses: z
      .enum(["ipv4", "ipv6", "both", "none"])
      .default("ipv4")
      .describe("Which addresses of this machine's interfaces are announced as host candidates (loopback and link-local never are; see announcedAddresses)."),
    announcedAddresses: z
      .array(ipAddress)
      .max(8)
      .default([])
      .describe(
        "Extra addresses announced as host candidates, each with its own socket: the public IP of a 1:1 NAT (forward the UDP ports unchanged), or 127.0.0.1 so a browser on this machine connects over loopback.",
      ),
    udpPortRange: z
      .tuple([udpPort, udpPort])
      .refine(([min, max]) => min < max, { message: "the range needs at least two ports (werift refuses min = max)" })
      .nullable()
      .default(null)
      .describe(
        "UDP ports [min, max] for ICE; each session takes one port per candidate address (interface addresses plus announcedAddresses). null: any free port. werift cannot share one port between sessions, so a single port is not possible.",
      ),
    iceServers: z
      .array(IceServerSchema)
      .max(8)
      .default([])
      .describe("STUN/TURN servers the server uses to find its own reflexive or relayed candidates; empty on a LAN, with a public IP or with announcedAddresses."),
    clientIceServers: z
      .array(IceServerSchema)
      .max(8)
      .default([])
      .describe("STUN/TURN servers offered to WHEP clients in Link headers of the answer (RFC 9725 4.6)."),
    maxSessions: z.number().int().min(1).max(10000).default(256).describe("WebRTC sessions at once; more get 503. Each holds UDP sockets and a DTLS context."),
    connectTimeout: seconds(2, 120).default(15).describe("Seconds a new session has to connect (ICE and DTLS) before it is closed."),
    publisherKeyframeInterval: seconds(0, 60)
      .default(2)
      .describe(
        "Seconds between keyframe requests (RTCP PLI) to WHIP publishers; 0: only when a viewer asks. Browsers send keyframes only when asked, and HLS segments and new viewers start on one.",
      ),
  })
  .strict();

export const ConfigSchema = z
  .object({
    http: HttpSchema.prefault({}),
    ring: RingSchema.prefault({}),
    hls: HlsSchema.prefault({}),
    rtsp: RtspServerSchema.prefault({}),
    webrtc: WebRtcSchema.prefault({}),
    demo: DemoSchema.prefault({}),
    auth: AuthSchema.prefault({}),
    paths: z
      .record(
        z.string().superRefine((key, ctx) => {
          if (isPathPattern(key)) {
            const compiled = compilePathPattern(key);
            if (typeof compiled === "string") ctx.addIssue({ code: "custom", message: compiled });
          } else if (!isValidStreamPath(key)) {
            ctx.addIssue({ code: "custom", message: "path names are segments of A-Z a-z 0-9 _ . ~ - joined by /, or ~ and a regular expression" });
          }
        }),
        PathSchema,
      )
      .superRefine((paths, ctx) => {
        for (const [key, pc] of Object.entries(paths)) {
          if (isPathPattern(key) && pc.source !== "publisher") {
            ctx.addIssue({ code: "custom", path: [key, "source"], message: "a ~pattern path takes publishers only (source: publisher)" });
          }
        }
      })
      .default({})
      .describe(
        "Streams by path, each with its source and settings. A key starting with `~` is a regular expression (`~^cams/.+$`) that takes publishers on every path it matches; an exact name wins over a pattern, and patterns are tried in file order.",
      ),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default("info").describe("Least severe log lines written to stderr."),
    logFormat: z.enum(["pretty", "json"]).default("pretty").describe("Log lines as `time LEVEL scope: message` (pretty) or one JSON object per line (json: time, level, scope, msg) for log collectors."),
  })
  .strict()
  .refine(
    (c) => !(c.demo?.enabled !== false && Object.hasOwn(c.paths ?? {}, c.demo?.path ?? "demo")),
    {
      message: "this path is taken by the demo stream (demo.path); rename it or set demo.enabled: false",
      path: ["paths"],
      // Checked even when other settings are wrong, so one run lists every problem.
      when: (payload) => typeof payload.value === "object" && payload.value !== null,
    },
  );

export type Config = z.infer<typeof ConfigSchema>;
export type PathConfig = z.infer<typeof PathSchema>;
export type HlsConfig = z.infer<typeof HlsSchema>;
export type HlsVariant = z.infer<typeof HlsVariantSchema>;
export type WebRtcConfig = z.infer<typeof WebRtcSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
