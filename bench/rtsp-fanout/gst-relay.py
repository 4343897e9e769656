#!/usr/bin/python3
"""bench/rtsp-fanout/gst-relay.py: the baseline of the rtsp-fanout benchmark.

A GStreamer RTSP server (GstRtspServer) that takes the same MPEG-TS over UDP
as our server and serves it to RTSP readers from ONE shared media:

  udpsrc ! tsdemux ! h264parse ! rtph264pay (pay0)
                   ! aacparse  ! rtpmp4gpay (pay1)

`set_shared(True)`: the first DESCRIBE builds the pipeline, every later
client is one more transport on the same payloaders, so N readers cost one
demux and one payloader plus N sends. That is the fan-out design of
GStreamer's server (and of most RTSP servers), the peer our per-reader
packetization is compared with.

Run with the system Python (/usr/bin/python3, which has PyGObject):

  gst-relay.py --udp-port 23000 [--port 0] [--path /live] [--audio aac|none]
               [--mtu 1212] [--exit-with-parent]

Prints one line `READY rtsp://127.0.0.1:PORT/PATH` on stdout once it listens
(--port 0 = any free port), then logs to stderr. SIGTERM/SIGINT stop it.
"""

import argparse
import os
import signal
import sys

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtsp", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
except (ImportError, ValueError) as e:
    print(f"gst-relay: GStreamer RTSP server unavailable ({e}); see test/fixtures/rtsp-camera.py for the packages",
          file=sys.stderr, flush=True)
    sys.exit(3)


def log(*parts):
    try:
        print("gst-relay:", *parts, file=sys.stderr, flush=True)
    except OSError:
        pass


def parse_args(argv):
    p = argparse.ArgumentParser(description="GStreamer RTSP relay: MPEG-TS over UDP in, RTSP out (shared media)")
    p.add_argument("--udp-port", type=int, required=True, help="UDP port on 127.0.0.1 the MPEG-TS arrives on")
    p.add_argument("--port", type=int, default=0, help="RTSP port on 127.0.0.1 (0 = any free one)")
    p.add_argument("--path", default="/live")
    p.add_argument("--audio", choices=["aac", "none"], default="aac")
    # 1200 bytes of payload + the 12-byte RTP header: the packet size our server sends, so both send as many packets.
    p.add_argument("--mtu", type=int, default=1212, help="largest RTP packet, header included")
    p.add_argument("--rcvbuf", type=int, default=4194304, help="UDP receive buffer asked (our server's default)")
    p.add_argument("--exit-with-parent", action="store_true")
    a = p.parse_args(argv)
    if not a.path.startswith("/"):
        a.path = "/" + a.path
    return a


def launch(a):
    caps = "video/mpegts,systemstream=(boolean)true,packetsize=(int)188"
    # While the shared media prepares, GstRtspServer holds each payloader's first buffer until every
    # stream has one. With queue's default 1 s limit the audio queue filled up before the first video
    # buffer came through, tsdemux blocked on it, and prepare (so every DESCRIBE) hung forever: about
    # one start in three. 5 s of room covers a 2 s GOP; once playing, the queues stay nearly empty.
    queue = "queue max-size-buffers=0 max-size-bytes=0 max-size-time=5000000000"
    parts = [
        f'udpsrc address=127.0.0.1 port={a.udp_port} buffer-size={a.rcvbuf} caps="{caps}" ! tsdemux name=d',
        # config-interval=-1: SPS/PPS in band before every keyframe, as our server sends them.
        f"d. ! video/x-h264 ! {queue} ! h264parse ! rtph264pay name=pay0 pt=96 mtu={a.mtu} config-interval=-1",
    ]
    if a.audio == "aac":
        parts.append(f"d. ! audio/mpeg ! {queue} ! aacparse ! rtpmp4gpay name=pay1 pt=97 mtu={a.mtu}")
    return "( " + "  ".join(parts) + " )"


def main(argv):
    a = parse_args(argv)
    Gst.init(None)
    loop = GLib.MainLoop()
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))
    server.set_backlog(1024)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch(a))
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    server.get_mount_points().add_factory(a.path, factory)
    if server.attach(None) == 0:
        log(f"cannot listen on 127.0.0.1:{a.port}")
        return 1
    log(f"media: {launch(a)}")

    def quit_loop(*_):
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit_loop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, quit_loop)
    if a.exit_with_parent:
        parent = os.getppid()

        def check_parent():
            if os.getppid() != parent:
                log("parent process gone, quitting")
                loop.quit()
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        GLib.timeout_add(500, check_parent)

    print(f"READY rtsp://127.0.0.1:{server.get_bound_port()}{a.path}", flush=True)
    loop.run()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
