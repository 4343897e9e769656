#!/usr/bin/env bash
# Installs the real peers the tests talk to (run by `npm test` as its pretest step, and so by CI).
# - ffmpeg/ffprobe: HLS reader and decoder, MPEG-TS sender over UDP and HTTP
#   (the tests fall back to the static build npm installs when ffmpeg is missing);
# - GStreamer with its RTSP server and Python bindings: the RTSP camera (test/fixtures/rtsp-camera.py);
#   its rtspclientsink (gstreamer1.0-rtsp): an RTSP publisher (ANNOUNCE/RECORD);
# - openssl (a self-signed certificate) and glib-networking (GStreamer's TLS): the rtsps:// camera;
# - chromium: the headless browser that test/e2e drives with playwright-core (hls.js and native HLS).
set -euo pipefail
packages=(ffmpeg python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-rtsp
  openssl glib-networking chromium)
command -v dpkg >/dev/null || { echo "test-peers: not a Debian system; install ffmpeg, GStreamer (RTSP server, Python gi) and Chromium yourself" >&2; exit 0; }
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test-peers: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "test-peers: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
