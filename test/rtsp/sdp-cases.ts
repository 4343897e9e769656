/**
 * Session descriptions as cameras send them (addresses and parameter sets
 * replaced, structure and quirks kept). Shared by sdp.test.ts and the fuzzer.
 */
const crlf = (lines: string[]) => lines.join("\r\n") + "\r\n";

/** Hikvision DS-2CD2xxx: absolute controls with a query, PCMA audio, vendor lines. */
export const HIKVISION = crlf([
  "v=0",
  "o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64",
  "s=Media Presentation",
  "e=NONE",
  "b=AS:5050",
  "t=0 0",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast",
  "m=video 0 RTP/AVP 96",
  "c=IN IP4 0.0.0.0",
  "b=AS:5000",
  "a=recvonly",
  "a=x-dimensions:1920,1080",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==",
  "m=audio 0 RTP/AVP 8",
  "c=IN IP4 0.0.0.0",
  "b=AS:50",
  "a=recvonly",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast",
  "a=rtpmap:8 PCMA/8000",
  "a=Media_header:MEDIAINFO=494D4B48010100000400010010710110401F000000FA000000000000000000000000000000000000;",
  "a=appversion:1.0",
]);

/** Hikvision with H.265 (sprop-vps/sps/pps) and no audio. */
export const HIKVISION_H265 = crlf([
  "v=0",
  "o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64",
  "s=Media Presentation",
  "t=0 0",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast",
  "m=video 0 RTP/AVP 96",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast",
  "a=rtpmap:96 H265/90000",
  "a=fmtp:96 profile-id=1; sprop-sps=QgEBAWAAAAMAsAAAAwAAAwB7oAPAgBDlja5JMvTcBAQEAg==; sprop-pps=RAHA8vA8kAA=; sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwB7rAk=",
]);

/** Dahua: relative trackID controls, AAC, an ONVIF metadata track we cannot use. */
export const DAHUA = crlf([
  "v=0",
  "o=- 2253322233 2253322233 IN IP4 0.0.0.0",
  "s=Media Server",
  "c=IN IP4 0.0.0.0",
  "t=0 0",
  "a=control:*",
  "a=packetization-supported:DH",
  "a=rtppayload-supported:DH",
  "a=range:npt=now-",
  "m=video 0 RTP/AVP 96",
  "a=control:trackID=0",
  "a=framerate:25.000000",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1;profile-level-id=4D002A;sprop-parameter-sets=Z00AKpY1QPAET8s3AQEBAg==,aO48gA==",
  "a=recvonly",
  "m=audio 0 RTP/AVP 97",
  "a=control:trackID=1",
  "a=rtpmap:97 MPEG4-GENERIC/16000",
  "a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408",
  "a=recvonly",
  "m=application 0 RTP/AVP 107",
  "a=control:trackID=4",
  "a=rtpmap:107 vnd.onvif.metadata/90000",
  "a=recvonly",
]);

/** Axis (GStreamer-based firmware): mixed-case fmtp keys, trailing `;`, channels in rtpmap. */
export const AXIS = crlf([
  "v=0",
  "o=- 1234567890123456789 1 IN IP4 192.168.0.90",
  "s=Session streamed with GStreamer",
  "i=rtsp-server",
  "t=0 0",
  "a=tool:GStreamer",
  "a=type:broadcast",
  "a=range:npt=now-",
  "a=control:rtsp://192.168.0.90:554/axis-media/media.amp?videocodec=h264",
  "m=video 0 RTP/AVP 96",
  "c=IN IP4 0.0.0.0",
  "b=AS:50000",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1;profile-level-id=4d0029;sprop-parameter-sets=Z00AKeKQDwBE/LgLcBAQGkHiRFQ=,aO48gA==",
  "a=ts-refclk:local",
  "a=mediaclk:sender",
  "a=recvonly",
  "a=control:rtsp://192.168.0.90:554/axis-media/media.amp/stream=0?videocodec=h264",
  "a=framerate:30.000000",
  "a=transform:1.000000,0.000000,0.000000;0.000000,1.000000,0.000000;0.000000,0.000000,1.000000",
  "m=audio 0 RTP/AVP 97",
  "c=IN IP4 0.0.0.0",
  "b=AS:32",
  "a=rtpmap:97 MPEG4-GENERIC/16000/1",
  "a=fmtp:97 streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1408; sizeLength=13; indexLength=3; indexDeltaLength=3; profile=1; bitrate=32000;",
  "a=control:rtsp://192.168.0.90:554/axis-media/media.amp/stream=1?videocodec=h264",
]);

/** Reolink (live555 inside): `track1` controls, session control `*`, bare LF line ends. */
export const REOLINK = [
  "v=0",
  "o=- 1659354034441364 1 IN IP4 192.168.1.100",
  's=Session streamed by "preview"',
  "i=h264",
  "t=0 0",
  "a=tool:LIVE555 Streaming Media v2013.04.08",
  "a=type:broadcast",
  "a=control:*",
  "a=range:npt=0-",
  "m=video 0 RTP/AVP 96",
  "c=IN IP4 0.0.0.0",
  "b=AS:500",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1;profile-level-id=640033;sprop-parameter-sets=Z2QAM6wVFKAoAPGQ,aO48sA==",
  "a=control:track1",
  "m=audio 0 RTP/AVP 97",
  "c=IN IP4 0.0.0.0",
  "b=AS:256",
  "a=rtpmap:97 MPEG4-GENERIC/16000",
  "a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408",
  "a=control:track2",
].join("\n");

/**
 * Cheap cameras and DVRs: audio first, G.726 then static PCMU in one m-line,
 * lower-case codec names, `a=rtpmap: 96` with a space, indented lines, no v=,
 * an fmtp under the wrong payload number, HEVC spelled out.
 */
export const QUIRKY = crlf([
  "o=- 0 0 IN IP4 10.0.0.5",
  "s=",
  "m=audio 0 RTP/AVP 97 0 8",
  "a=rtpmap:97 G726-32/8000",
  "a=control:trackID=2",
  "  m=video 0 RTP/AVP 96",
  "a=rtpmap: 96 hevc/90000",
  "a=fmtp:35 SPROP-VPS=QAEMAf//AWAAAAMAsAAAAwAAAwB7rAk=;Sprop-SPS=QgEBAWAAAAMAsAAAAwAAAwB7oAPAgBDlja5JMvTcBAQEAg==",
  "a=control:trackID=1",
  "m=audio 0 RTP/AVP 98",
  "a=rtpmap:98 MP4A-LATM/44100/2",
  "a=fmtp:98 cpresent=0;config=400024203fc0",
  "m=audio 0 RTP/AVP 111",
  "a=rtpmap:111 OPUS/48000/2",
  "a=fmtp:111 minptime=10; useinbandfec=1",
  "m=text 0 RTP/AVP 100",
]);

export const ALL_CAMERAS = { HIKVISION, HIKVISION_H265, DAHUA, AXIS, REOLINK, QUIRKY };
