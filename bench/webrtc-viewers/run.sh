#!/usr/bin/env bash
# bench/webrtc-viewers: how many WHEP viewers of one 1 Mbit/s H.264 stream
# one core of our server sustains with at most 1% frame loss, and where the
# CPU goes (a CPU profile of the server at a chosen count).
#
# The server (Bun) is pinned to core 0 and serves a clip re-encoded by
# ffmpeg at 1 Mbit/s CBR without B-frames, looped as the demo stream. The
# viewers (bench/webrtc-viewers/viewers.ts, werift peers that count RTP
# headers without decrypting) run pinned to core 1, opened in steps; per
# step: server cores, server CPU ms per viewer-second, frames the viewers got
# whole over frames the server had for them (sent + dropped), packets/s,
# packets lost and out of order (put back in order within 64 packets), RSS,
# and the cores the rest of the machine used meanwhile (it may be shared).
# There is no other WHEP server here to compare with; the profile shows what
# SRTP costs in werift next to everything else.
#
# Run under the bench lock:  flock /tmp/bench.lock bash bench/webrtc-viewers/run.sh
# Knobs (environment):
#   COUNTS="50 100 200 300 400 500 600"  viewer counts, in steps on one server
#   WARMUP=5 WINDOW=10                 seconds per step before / while measuring
#   PROFILE_AT=200                     viewers during the profiled run (0: no profile)
#   BITRATE=1000                       kbit/s of the clip's video
#   RUNTIME=bun                        or deno (profile: Bun only)
#   KEEP=1                             keep the scratch directory
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
COUNTS=${COUNTS:-"50 100 200 300 400 500 600"}
WARMUP=${WARMUP:-5}
WINDOW=${WINDOW:-10}
PROFILE_AT=${PROFILE_AT:-200}
BITRATE=${BITRATE:-1000}
RUNTIME=${RUNTIME:-bun}
export DENO_NO_UPDATE_CHECK=1 WARMUP WINDOW HZ=$(getconf CLK_TCK)

log() { printf '[webrtc-viewers] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
command -v ffmpeg >/dev/null || die "ffmpeg missing"
command -v taskset >/dev/null || die "taskset missing (util-linux)"
[ "$(nproc)" -ge 2 ] || die "needs two cores: one for the server, one for the viewers"
BUN="$ROOT/node_modules/.bin/bun"
RT="$ROOT/node_modules/.bin/$RUNTIME"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/webrtc-viewers.XXXXXX")
PIDS=()
cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT

log "encoding the clip: demo.ts at ${BITRATE} kbit/s CBR, no B-frames, keyframe every 2 s"
ffmpeg -hide_banner -v error -i assets/demo.ts -c:v libx264 -preset veryfast -profile:v main -bf 0 -g 50 -sc_threshold 0 \
  -b:v "${BITRATE}k" -minrate "${BITRATE}k" -maxrate "${BITRATE}k" -bufsize "$((BITRATE / 2))k" -x264-params nal-hrd=cbr \
  -an -f mpegts "$WORK/clip.ts"

# start_server NAME [runtime args...]: server on core 0 with the clip as its demo; sets SERVER_PID and SERVER_URL
start_server() {
  local name=$1
  shift
  cat >"$WORK/$name.json" <<EOF
{ "http": { "port": 0, "host": "127.0.0.1" }, "rtsp": { "enabled": false },
  "demo": { "file": "$WORK/clip.ts" }, "logLevel": "${LOG_LEVEL:-info}",
  "webrtc": { "host": "127.0.0.1", "interfaceAddresses": "none", "announcedAddresses": ["127.0.0.1"], "maxSessions": 1000 } }
EOF
  if [ "$RUNTIME" = deno ]; then
    taskset -c 0 "$RT" run --allow-all src/main.ts --config "$WORK/$name.json" >"$WORK/$name.log" 2>&1 &
  else
    taskset -c 0 "$RT" "$@" src/main.ts --config "$WORK/$name.json" >"$WORK/$name.log" 2>&1 &
  fi
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL=""
  for _ in $(seq 1 100); do
    SERVER_URL=$(sed -n 's#.*listening on \(http://[^ /]*\).*#\1#p' "$WORK/$name.log" | head -n1 | sed 's/localhost/127.0.0.1/')
    [ -n "$SERVER_URL" ] && break
    sleep 0.1
  done
  [ -n "$SERVER_URL" ] || die "server did not start: $(cat "$WORK/$name.log")"
  sleep 2
}

log "runtime $RUNTIME $("$RT" --version | head -n1), $(nproc) cores: server on core 0, viewers on core 1"
start_server steps
log "server $SERVER_URL (pid $SERVER_PID); steps: $COUNTS (warmup ${WARMUP} s, window ${WINDOW} s)"
printf '%8s %7s %14s %11s %9s %9s %12s %7s %7s %7s %7s\n' viewers cores "ms/viewer-s" "frame loss" "pkts/s" "lost pkts" "out of order" "RSS MB" "client" "others" "failed" >&2
taskset -c 1 "$BUN" bench/webrtc-viewers/viewers.ts "$SERVER_URL" "$SERVER_PID" demo $COUNTS | tee "$WORK/steps.jsonl" |
  while read -r line; do
    v=$(echo "$line" | sed 's/.*"viewers":\([0-9]*\).*/\1/')
    c=$(echo "$line" | sed 's/.*"serverCores":\([0-9.]*\).*/\1/')
    m=$(echo "$line" | sed 's/.*"serverCoreMsPerViewerSecond":\([0-9.]*\).*/\1/')
    l=$(echo "$line" | sed 's/.*"frameLoss":\([0-9.]*\).*/\1/')
    p=$(echo "$line" | sed 's/.*"packetsPerSecond":\([0-9]*\).*/\1/')
    k=$(echo "$line" | sed 's/.*"packetsLost":\([0-9]*\).*/\1/')
    u=$(echo "$line" | sed 's/.*"clientCores":\([0-9.]*\).*/\1/')
    r=$(echo "$line" | sed 's/.*"serverRssMb":\([0-9]*\).*/\1/')
    o=$(echo "$line" | sed 's/.*"packetsOutOfOrder":\([0-9]*\).*/\1/')
    f=$(echo "$line" | sed 's/.*"failedConnects":\([0-9]*\).*/\1/')
    x=$(echo "$line" | sed 's/.*"otherCores":\([0-9.]*\).*/\1/')
    printf '%8s %7s %14s %11s %9s %9s %12s %7s %7s %7s %7s\n' "$v" "$c" "$m" "$l" "$p" "$k" "$o" "$r" "$u" "$x" "$f" >&2
  done
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true

if [ "$PROFILE_AT" -gt 0 ] && [ "$RUNTIME" = bun ]; then
  log "profiling the server with $PROFILE_AT viewers (bun --cpu-prof)"
  start_server profile --cpu-prof --cpu-prof-dir="$WORK/prof"
  taskset -c 1 "$BUN" bench/webrtc-viewers/viewers.ts "$SERVER_URL" "$SERVER_PID" demo "$PROFILE_AT" >/dev/null
  kill -INT "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  prof=$(ls "$WORK"/prof/*.cpuprofile 2>/dev/null | head -n1)
  if [ -n "$prof" ]; then
    log "profile: $prof"
    "$BUN" bench/webrtc-viewers/profile-top.ts "$prof" 25
  else
    log "no profile written"
  fi
fi
