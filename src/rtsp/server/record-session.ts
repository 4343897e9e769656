import type { Stream } from "../../core/stream.ts";
import { MediaTrack } from "../../ingest/rtsp/media-track.ts";
import { RtpTrackSet } from "../../ingest/rtsp/rtp-track-set.ts";
import type { Publisher } from "../../ingest/publisher.ts";
import type { SourceState, SourceStatus } from "../../ingest/source-status.ts";
import type { SessionInfo } from "../sdp.ts";
import { resolveControl } from "../url.ts";

/** The path part of an RTSP URL, without a trailing slash: clients SETUP with another host spelling than they ANNOUNCEd. */
function pathPart(uri: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*(.*)$/s.exec(uri);
  return (m ? m[1]! : uri).replace(/\/+$/, "");
}

/**
 * Throws the ParseError of the first media an announced SDP lists that we
 * cannot turn into a track (a bad AAC config, say), before anyone is admitted.
 */
export function checkAnnouncedMedia(sdp: SessionInfo): void {
  sdp.media.forEach((m, i) => new MediaTrack(m, i, 0, 0));
}

/**
 * A publisher over RTSP (RFC 2326 10.11 ANNOUNCE, 10.12 RECORD): the tracks
 * of its SDP, the ones it set up, and their RTP into the stream once it records.
 */
export class RecordSession implements Publisher {
  private readonly set: RtpTrackSet;
  private readonly setUp = new Set<number>();
  private state: SourceState = "starting";
  private reason: string | undefined;
  private tcp = false;

  constructor(
    readonly stream: Stream,
    readonly remote: string,
    private readonly sdp: SessionInfo,
    /** The ANNOUNCE URL: the SDP's control URLs are relative to it. */
    private readonly base: string,
    /** Told when the session is closed from outside (replaced by another publisher, server stopping). */
    private readonly onClose: (reason: string) => void,
  ) {
    this.set = RtpTrackSet.continuing(stream, sdp.media);
  }

  get recording(): boolean {
    return this.state === "running";
  }

  /** The track a SETUP URL names: its resolved a=control, or the only track. */
  trackFor(uri: string): number | undefined {
    const wanted = pathPart(uri);
    const i = this.sdp.media.findIndex((m) => pathPart(resolveControl(this.base, m.control)) === wanted);
    if (i >= 0) return i;
    return this.sdp.media.length === 1 && wanted === pathPart(this.base) ? 0 : undefined;
  }

  setup(index: number, tcp: boolean): void {
    this.setUp.add(index);
    this.tcp = tcp;
  }

  get tracksSetUp(): number {
    return this.setUp.size;
  }

  /** RECORD: the tracks set up join the stream, and their media is taken from now on. */
  record(): void {
    if (this.state !== "starting") return;
    for (const i of this.setUp) this.stream.setTrack(this.set.tracks[i]!.track);
    this.state = "running";
  }

  rtp(index: number, bytes: Uint8Array): void {
    if (this.state === "running" && this.setUp.has(index)) this.set.rtp(index, bytes);
  }

  rtcp(index: number, bytes: Uint8Array): void {
    if (this.state === "running" && this.setUp.has(index)) this.set.rtcp(index, bytes);
  }

  close(reason: string): void {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.reason = reason;
    this.onClose(reason);
  }

  status(): SourceStatus {
    return {
      kind: "publisher",
      url: `rtsp://${this.remote}`,
      state: this.state,
      reason: this.reason,
      counters: { ...this.set.counters, lost: this.set.lost, framesDropped: this.set.framesDropped, transportTcp: this.tcp ? 1 : 0 },
    };
  }
}
