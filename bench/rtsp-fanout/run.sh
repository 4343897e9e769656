#!/usr/bin/env bash
# bench/rtsp-fanout: ONE live stream (H.264 720p25 at BITRATE kbit/s + AAC)
# read by N RTSP readers over TCP interleaved, our server against GStreamer's
# RTSP server (GstRtspServer, one shared media: bench/rtsp-fanout/gst-relay.py)
# in the same run, from the same source. Prints, per N and server: the
# server's CPU (cores) and RSS, the load client's and the source's CPU, what
# the readers received (Mbit/s each, frames/s, sequence gaps, how far they
# fell behind) and the ratio ours/GStreamer. See docs/BENCHMARKS.md.
#
# Source: ffmpeg sends a pre-encoded MPEG-TS clip (`-re -stream_loop -1
# -c copy`) over UDP to 127.0.0.1:UDP_PORT; both servers ingest it
# (ours: `paths.live.source: udp://…`; GStreamer: udpsrc ! tsdemux). Chosen
# over the GStreamer camera fixture because a live x264 encoder at 4 Mbit/s
# would take a good part of one of the two cores during every window and
# move with the load; the copy costs ~0.01 core, and the bitrate is exact
# (x264 VBV-capped on a noisy picture, so the encoder really spends it).
#
# Readers: ONE Bun process (bench/rtsp-fanout/readers.ts) with N connections,
# each OPTIONS, DESCRIBE, SETUP of every track (interleaved), PLAY, reading
# and counting (no decoding). Not N ffmpeg processes: that would measure
# ffmpeg, and 500 of them do not fit on two cores.
#
# Knobs (environment):
#   COUNTS="100 500"          numbers of readers of the one stream
#   PEERS="bun gstreamer"     servers (bun, deno, gstreamer); their order
#                             alternates from one N to the next
#   WARMUP=10 DURATION=20     seconds after every reader plays / measured
#   BITRATE=4000              video kbit/s of the clip (AAC 96 kbit/s on top)
#   SIZE=1280x720 FPS=25 KEYFRAME=50 (frames)   the clip
#   AUDIO=aac                 or none
#   CLIP=FILE                 an MPEG-TS file (H.264 + AAC) instead of the encoded clip
#   UDP_PORT=23000            where the source sends
#   CONCURRENCY=25            readers doing their RTSP handshake at once
#   READY_TIMEOUT=120         seconds for all N readers to play
#   QUIET_MAX=0.5             before each run, wait (up to 20 s) until the
#                             machine (the source included) uses less than this
#   KEEP=1                    keep the scratch directory (logs, stats) and say where
#   OURS_MAIN=src/main.ts     our server's entry point (another checkout's, for an A/B of a change)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BENCH_NAME=rtsp-fanout
# shellcheck source=../lib.sh
. bench/lib.sh

COUNTS=${COUNTS:-"100 500"}
PEERS=${PEERS:-"bun gstreamer"}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-20}
BITRATE=${BITRATE:-4000}
SIZE=${SIZE:-1280x720}
FPS=${FPS:-25}
KEYFRAME=${KEYFRAME:-50}
AUDIO=${AUDIO:-aac}
CLIP=${CLIP:-}
UDP_PORT=${UDP_PORT:-23000}
CONCURRENCY=${CONCURRENCY:-25}
READY_TIMEOUT=${READY_TIMEOUT:-120}
QUIET_MAX=${QUIET_MAX:-0.5}
OURS_MAIN=${OURS_MAIN:-src/main.ts}
PYTHON=${PYTHON:-/usr/bin/python3}
export DENO_NO_UPDATE_CHECK=1

# ---------------------------------------------------------------- tools ----
FFMPEG=$(command -v ffmpeg) || die "ffmpeg missing (apt-get install ffmpeg)"
FFPROBE=$(command -v ffprobe) || die "ffprobe missing (apt-get install ffmpeg)"
command -v jq >/dev/null || die "jq missing (apt-get install jq)"
command -v curl >/dev/null || die "curl missing (apt-get install curl)"
[ -x "$PYTHON" ] || die "$PYTHON missing"
BUN="$ROOT/node_modules/.bin/bun"
DENO="$ROOT/node_modules/.bin/deno"
[ -x "$BUN" ] || die "$BUN missing (npm install)"
curl() { command curl --max-time 5 "$@"; }
case $AUDIO in aac | none) ;; *) die "AUDIO must be aac or none" ;; esac

max_n=0
for n in $COUNTS; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "bad count '$n' in COUNTS"
  [ "$n" -gt "$max_n" ] && max_n=$n
done
for p in $PEERS; do case $p in bun | deno | gstreamer) ;; *) die "unknown peer '$p' in PEERS" ;; esac; done
# Every reader is a socket in the client and one in the server.
raise_nofile $((max_n + 256))

bench_init

# ----------------------------------------------------------------- clip ----
if [ -n "$CLIP" ]; then
  [ -r "$CLIP" ] || die "CLIP=$CLIP not readable"
  CLIP_FILE=$CLIP
else
  CLIP_FILE="$WORK/clip.ts"
  log "encoding a 20 s ${SIZE}@${FPS} clip: H.264 ${BITRATE} kbit/s (x264 veryfast, VBV-capped, no B-frames, keyframe every $KEYFRAME frames)$([ "$AUDIO" = aac ] && echo " + AAC 96 kbit/s")"
  audio_in=() audio_out=()
  [ "$AUDIO" = aac ] && audio_in=(-f lavfi -i "sine=frequency=440:sample_rate=48000") && audio_out=(-c:a aac -b:a 96k -ac 2)
  # Temporal noise on testsrc2: the encoder has to spend the whole budget on every frame.
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=$SIZE:rate=$FPS,noise=alls=12:allf=t+u" "${audio_in[@]}" \
    -t 20 -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -bf 0 \
    -g "$KEYFRAME" -keyint_min "$KEYFRAME" -sc_threshold 0 \
    -b:v "${BITRATE}k" -maxrate "${BITRATE}k" -bufsize "${BITRATE}k" "${audio_out[@]}" -f mpegts "$CLIP_FILE"
fi
# Elementary-stream bitrate (video + audio payload bytes over the clip's duration): what a reader must receive, before RTP headers.
clip_secs=$("$FFPROBE" -v error -show_entries format=duration -of csv=p=0 "$CLIP_FILE")
ES_KBPS=$("$FFPROBE" -v error -show_entries packet=size -of csv=p=0 "$CLIP_FILE" | awk -v d="$clip_secs" '{s += $1} END {printf "%.0f", s*8/d/1000}')
CLIP_DESC=$("$FFPROBE" -hide_banner -i "$CLIP_FILE" 2>&1 | grep -E 'Stream #' | sed 's/^ *Stream #[0-9:]*\[[^]]*\]: //; s/ (\[[^)]*)//g' | tr '\n' ';' | sed 's/;$//')
log "clip: $clip_secs s, elementary streams $ES_KBPS kbit/s: $CLIP_DESC"

# --------------------------------------------------------------- source ----
# Runs for the whole benchmark; each server binds UDP_PORT while it is measured.
start_bg "$WORK/source.log" "$FFMPEG" -nostdin -hide_banner -nostats -loglevel warning \
  -re -stream_loop -1 -i "$CLIP_FILE" -map 0 -c copy -f mpegts "udp://127.0.0.1:$UDP_PORT?pkt_size=1316"
SRC_PID=$BG_PID
sleep 1
alive "$SRC_PID" || { sed 's/^/  | /' "$WORK/source.log" >&2; die "the ffmpeg source did not start"; }

# -------------------------------------------------------------- servers ----
# start_server PEER ; sets SERVER_PID SERVER_LOG RTSP_URL (API for ours), or returns 1
start_server() {
  local peer=$1 url=""
  SERVER_LOG="$WORK/server-$RUN_ID-$peer.log"
  API=""
  if [ "$peer" = gstreamer ]; then
    start_bg "$SERVER_LOG" "$PYTHON" bench/rtsp-fanout/gst-relay.py --udp-port "$UDP_PORT" --port 0 --path /live \
      --audio "$AUDIO" --exit-with-parent
    SERVER_PID=$BG_PID
    for _ in $(seq 1 100); do
      url=$(sed -n 's/^READY \(rtsp:[^ ]*\)$/\1/p' "$SERVER_LOG" | head -n1)
      [ -n "$url" ] && break
      alive "$SERVER_PID" || break
      sleep 0.1
    done
    [ -n "$url" ] || { sed 's/^/  | /' "$SERVER_LOG" >&2; log "the GStreamer relay did not start"; return 1; }
    RTSP_URL=$url
    return 0
  fi
  local cfg="$WORK/config.json"
  cat >"$cfg" <<EOF
{"http":{"port":0,"host":"127.0.0.1"},
 "rtsp":{"enabled":true,"port":0,"host":"127.0.0.1","rtpPort":null},
 "demo":{"enabled":false},
 "paths":{"live":{"source":"udp://127.0.0.1:$UDP_PORT"}},
 "logLevel":"info"}
EOF
  case $peer in
    bun) start_bg "$SERVER_LOG" "$BUN" "$OURS_MAIN" --config "$cfg" ;;
    deno) start_bg "$SERVER_LOG" "$DENO" run "${DENO_SERVE_FLAGS[@]}" "$OURS_MAIN" --config "$cfg" ;;
  esac
  SERVER_PID=$BG_PID
  local http="" rtsp="" tracks=0
  for _ in $(seq 1 150); do
    http=$(sed -n 's#.*listening on http://[^:/]*:\([0-9]*\)/.*#\1#p' "$SERVER_LOG" | head -n1)
    rtsp=$(sed -n 's#.*RTSP listening on rtsp://[^:/]*:\([0-9]*\)/.*#\1#p' "$SERVER_LOG" | head -n1)
    if [ -n "$http" ] && [ -n "$rtsp" ]; then
      # The stream has its tracks once the source saw a keyframe with parameter sets.
      tracks=$(curl -sf "http://127.0.0.1:$http/v1/streams" | jq '[.streams[] | select(.path == "live") | .tracks[]] | length' 2>/dev/null || echo 0)
      [ "${tracks:-0}" -gt 0 ] && break
    fi
    alive "$SERVER_PID" || break
    sleep 0.2
  done
  if [ "${tracks:-0}" -eq 0 ]; then
    sed 's/^/  | /' "$SERVER_LOG" | head -n 40 >&2
    log "server ($peer) did not start or the stream has no tracks"
    return 1
  fi
  API="http://127.0.0.1:$http"
  RTSP_URL="rtsp://127.0.0.1:$rtsp/live"
}

# ours_readers : "rtsp readers, ring units they drop, largest backlog in units" from GET /v1/streams
ours_readers() {
  [ -n "$API" ] || { echo ""; return 0; }
  curl -sf "$API/v1/streams" | jq -r '.streams[] | select(.path == "live") | [.readers[] | select(.protocol == "rtsp")]
    | "\(length) \(map(.dropped) | add // 0) \(map(.lag) | max // 0)"' 2>/dev/null || echo ""
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
RUN_ID=0

# run_one N PEER : one measured run, appends a row to RESULTS
run_one() {
  local n=$1 peer=$2
  RUN_ID=$((RUN_ID + 1))
  wait_quiet "$QUIET_MAX"
  start_server "$peer" || { printf '%s\t%s\tfailed\n' "$n" "$peer" >>"$RESULTS"; return 0; }
  local idle_rss
  idle_rss=$(rss_kb "$SERVER_PID")
  local stats="$WORK/stats-$RUN_ID.json" t_start
  t_start=$(now_ns)
  start_bg "$WORK/readers-$RUN_ID.log" "$BUN" bench/rtsp-fanout/readers.ts --url "$RTSP_URL" --count "$n" --stats "$stats" \
    --concurrency "$CONCURRENCY" --ready-timeout "$READY_TIMEOUT" --seconds $((READY_TIMEOUT + WARMUP + DURATION + 60))
  local client=$BG_PID
  # Wait until every reader is playing (or has given up), bounded.
  local deadline=$(($(date +%s) + READY_TIMEOUT + 10)) settled=0 playing=0
  while :; do
    if [ -r "$stats" ]; then
      read -r playing settled < <(jq -r '"\(.states.playing) \(.states.playing + .states.failed + .states.closed)"' "$stats" 2>/dev/null || echo "0 0")
      [ "${settled:-0}" -ge "$n" ] && break
    fi
    alive "$client" && alive "$SERVER_PID" || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.5
  done
  local ready_s
  ready_s=$(awk -v a="$t_start" -v b="$(now_ns)" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  log "  $playing/$n readers playing after $ready_s s (server idle RSS $((idle_rss / 1024)) MB)"
  sleep "$WARMUP"

  # ---- measured window
  local t0 s0 c0 f0 m0 k0 rss0 t1 s1 c1 f1 m1 k1 rss1 hwm ours0 ours1
  ours0=$(ours_readers)
  cp "$stats" "$WORK/A-$RUN_ID.json"
  t0=$(now_ns); s0=$(cpu_ticks "$SERVER_PID"); k0=$(sys_ticks "$SERVER_PID"); c0=$(cpu_ticks "$client"); f0=$(cpu_ticks "$SRC_PID"); m0=$(machine_busy)
  rss0=$(rss_kb "$SERVER_PID")
  sleep "$DURATION"
  t1=$(now_ns); s1=$(cpu_ticks "$SERVER_PID"); k1=$(sys_ticks "$SERVER_PID"); c1=$(cpu_ticks "$client"); f1=$(cpu_ticks "$SRC_PID"); m1=$(machine_busy)
  cp "$stats" "$WORK/B-$RUN_ID.json"
  rss1=$(rss_kb "$SERVER_PID"); hwm=$(hwm_kb "$SERVER_PID")
  ours1=$(ours_readers)
  local server_alive=yes
  alive "$SERVER_PID" || server_alive=no
  stop_all TERM "$client"
  stop_all TERM "$SERVER_PID"

  local srv srv_sys cli src rest
  srv=$(cores "$s0" "$s1" "$t0" "$t1"); srv_sys=$(cores "$k0" "$k1" "$t0" "$t1")
  cli=$(cores "$c0" "$c1" "$t0" "$t1"); src=$(cores "$f0" "$f1" "$t0" "$t1")
  rest=$(awk -v a="$m0" -v b="$m1" -v hz="$HZ" -v t0="$t0" -v t1="$t1" -v s="$srv" -v c="$cli" -v f="$src" \
    'BEGIN{v=(b-a)/hz/((t1-t0)/1e9) - s - c - f; if (v<0) v=0; printf "%.2f", v}')
  local w
  w=$("$BUN" bench/rtsp-fanout/window.ts "$WORK/A-$RUN_ID.json" "$WORK/B-$RUN_ID.json" --kbps "$ES_KBPS" --fps "$FPS" 2>&1) ||
    { log "  window summary failed: $w"; w='{}'; }
  echo "$w" >"$WORK/window-$RUN_ID.json"
  local full playing_w mb_min mb_med fps_med gaps jumps drift_max why errors
  read -r full playing_w mb_min mb_med fps_med gaps jumps drift_max < <(jq -r '"\(.full // 0) \(.playing // 0) \(.mbps.min // 0) \(.mbps.median // 0) \(.fps.median // 0) \(.gaps // 0) \(.jumps // 0) \(.driftMs.max // 0)"' <<<"$w")
  why=$(jq -r '.why // {} | to_entries | map(select(.value > 0) | "\(.key) \(.value)") | join(", ")' <<<"$w")
  errors=$(jq -r '.errors // {} | to_entries | map("\(.value)× \(.key)") | join("; ")' <<<"$w")
  local check=""
  [ "$playing" -ge "$n" ] || check+="${check:+; }only $playing/$n played"
  [ "$full" -ge "$n" ] || check+="${check:+; }$((n - full)) not full (${why:-not playing through the window})"
  [ -z "$errors" ] || check+="${check:+; }$errors"
  [ "$server_alive" = yes ] || check+="${check:+; }server exited"
  [ "$QUIET" = ok ] || check+="${check:+; }machine busy before"
  if [ "$peer" != gstreamer ]; then
    local warns
    warns=$(grep -cE ' (ERROR|WARN) ' "$SERVER_LOG" || true)
    [ "$warns" -eq 0 ] || { check+="${check:+; }$warns WARN/ERROR log lines"; grep -E ' (ERROR|WARN) ' "$SERVER_LOG" | sort | uniq -c | sort -rn | head -n 3 | sed 's/^/  | /' >&2; }
    # Ring units the server skipped for its readers (ring.slowReader) during the window.
    local d0 d1
    d0=$(awk '{print $2}' <<<"$ours0"); d1=$(awk '{print $2}' <<<"$ours1")
    [ -z "$d0" ] || [ -z "$d1" ] || [ "$d1" = "$d0" ] || check+="${check:+; }ring units dropped +$((d1 - d0))"
  else
    local gwarn
    gwarn=$(grep -ciE 'warn|error|critical' "$SERVER_LOG" || true)
    [ "$gwarn" -eq 0 ] || check+="${check:+; }$gwarn warning lines in the relay log"
  fi
  check=${check:-ok}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$n" "$peer" "$srv" "$srv_sys" "$((rss1 / 1024))" "$((hwm / 1024))" "$((idle_rss / 1024))" "$cli" "$src" "$rest" \
    "$full" "$mb_min" "$mb_med" "$fps_med" "$gaps" "$jumps" "$drift_max" "$ready_s" "$check" >>"$RESULTS"
  log "$(printf '%4s %-9s server %s cores (sys %s), RSS %s MB (start of window %s, peak %s, idle %s); client %s cores, source %s, rest %s' \
    "$n" "$peer" "$srv" "$srv_sys" "$((rss1 / 1024))" "$((rss0 / 1024))" "$((hwm / 1024))" "$((idle_rss / 1024))" "$cli" "$src" "$rest")"
  log "$(printf '     readers: %s/%s full, %s/%s playing through the window; Mbit/s min %s median %s; fps median %s; gaps %s, jumps %s, fell behind by up to %s ms: %s' \
    "$full" "$n" "$playing_w" "$n" "$mb_min" "$mb_med" "$fps_med" "$gaps" "$jumps" "$drift_max" "$check")"
}

log "$(nproc) cores; ffmpeg $("$FFMPEG" -version | head -n1 | awk '{print $3}'), bun $("$BUN" --version), GStreamer $(gst-launch-1.0 --version 2>/dev/null | sed -n 's/^GStreamer //p' | head -n1); open files $(ulimit -n)"
i=0
for n in $COUNTS; do
  order=$PEERS
  [ $((i % 2)) -eq 0 ] || order=$(tr ' ' '\n' <<<"$PEERS" | tac | tr '\n' ' ')
  for peer in $order; do
    log "N=$n: $peer"
    run_one "$n" "$peer"
  done
  i=$((i + 1))
done

# ----------------------------------------------------------------- table ----
echo
echo "rtsp-fanout: one stream ($CLIP_DESC; elementary streams $ES_KBPS kbit/s) read by N RTSP/TCP-interleaved readers on loopback"
echo "source: ffmpeg -re -c copy, MPEG-TS over UDP; readers: one Bun process (bench/rtsp-fanout/readers.ts); ${WARMUP} s warm-up after all play, ${DURATION} s measured; $(nproc) cores"
echo "bun $("$BUN" --version), GStreamer $(gst-launch-1.0 --version 2>/dev/null | sed -n 's/^GStreamer //p' | head -n1) (GstRtspServer, shared media: bench/rtsp-fanout/gst-relay.py)"
echo
echo "| N | server | server cores (sys) | ours/gst CPU | RSS MB (peak) | ours/gst RSS | client cores | source cores | rest | readers full | Mbit/s per reader min / median | fps median | seq gaps | fell behind max ms | all playing after s | check |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
while IFS=$'\t' read -r n peer srv sys rss hwm idle cli src rest full mmin mmed fps gaps jumps drift ready check; do
  if [ "$srv" = failed ]; then
    printf '| %s | %s | - | - | - | - | - | - | - | - | - | - | - | - | - | did not start |\n' "$n" "$peer"
    continue
  fi
  rc="-" rr="-"
  if [ "$peer" != gstreamer ]; then
    g=$(awk -F'\t' -v n="$n" '$1 == n && $2 == "gstreamer" && $3 != "failed" { print $3 "\t" $5; exit }' "$RESULTS")
    if [ -n "$g" ]; then
      rc="**$(awk -v a="$srv" -v b="${g%%$'\t'*}" 'BEGIN{ if (b > 0) printf "%.2f×", a/b; else print "-" }')**"
      rr="**$(awk -v a="$rss" -v b="${g##*$'\t'}" 'BEGIN{ if (b > 0) printf "%.2f×", a/b; else print "-" }')**"
    fi
    # Ours did not serve every reader: its CPU is not a like-for-like figure.
    [ "$full" -ge "$n" ] || rc="(${rc//\*/})"
  fi
  printf '| %s | %s | %s (%s) | %s | %s (%s) | %s | %s | %s | %s | %s/%s | %s / %s | %s | %s | %s | %s | %s |\n' \
    "$n" "$peer" "$srv" "$sys" "$rc" "$rss" "$hwm" "$rr" "$cli" "$src" "$rest" "$full" "$n" "$mmin" "$mmed" "$fps" "$gaps" "$drift" "$ready" "$check"
done <"$RESULTS"
echo
echo "server cores: utime+stime of the server process (all threads) from /proc/PID/stat over the window, (sys) = the kernel part;"
echo "on loopback the kernel's TCP work for both ends is largely charged to the sender, i.e. the server. RSS: VmRSS at the end of"
echo "the window, peak = VmHWM (joins included). client: the readers process; source: the ffmpeg sender; rest: everything else."
echo "readers full: playing through the window with >= 90 % of $ES_KBPS kbit/s and of $FPS fps, no RTP sequence gap, no timestamp jump,"
echo "and less than 1 s more behind at the end of the window than at its start (arrival time minus RTP media time)."
