#!/usr/bin/env bash
# bench/rtsp-ingest: N RTSP cameras pulled over TCP and remuxed to HLS, our
# server against one `ffmpeg -rtsp_transport tcp -i … -c copy -f hls` per
# camera, in the same run, from the same cameras. Prints, per N and receiver:
# CPU seconds per stream-minute, cores, RSS (total and per stream), the
# cameras' own CPU, and the ratio ours/ffmpeg.
#
# The cameras: ONE GStreamer process (test/fixtures/rtsp-camera.py --mounts N)
# serving /cam1 … /camN. It encodes once (videotestsrc pattern=snow, so x264
# really spends the bitrate, + AAC) and pushes the same encoded frames into
# every mount, so a hundred cameras cost one encoder plus a payloader each.
# Its CPU is shown apart and is the same for both receivers.
#
# Knobs (environment):
#   COUNTS="10 50 100"     numbers of simultaneous cameras
#   PEERS="bun ffmpeg"     receivers (bun, deno, ffmpeg); their order alternates
#                          from one N to the next so drift is shared
#   WARMUP=60 DURATION=20  seconds after every stream is up / measured window:
#                          steady state (at 8 s Bun's JIT was still compiling)
#   RSS_EVERY=30           seconds between RSS samples in the window (logged as a series)
#   SIZE=640x360 FPS=25 BITRATE=1000 (video kbit/s) KEYFRAME=50 (frames)
#   AUDIO=aac              or none / pcmu
#   PATTERN=snow           videotestsrc pattern (ball: a few kbit/s only)
#   READY_TIMEOUT=90       seconds for all N streams to have an HLS segment
#   KEEP=1                 keep the scratch directory (logs, configs) and say where
#   QUIET_MAX=0.5          before each run, wait (up to 20 s) until the machine
#                          (cameras included) uses less than this many cores
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BENCH_NAME=rtsp-ingest
# shellcheck source=../lib.sh
. bench/lib.sh

COUNTS=${COUNTS:-"10 50 100"}
PEERS=${PEERS:-"bun ffmpeg"}
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-20}
SIZE=${SIZE:-640x360}
FPS=${FPS:-25}
BITRATE=${BITRATE:-1000}
KEYFRAME=${KEYFRAME:-50}
AUDIO=${AUDIO:-aac}
PATTERN=${PATTERN:-snow}
READY_TIMEOUT=${READY_TIMEOUT:-90}
RSS_EVERY=${RSS_EVERY:-30}
QUIET_MAX=${QUIET_MAX:-0.5}
PYTHON=${PYTHON:-/usr/bin/python3}
export DENO_NO_UPDATE_CHECK=1

# ---------------------------------------------------------------- tools ----
FFMPEG=$(command -v ffmpeg) || die "ffmpeg missing (apt-get install ffmpeg)"
command -v jq >/dev/null || die "jq missing (apt-get install jq)"
command -v curl >/dev/null || die "curl missing (apt-get install curl)"
[ -x "$PYTHON" ] || die "$PYTHON missing"
BUN="$ROOT/node_modules/.bin/bun"
DENO="$ROOT/node_modules/.bin/deno"
[ -x "$BUN" ] || die "$BUN missing (npm install)"
curl() { command curl --max-time 5 "$@"; }

max_n=0
for n in $COUNTS; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "bad count '$n' in COUNTS"
  [ "$n" -gt "$max_n" ] && max_n=$n
done

# ------------------------------------------------------ scratch + cleanup ----
bench_init
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  SHM=$(mktemp -d /dev/shm/rtsp-ingest.XXXXXX)
else
  log "warning: /dev/shm not available, ffmpeg writes HLS into $WORK (maybe not tmpfs)"
  SHM="$WORK/hls"; mkdir -p "$SHM"
fi
bench_on_exit() { rm -rf "${SHM:-}"; } # the HLS in tmpfs goes even with KEEP=1

# -------------------------------------------------------------- cameras ----
log "starting one GStreamer camera process with $max_n mounts (${SIZE}@${FPS}, ${BITRATE} kbit/s $PATTERN, audio $AUDIO)"
start_bg "$WORK/camera.log" "$PYTHON" test/fixtures/rtsp-camera.py --port 0 --path /cam --mounts "$max_n" \
  --size "$SIZE" --fps "$FPS" --bitrate "$BITRATE" --keyframe "$KEYFRAME" --audio "$AUDIO" --pattern "$PATTERN" \
  --protocols tcp --exit-with-parent
CAM_PID=$BG_PID
CAM_URL=""
for _ in $(seq 1 100); do
  CAM_URL=$(sed -n 's/^READY \(rtsp:[^ ]*\)$/\1/p' "$WORK/camera.log" | head -n1)
  [ -n "$CAM_URL" ] && break
  kill -0 "$CAM_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$CAM_URL" ] || { sed 's/^/  | /' "$WORK/camera.log" >&2; die "the camera did not start"; }
log "cameras at ${CAM_URL}1 … ${CAM_URL}$max_n"

# ------------------------------------------------------------ receivers ----
# start_ours RUNTIME N ; sets RECV_PIDS OURS_API OURS_LOG (or returns 1)
start_ours() {
  local rt=$1 n=$2 cfg="$WORK/config-$1-$2.json" k paths=""
  OURS_LOG="$WORK/server-$RUN_ID.log"
  for k in $(seq 1 "$n"); do
    paths+="${paths:+,}\"cam$k\":{\"source\":\"${CAM_URL}$k\",\"transport\":\"tcp\"}"
  done
  cat >"$cfg" <<EOF
{"http":{"port":0,"host":"127.0.0.1"},
 "demo":{"enabled":false},"rtsp":{"enabled":false},
 "paths":{$paths},
 "hls":{"alwaysRemux":true,"segmentDuration":2,"segmentCount":7},
 "logLevel":"info"}
EOF
  case $rt in
    bun) start_bg "$OURS_LOG" "$BUN" src/main.ts --config "$cfg" ;;
    deno) start_bg "$OURS_LOG" "$DENO" run "${DENO_SERVE_FLAGS[@]}" src/main.ts --config "$cfg" ;;
    *) die "unknown runtime $rt" ;;
  esac
  RECV_PIDS=("$BG_PID")
  local port=""
  for _ in $(seq 1 150); do
    port=$(sed -n 's#.*listening on http://[^:/]*:\([0-9]*\)/.*#\1#p' "$OURS_LOG" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$BG_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$port" ]; then
    log "server ($rt) did not start (does the config accept rtsp:// sources yet?); its output:"
    sed 's/^/  | /' "$OURS_LOG" | head -n 40 >&2
    return 1
  fi
  OURS_API="http://127.0.0.1:$port"
}

# start_ffmpeg N ; one ffmpeg per camera, HLS into tmpfs; sets RECV_PIDS FF_LOGS
start_ffmpeg() {
  local n=$1 k dir
  RECV_PIDS=(); FF_LOGS=()
  for k in $(seq 1 "$n"); do
    dir="$SHM/run$RUN_ID/cam$k"
    mkdir -p "$dir"
    start_bg "$WORK/ffmpeg-$RUN_ID-$k.log" "$FFMPEG" -nostdin -hide_banner -nostats -loglevel warning \
      -rtsp_transport tcp -i "${CAM_URL}$k" -map 0 -c copy \
      -f hls -hls_time 2 -hls_list_size 7 -hls_flags delete_segments \
      -hls_segment_filename "$dir/seg%05d.ts" "$dir/index.m3u8"
    RECV_PIDS+=("$BG_PID"); FF_LOGS+=("$WORK/ffmpeg-$RUN_ID-$k.log")
  done
}

playlist() { # playlist PEER K : the current playlist text of stream K
  if [ "$1" = ffmpeg ]; then cat "$SHM/run$RUN_ID/cam$2/index.m3u8" 2>/dev/null || true
  else curl -sf "$OURS_API/cam$2/index.m3u8" 2>/dev/null || true; fi
}
segments_cut() { # segments_cut PEER N : "k:count" (media sequence + segments listed) per stream with segments
  local k pl
  for k in $(seq 1 "$2"); do
    pl=$(playlist "$1" "$k")
    grep -q '^#EXTINF' <<<"$pl" || continue
    awk -v k="$k" -F: '/^#EXT-X-MEDIA-SEQUENCE:/ {s = $2} /^#EXTINF/ {c++} END {print k ":" s + c}' <<<"$pl"
  done
}
ours_counters() { # ours_counters FILE : summed source counters of the camK streams, "name value" lines
  curl -sf "$OURS_API/v1/streams" 2>/dev/null | jq -r '[.streams[] | select(.path | test("^cam[0-9]+$"))] as $s
    | ($s | map(.source.counters // {} | to_entries[] | select(.value | type == "number"))
          | group_by(.key) | map("\(.[0].key) \(map(.value) | add)") | .[]),
      "running \($s | map(select(.source.state == "running")) | length)"' >"$1" 2>/dev/null || : >"$1"
}
counter() { awk -v n="$2" '$1 == n { print $2; exit }' "$1" 2>/dev/null; }

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
RUN_ID=0

# run_one N PEER : one measured run, appends a row to RESULTS
run_one() {
  local n=$1 peer=$2
  RUN_ID=$((RUN_ID + 1))
  wait_quiet "$QUIET_MAX"
  local t_start
  t_start=$(now_ns)
  case $peer in
    ffmpeg) start_ffmpeg "$n" ;;
    *) start_ours "$peer" "$n" || { printf '%s\t%s\tfailed\n' "$n" "$peer" >>"$RESULTS"; return 0; } ;;
  esac
  # Wait until every stream has an HLS playlist with a segment (bounded).
  local up=0 deadline=$(($(date +%s) + READY_TIMEOUT)) alive
  while :; do
    up=$(segments_cut "$peer" "$n" | wc -l)
    [ "$up" -ge "$n" ] && break
    alive=0
    for p in "${RECV_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
    [ "$alive" -gt 0 ] || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 1
  done
  local ready_s
  ready_s=$(awk -v a="$t_start" -v b="$(now_ns)" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  log "  $up/$n streams have HLS segments after $ready_s s"
  sleep "$WARMUP"

  # ---- measured window
  local t0 r0 c0 m0 t1 r1 c1 m1 seq0 seq1
  seq0=$(segments_cut "$peer" "$n")
  [ "$peer" = ffmpeg ] || ours_counters "$WORK/ours-A"
  t0=$(now_ns); r0=$(cpu_ticks "${RECV_PIDS[@]}"); c0=$(cpu_ticks "$CAM_PID"); m0=$(machine_busy)
  local rss0
  rss0=$(rss_kb "${RECV_PIDS[@]}")
  # RSS sampled every RSS_EVERY s through the window, to tell flat from growing (DURATION=600: ten minutes).
  local series="$((rss0 / 1024))" left=$DURATION step
  while [ "$left" -gt 0 ]; do
    step=$((left < RSS_EVERY ? left : RSS_EVERY))
    sleep "$step"
    left=$((left - step))
    series+=" $(($(rss_kb "${RECV_PIDS[@]}") / 1024))"
  done
  t1=$(now_ns); r1=$(cpu_ticks "${RECV_PIDS[@]}"); c1=$(cpu_ticks "$CAM_PID"); m1=$(machine_busy)
  local rss max_rss=0 p v
  rss=$(rss_kb "${RECV_PIDS[@]}")
  for p in "${RECV_PIDS[@]}"; do v=$(rss_kb "$p"); [ "$v" -gt "$max_rss" ] && max_rss=$v; done
  # Flat memory is part of the target: RSS at the start and the end of the window (DURATION=600 for ten minutes).
  log "  RSS over the ${DURATION} s window: $((rss0 / 1024)) MB -> $((rss / 1024)) MB"
  log "  RSS every ${RSS_EVERY} s (MB): $series"
  seq1=$(segments_cut "$peer" "$n")
  [ "$peer" = ffmpeg ] || ours_counters "$WORK/ours-B"
  alive=0
  for p in "${RECV_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done

  # Streams whose playlist moved on during the window (new segments were cut).
  local advancing
  advancing=$(join -t: <(sort <<<"$seq0") <(sort <<<"$seq1") | awk -F: '$3 > $2' | wc -l)

  local other=""
  if [ "$peer" = ffmpeg ]; then
    stop_all INT "${RECV_PIDS[@]}"
    local warn
    warn=$(cat "${FF_LOGS[@]}" | grep -c . || true)
    [ "$warn" -eq 0 ] || other="ffmpeg log lines $warn ($(cat "${FF_LOGS[@]}" | sed 's/\[[^]]*\] //' | sort | uniq -c | sort -rn | head -n1 | sed 's/^ *//'))"
  else
    local k a b
    for k in packets lost badPackets framesDropped reconnects; do
      a=$(counter "$WORK/ours-A" "$k"); b=$(counter "$WORK/ours-B" "$k")
      [ -n "$a" ] && [ -n "$b" ] || continue
      other+="${other:+, }$k +$((b - a))"
    done
    other+=", running $(counter "$WORK/ours-B" running)/$n"
    stop_all TERM "${RECV_PIDS[@]}"
    local errs
    errs=$(grep -cE ' (ERROR|WARN) ' "$OURS_LOG" || true)
    [ "$errs" -eq 0 ] || { other+=", $errs WARN/ERROR log lines"; grep -E ' (ERROR|WARN) ' "$OURS_LOG" | head -n 5 | sed 's/^/  | /' >&2; }
  fi

  local secs cores cam_cores rest per_min
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  cores=$(awk -v a="$r0" -v b="$r1" -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.3f", (b-a)/hz/s}')
  cam_cores=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.2f", (b-a)/hz/s}')
  rest=$(awk -v a="$m0" -v b="$m1" -v hz="$HZ" -v s="$secs" -v r="$cores" -v c="$cam_cores" \
    'BEGIN{v=(b-a)/hz/s - r - c; if (v<0) v=0; printf "%.2f", v}')
  # CPU seconds per stream-minute = cores x 60 / N.
  per_min=$(awk -v c="$cores" -v n="$n" 'BEGIN{printf "%.3f", c*60/n}')
  local check=""
  [ "$up" -ge "$n" ] || check+="${check:+; }only $up/$n streams came up"
  [ "$advancing" -ge "$n" ] || check+="${check:+; }only $advancing/$n playlists advanced"
  [ "$alive" -eq "${#RECV_PIDS[@]}" ] || check+="${check:+; }$(( ${#RECV_PIDS[@]} - alive )) receiver(s) exited"
  [ "$QUIET" = ok ] || check+="${check:+; }machine busy before"
  check=${check:-ok}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$peer" "$per_min" "$cores" "$((rss / 1024))" \
    "$((max_rss / 1024))" "$cam_cores" "$rest" "$ready_s" "$check" "$other" >>"$RESULTS"
  log "$(printf '%4s %-6s %s CPU s/stream-min, %s cores, RSS %s MB (largest process %s MB), camera %s cores, rest %s, up in %s s: %s %s' \
    "$n" "$peer" "$per_min" "$cores" "$((rss / 1024))" "$((max_rss / 1024))" "$cam_cores" "$rest" "$ready_s" "$check" "${other:+($other)}")"
  rm -rf "$SHM/run$RUN_ID"
}

log "$(nproc) cores; ffmpeg $("$FFMPEG" -version | head -n1 | awk '{print $3}'), bun $("$BUN" --version)"
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
echo "rtsp-ingest: N cameras (one GStreamer process, mounts /cam1…/camN: ${SIZE}@${FPS} H.264 ${BITRATE} kbit/s '$PATTERN' + audio $AUDIO, keyframe every $KEYFRAME frames)"
echo "pulled over RTSP/TCP on loopback and remuxed to HLS (2 s segments, 7 listed); ${WARMUP} s warm-up after every stream is up, ${DURATION} s measured; $(nproc) cores"
echo "ffmpeg $("$FFMPEG" -version | head -n1 | awk '{print $3}') (one process per camera, -c copy -f hls into tmpfs), bun $("$BUN" --version)"
echo
echo "| N | receiver | CPU s / stream-minute | ours/ffmpeg | cores | RSS MB | RSS MB / stream | camera cores | rest | up in s | check | counters |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
while IFS=$'\t' read -r n peer per_min cores rss max_rss cam rest ready check other; do
  if [ "$per_min" = failed ]; then
    printf '| %s | %s | - | - | - | - | - | - | - | - | did not start | |\n' "$n" "$peer"
    continue
  fi
  ratio="-"
  if [ "$peer" != ffmpeg ]; then
    ff=$(awk -F'\t' -v n="$n" '$1 == n && $2 == "ffmpeg" { print $3; exit }' "$RESULTS")
    [ -n "$ff" ] && [ "$ff" != failed ] && ratio="**$(awk -v a="$per_min" -v b="$ff" 'BEGIN{ if (b > 0) printf "%.2f×", a/b; else print "-" }')**"
  fi
  per_stream=$(awk -v r="$rss" -v n="$n" 'BEGIN{printf "%.1f", r/n}')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$n" "$peer" "$per_min" "$ratio" "$cores" "$rss" "$per_stream" "$cam" "$rest" "$ready" "$check" "$other"
done <"$RESULTS"
echo
echo "CPU: utime+stime from /proc/PID/stat of the receiver (ours: the server process, all threads; ffmpeg: summed over"
echo "its N processes) over the window; CPU s / stream-minute = cores x 60 / N. RSS: VmRSS at the end of the window"
echo "(ffmpeg: summed over its processes). camera: the GStreamer process serving all N mounts. rest: the rest of the"
echo "machine. check: every stream had HLS segments and every playlist advanced during the window."
