#!/usr/bin/env bash
# bench/udp-ingest: aggregate MPEG-TS-over-UDP ingest on loopback, our server
# (Bun, Deno) against one `ffmpeg -i udp://… -c copy -f hls` per feed, in the
# same run, fed by the same paced sender (bench/udp-ingest/sender.ts). Prints,
# per scenario and receiver: Mbit/s and datagrams/s received, CPU (cores and
# µs per Mbit), datagrams lost (kernel RcvbufErrors, per-socket drops, CC
# errors) and the ratio ours/ffmpeg of CPU per Mbit/s. See docs/BENCHMARKS.md.
#
# Knobs (environment):
#   SCENARIOS="8x12.5 8x25 4x50 2x100"   feeds x Mbit/s per feed
#   PEERS="bun deno ffmpeg"   receivers to measure; their order alternates
#                             from one scenario to the next so drift is shared
#   WARMUP=30 DURATION=15     seconds of sending before / during the measured
#                             window: steady state, not a feed's startup
#                             (ffmpeg probes ~5 MB of input first; our server
#                             fills its ring, slabs and segment pool and its
#                             JIT compiles in the first ~10 s)
#   MODE=unicast              or multicast: feed i goes to 239.255.77.i, joined
#                             and sent on 127.0.0.1 only (never another NIC)
#   BASE_PORT=24000           feed i uses UDP port BASE_PORT+i
#   RCVBUF=4194304            socket receive buffer asked by both receivers
#                             (ours: paths.*.udpReceiveBuffer, its default;
#                             ffmpeg: buffer_size=); the kernel caps it at
#                             net.core.rmem_max. The size the kernel really
#                             gave each feed socket (ss: skmem rb) is printed
#   OURS_RCVBUF=$RCVBUF       udpReceiveBuffer for our server only
#   FFMPEG_UDP_OPTS="overrun_nonfatal=1"   more udp:// options for ffmpeg
#   ROUNDS=1                  measured runs per scenario and receiver (order
#                             alternates between rounds too); the summary
#                             gives the mean over rounds
#   RETRIES=1                 a run flagged "*" (see QUIET_MAX) is measured
#                             again, up to RETRIES times; the last one is kept
#   CLIP_MBPS=25              video bitrate of the generated 1080p30 clip
#   CLIP=FILE                 use this MPEG-TS file instead of encoding one
#   QUIET_MAX=0.25            before each run, wait (up to 30 s) until other
#                             work uses less than this many cores; a run that
#                             starts on a busy machine, or during which
#                             unattributed CPU (`rest`) exceeds REST_MAX, is
#   REST_MAX=0.35             flagged "*"
#   KEEP=1                    keep the scratch directory (logs, configs) and say where
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BENCH_NAME=udp-ingest
# shellcheck source=../lib.sh
. bench/lib.sh

SCENARIOS=${SCENARIOS:-"8x12.5 8x25 4x50 2x100"}
PEERS=${PEERS:-"bun deno ffmpeg"}
WARMUP=${WARMUP:-30}
DURATION=${DURATION:-15}
MODE=${MODE:-unicast}
BASE_PORT=${BASE_PORT:-24000}
RCVBUF=${RCVBUF:-4194304}
OURS_RCVBUF=${OURS_RCVBUF:-$RCVBUF}
FFMPEG_UDP_OPTS=${FFMPEG_UDP_OPTS:-"overrun_nonfatal=1"}
CLIP_MBPS=${CLIP_MBPS:-25}
CLIP=${CLIP:-}
ROUNDS=${ROUNDS:-1}
RETRIES=${RETRIES:-1}
QUIET_MAX=${QUIET_MAX:-0.25}
REST_MAX=${REST_MAX:-0.35}
export DENO_NO_UPDATE_CHECK=1

case $MODE in unicast | multicast) ;; *) die "MODE must be unicast or multicast" ;; esac

# ---------------------------------------------------------------- tools ----
need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
command -v ss >/dev/null 2>&1 || need_apt+=(iproute2)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing ${need_apt[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
FFMPEG=$(command -v ffmpeg)
BUN="$ROOT/node_modules/.bin/bun"
DENO="$ROOT/node_modules/.bin/deno"
[ -x "$BUN" ] || die "$BUN missing (npm install)"
[ -r /proc/net/snmp ] || die "/proc/net/snmp not readable (Linux only)"

# No request of ours may hang the run.
curl() { command curl --max-time 5 "$@"; }

# ------------------------------------------------------ scratch + cleanup ----
bench_init
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  SHM=$(mktemp -d /dev/shm/udp-ingest.XXXXXX)
else
  log "warning: /dev/shm not available, ffmpeg writes HLS into $WORK (maybe not tmpfs)"
  SHM="$WORK/hls"; mkdir -p "$SHM"
fi
bench_on_exit() { rm -rf "${SHM:-}"; } # the HLS in tmpfs goes even with KEEP=1
snmp_udp() { # InDatagrams RcvbufErrors OutDatagrams of the whole machine
  awk '/^Udp:/{ if (!h) { for (i=2;i<=NF;i++) col[$i]=i; h=1; next }
                 print $col["InDatagrams"], $col["RcvbufErrors"], $col["OutDatagrams"]; exit }' /proc/net/snmp
}
socket_drops() { # drops counted on the sockets bound to our ports (/proc/net/udp "drops")
  local hex="" p
  for p in $PORTS_LIST; do hex+=" $(printf '%04X' "$p")"; done
  awk -v ports="$hex " 'NR>1 { split($2, a, ":"); if (index(ports, " " a[2] " ")) s += $NF } END { print s+0 }' /proc/net/udp
}
ports_bound() { # every port of PORTS_LIST has a bound UDP socket
  local p
  for p in $PORTS_LIST; do
    [ -n "$(ss -uanH "( sport = :$p )" 2>/dev/null)" ] || return 1
  done
}
kernel_rcvbuf() { # smallest receive buffer (ss skmem rb, bytes; Linux doubles what was asked) over our feed sockets
  local p v min=""
  for p in $PORTS_LIST; do
    v=$(ss -uamnH "( sport = :$p )" 2>/dev/null | grep -o 'rb[0-9]*' | head -n1 | tr -d rb)
    [ -n "$v" ] || continue
    if [ -z "$min" ] || [ "$v" -lt "$min" ]; then min=$v; fi
  done
  echo "${min:-?}"
}
# Not lib.sh's: up to 30 s, and its message says "used by others".
wait_quiet() { # wait until the machine is quiet (nothing of ours runs now); sets QUIET
  local a b load
  QUIET=ok
  for _ in $(seq 1 30); do
    a=$(machine_busy); sleep 1; b=$(machine_busy)
    load=$(awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}')
    awk -v l="$load" -v m="$QUIET_MAX" 'BEGIN{exit !(l <= m)}' && return 0
    log "  machine busy before the run ($load cores used by others), waiting"
  done
  QUIET="busy"
}

# ----------------------------------------------------------------- clip ----
# 1080p30 H.264 (testsrc2 + temporal noise, so the encoder has to spend the
# bits; x264 nal-hrd=cbr at CLIP_MBPS, keyframe every 2 s) + AAC 128 kbit/s,
# 10 s, then copied end to end (-stream_loop, -c copy: timestamps and
# continuity counters continue across the copies) into a file long enough
# that no feed wraps during a run: the fastest feed sends
# max_mbps/8 x (WARMUP+DURATION+8) MB.
max_mbps=0
for s in $SCENARIOS; do
  [[ $s =~ ^([0-9]+)x([0-9.]+)$ ]] || die "bad scenario '$s' (want FEEDSxMBPS, e.g. 8x25)"
  max_mbps=$(awk -v a="$max_mbps" -v b="${BASH_REMATCH[2]}" 'BEGIN{print (b>a)?b:a}')
done
if [ -n "$CLIP" ]; then
  [ -r "$CLIP" ] || die "CLIP=$CLIP not readable"
  BASE_CLIP=$CLIP
else
  BASE_CLIP="$WORK/clip.ts"
  log "encoding a 10 s 1080p30 clip at ${CLIP_MBPS} Mbit/s (x264 veryfast, CBR) + AAC"
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1920x1080:rate=30,noise=alls=16:allf=t+u" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t 10 -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
    -g 60 -keyint_min 60 -sc_threshold 0 \
    -b:v "${CLIP_MBPS}M" -minrate "${CLIP_MBPS}M" -maxrate "${CLIP_MBPS}M" -bufsize "${CLIP_MBPS}M" \
    -x264-params nal-hrd=cbr -c:a aac -b:a 128k -ac 2 -f mpegts "$BASE_CLIP"
fi
clip_bytes=$(stat -c %s "$BASE_CLIP")
need_bytes=$(awk -v m="$max_mbps" -v s="$((WARMUP + DURATION + 8))" 'BEGIN{printf "%.0f", m*1e6/8*s}')
copies=$(((need_bytes + clip_bytes - 1) / clip_bytes))
FEED_FILE="$WORK/feed.ts"
if [ "$copies" -le 1 ]; then
  cp "$BASE_CLIP" "$FEED_FILE"
else
  "$FFMPEG" -hide_banner -loglevel error -y -stream_loop $((copies - 1)) -i "$BASE_CLIP" -map 0 -c copy -f mpegts "$FEED_FILE"
fi
CLIP_DESC=$("$FFMPEG" -hide_banner -i "$FEED_FILE" 2>&1 | grep -E 'Duration|Stream #' | sed 's/^ *//' | tr '\n' ';' || true)
log "feed file: $(stat -c %s "$FEED_FILE") bytes ($copies x $clip_bytes): $CLIP_DESC"

# ----------------------------------------------------------- receivers ----
feed_host() { # feed_host I
  if [ "$MODE" = multicast ]; then echo "239.255.77.$1"; else echo "127.0.0.1"; fi
}
set_ports() { # set_ports FEEDS ; sets PORTS_LIST DESTS
  local i
  PORTS_LIST=""; DESTS=""
  for i in $(seq 1 "$1"); do
    PORTS_LIST+=" $((BASE_PORT + i))"
    DESTS+="${DESTS:+,}$(feed_host "$i"):$((BASE_PORT + i))"
  done
  PORTS_LIST=${PORTS_LIST# }
}

# start_ours RUNTIME FEEDS ; sets RECV_PIDS OURS_API OURS_LOG
start_ours() {
  local rt=$1 feeds=$2 cfg="$WORK/config-$1-$2.json" i src paths=""
  OURS_LOG="$WORK/server-$1-$2-$RUN_ID.log"
  for i in $(seq 1 "$feeds"); do
    src="udp://$(feed_host "$i"):$((BASE_PORT + i))"
    [ "$MODE" = multicast ] && src+="?interface=127.0.0.1"
    paths+="${paths:+,}\"feed$i\":{\"source\":\"$src\",\"udpReceiveBuffer\":$OURS_RCVBUF}"
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
    [ -n "$port" ] && ports_bound && break
    kill -0 "$BG_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$port" ] || ! ports_bound; then
    log "server ($rt) did not start or did not bind $PORTS_LIST; its output:"; sed 's/^/  | /' "$OURS_LOG" >&2
    return 1
  fi
  OURS_API="http://127.0.0.1:$port"
}

# start_ffmpeg FEEDS ; one ffmpeg per feed, HLS into tmpfs; sets RECV_PIDS
start_ffmpeg() {
  local feeds=$1 i dir url
  RECV_PIDS=()
  FF_LOGS=()
  for i in $(seq 1 "$feeds"); do
    dir="$SHM/ffmpeg-$RUN_ID/feed$i"
    mkdir -p "$dir"
    # localaddr: bind (unicast) or join (multicast) on 127.0.0.1 only.
    url="udp://$(feed_host "$i"):$((BASE_PORT + i))?localaddr=127.0.0.1&buffer_size=$RCVBUF${FFMPEG_UDP_OPTS:+&$FFMPEG_UDP_OPTS}"
    start_bg "$WORK/ffmpeg-$RUN_ID-feed$i.log" "$FFMPEG" -nostdin -hide_banner -nostats -loglevel warning \
      -i "$url" -map 0 -c copy \
      -f hls -hls_time 2 -hls_list_size 7 -hls_flags delete_segments \
      -hls_segment_filename "$dir/seg%05d.ts" "$dir/index.m3u8"
    RECV_PIDS+=("$BG_PID")
    FF_LOGS+=("$WORK/ffmpeg-$RUN_ID-feed$i.log")
  done
  for _ in $(seq 1 100); do
    ports_bound && return 0
    sleep 0.1
  done
  log "ffmpeg did not bind $PORTS_LIST:"; tail -n 5 "${FF_LOGS[@]}" | sed 's/^/  | /' >&2
  return 1
}

# Sums of the numeric counters of the feeds' sources in GET /v1/streams
# (fields of `source` and of `source.counters`, whatever they are named), plus
# bytesIn and unitsIn, as "name value" lines; and each feed's source state.
ours_counters() { # ours_counters OUTFILE
  curl -sf "$OURS_API/v1/streams" >"$1.json" 2>/dev/null || { : >"$1"; return 0; }
  jq -r '[.streams[] | select(.path | test("^feed[0-9]+$"))] as $s
    | ($s | map(. as $st | (.source // {}) as $src
          | (($src | to_entries) + (($src.counters // {}) | to_entries))
          | map(select(.value | type == "number"))
          + [{key: "bytesIn", value: ($st.bytesIn // 0)}, {key: "unitsIn", value: ($st.unitsIn // 0)}])
        | add // [] | group_by(.key) | map("\(.[0].key) \(map(.value) | add)") | .[]),
      "feeds \($s | length)",
      "states \($s | map("\(.path)=\(.source.state // "?")") | join(","))"' "$1.json" >"$1" 2>/dev/null || : >"$1"
}
counter() { # counter FILE NAME -> value or empty
  awk -v n="$2" '$1 == n { print $2; exit }' "$1" 2>/dev/null
}
ff_count() { # ff_count REGEX : matching lines over all ffmpeg logs of this run,
  # counting ffmpeg's "Last message repeated N times" after a matching line as N more
  local total=0 f c
  for f in "${FF_LOGS[@]}"; do
    [ -r "$f" ] || continue
    c=$(awk -v re="$1" '/Last message repeated [0-9]+ times/ {
          if (last && match($0, /repeated [0-9]+/)) n += substr($0, RSTART + 9, RLENGTH - 9); next }
        { last = ($0 ~ re); if (last) n++ } END { print n + 0 }' "$f")
    total=$((total + ${c:-0}))
  done
  echo "$total"
}
# fftools prints one "corrupt input packet in stream N" per damaged packet (a
# frame whose PES saw a CC jump); libavformat's "Packet corrupt" duplicates it.
FF_CORRUPT='corrupt input packet'
FF_OVERRUN='[Cc]ircular buffer overrun'

snapshot() { # snapshot TAG : everything sampled at a window edge, into S_<TAG>_*
  local tag=$1 t rb ro
  t=$(now_ns)
  eval "S_${tag}_t=$t"
  eval "S_${tag}_recv=$(cpu_ticks "${RECV_PIDS[@]}") S_${tag}_rsys=$(sys_ticks "${RECV_PIDS[@]}")"
  eval "S_${tag}_send=$(cpu_ticks "$SENDER_PID")"
  eval "S_${tag}_busy=$(machine_busy)"
  read -r S_in S_rcvbuf S_out < <(snmp_udp)
  eval "S_${tag}_in=$S_in S_${tag}_rcvbuf=$S_rcvbuf S_${tag}_out=$S_out"
  eval "S_${tag}_drops=$(socket_drops)"
  cp "$WORK/sender-stats.json" "$WORK/sender-$tag.json" 2>/dev/null || echo '{}' >"$WORK/sender-$tag.json"
  if [ "$PEER" = ffmpeg ]; then
    eval "S_${tag}_cc=$(ff_count "$FF_CORRUPT")"
    eval "S_${tag}_ovr=$(ff_count "$FF_OVERRUN")"
  else
    ours_counters "$WORK/ours-$tag"
  fi
}

# check_output PEER FEEDS : every feed has an HLS playlist with segments
check_output() {
  local peer=$1 feeds=$2 i missing=0 pl
  for i in $(seq 1 "$feeds"); do
    if [ "$peer" = ffmpeg ]; then
      pl="$SHM/ffmpeg-$RUN_ID/feed$i/index.m3u8"
      grep -q '^#EXTINF' "$pl" 2>/dev/null || missing=$((missing + 1))
    else
      curl -sf "$OURS_API/feed$i/index.m3u8" 2>/dev/null | grep -q '^#EXTINF' || missing=$((missing + 1))
    fi
  done
  echo "$missing"
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
RUN_ID=0

# run_one SCENARIO PEER LABEL : one measured run; writes its row to $ROW_FILE
# and sets RUN_FLAG ("*" when the machine was not quiet)
ROW_FILE="$WORK/row.tsv"
run_one() {
  local scen=$3 feeds=${1%x*} mbps=${1#*x}
  RUN_FLAG=""
  PEER=$2
  RUN_ID=$((RUN_ID + 1))
  set_ports "$feeds"
  local p
  for p in $PORTS_LIST; do
    [ -z "$(ss -uanH "( sport = :$p )" 2>/dev/null)" ] || die "UDP port $p is in use (set BASE_PORT)"
  done
  wait_quiet
  case $PEER in
    ffmpeg) start_ffmpeg "$feeds" || { printf '%s\t%s\tfailed\n' "$scen" "$PEER" >"$ROW_FILE"; return 0; } ;;
    *) start_ours "$PEER" "$feeds" || { printf '%s\t%s\tfailed\n' "$scen" "$PEER" >"$ROW_FILE"; return 0; } ;;
  esac
  local sender_log="$WORK/sender-$RUN_ID.log" mc=()
  [ "$MODE" = multicast ] && mc=(--localaddr 127.0.0.1)
  rm -f "$WORK/sender-stats.json"
  start_bg "$sender_log" "$BUN" bench/udp-ingest/sender.ts --file "$FEED_FILE" --mbps "$mbps" --dest "$DESTS" \
    --seconds $((WARMUP + DURATION + 3)) --stats "$WORK/sender-stats.json" "${mc[@]}"
  SENDER_PID=$BG_PID
  for _ in $(seq 1 100); do
    [ -s "$WORK/sender-stats.json" ] && break
    kill -0 "$SENDER_PID" 2>/dev/null || { sed 's/^/  | /' "$sender_log" >&2; die "sender exited"; }
    sleep 0.1
  done
  local in0 rcv0 drops0
  read -r in0 rcv0 _ < <(snmp_udp); drops0=$(socket_drops)
  sleep "$WARMUP"
  snapshot A
  local rb
  rb=$(kernel_rcvbuf)
  sleep "$DURATION"
  snapshot B
  local outputs_missing alive=0
  outputs_missing=$(check_output "$PEER" "$feeds")
  for p in "${RECV_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
  local rss tmpfs_kb=0
  rss=$(rss_kb "${RECV_PIDS[@]}")
  # ffmpeg keeps its segments in tmpfs, outside its RSS: count them next to it.
  [ "$PEER" != ffmpeg ] || tmpfs_kb=$(du -sk "$SHM/ffmpeg-$RUN_ID" 2>/dev/null | cut -f1)
  # Loss over the whole run: from the sender's start to now.
  local in1 rcv1 drops1
  read -r in1 rcv1 _ < <(snmp_udp); drops1=$(socket_drops)
  local states="" ours_errs=""
  # Receivers first, while datagrams still flow (ffmpeg only notices SIGINT
  # when its read returns), then the sender.
  if [ "$PEER" = ffmpeg ]; then
    stop_all INT "${RECV_PIDS[@]}"
  else
    states=$(awk '$1 == "states" { print $2 }' "$WORK/ours-B")
    stop_all TERM "${RECV_PIDS[@]}"
    ours_errs=$(grep -cE ' ERROR |[Uu]ncaught|panic' "$OURS_LOG" || true)
  fi
  stop_all TERM "$SENDER_PID"

  # ---- figures over the window A..B
  local secs recv_cores recv_sys send_cores rest sent_rate sent_mbps
  secs=$(awk -v a="$S_A_t" -v b="$S_B_t" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  recv_cores=$(awk -v a="$S_A_recv" -v b="$S_B_recv" -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.3f", (b-a)/hz/s}')
  recv_sys=$(awk -v a="$S_A_rsys" -v b="$S_B_rsys" -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.3f", (b-a)/hz/s}')
  send_cores=$(awk -v a="$S_A_send" -v b="$S_B_send" -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.3f", (b-a)/hz/s}')
  rest=$(awk -v a="$S_A_busy" -v b="$S_B_busy" -v hz="$HZ" -v s="$secs" -v r="$recv_cores" -v x="$send_cores" \
    'BEGIN{v=(b-a)/hz/s - r - x; if (v<0) v=0; printf "%.2f", v}')
  # Sent: from the sender's own counters (snapshots carry their own clock).
  sent_rate=$(jq -rn --slurpfile a "$WORK/sender-A.json" --slurpfile b "$WORK/sender-B.json" \
    '(($b[0].datagramsSent // 0) - ($a[0].datagramsSent // 0)) / ((($b[0].elapsed // 1) - ($a[0].elapsed // 0)) | if . <= 0 then 1 else . end)')
  sent_mbps=$(awk -v r="$sent_rate" 'BEGIN{printf "%.1f", r*1316*8/1e6}')
  local skipped wraps jumps
  # Datagrams the sender could not send on time during the window.
  skipped=$(jq -rn --slurpfile a "$WORK/sender-A.json" --slurpfile b "$WORK/sender-B.json" \
    '($b[0].skipped // 0) - ($a[0].skipped // 0)' 2>/dev/null || echo "?")
  wraps=$(jq -r '.wraps // 0' "$WORK/sender-stats.json" 2>/dev/null || echo "?")
  jumps=$(jq -r '.ccJumpsPerWrap // 0' "$WORK/sender-stats.json" 2>/dev/null || echo 0)
  local rcvbuf_err sock_drops kin kout
  rcvbuf_err=$((S_B_rcvbuf - S_A_rcvbuf))
  sock_drops=$((S_B_drops - S_A_drops))
  kin=$(awk -v a="$S_A_in" -v b="$S_B_in" -v s="$secs" 'BEGIN{printf "%.0f", (b-a)/s}')
  kout=$(awk -v a="$S_A_out" -v b="$S_B_out" -v s="$secs" 'BEGIN{printf "%.0f", (b-a)/s}')
  # Received datagrams/s: ours counts them (source datagrams); for ffmpeg,
  # what was sent minus what its sockets dropped.
  local dgps own_dgps="" cc="" cc_note="" other=""
  if [ "$PEER" = ffmpeg ]; then
    dgps=$(awk -v r="$sent_rate" -v d="$sock_drops" -v s="$secs" 'BEGIN{printf "%.0f", r - d/s}')
    cc=$((S_B_cc - S_A_cc))
    local ovr=$((S_B_ovr - S_A_ovr))
    [ "$ovr" -eq 0 ] || other="ffmpeg fifo overruns $ovr"
    cc_note="corrupt pkts"
  else
    local d0 d1 c0 c1 k
    d0=$(counter "$WORK/ours-A" datagrams); d1=$(counter "$WORK/ours-B" datagrams)
    if [ -n "$d0" ] && [ -n "$d1" ]; then
      own_dgps=$(awk -v a="$d0" -v b="$d1" -v s="$secs" 'BEGIN{printf "%.0f", (b-a)/s}')
      dgps=$own_dgps
    else
      dgps=$(awk -v r="$sent_rate" -v d="$sock_drops" -v s="$secs" 'BEGIN{printf "%.0f", r - d/s}')
    fi
    c0=$(counter "$WORK/ours-A" ccErrors); c1=$(counter "$WORK/ours-B" ccErrors)
    if [ -n "$c0" ] && [ -n "$c1" ]; then cc=$((c1 - c0)); else cc="?"; fi
    # Other loss/error counters of ours that moved during the window.
    for k in $(awk '$1 != "feeds" && $1 != "states" {print $1}' "$WORK/ours-B"); do
      case $k in datagrams | bytes | bytesIn | unitsIn | batches | packets | ccErrors | receiveBufferGranted) continue ;; esac
      c0=$(counter "$WORK/ours-A" "$k"); c1=$(counter "$WORK/ours-B" "$k")
      [ -n "$c0" ] && [ -n "$c1" ] || continue
      [ "$c0" = "$c1" ] || other+="${other:+, }$k +$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}')"
    done
    local bt0 bt1
    bt0=$(counter "$WORK/ours-A" batches); bt1=$(counter "$WORK/ours-B" batches)
    if [ -n "$bt0" ] && [ -n "$bt1" ] && [ -n "$d0" ] && [ "$bt1" != "$bt0" ]; then
      other+="${other:+, }$(awk -v a="$d0" -v b="$d1" -v x="$bt0" -v y="$bt1" 'BEGIN{printf "%.1f datagrams/batch", (b-a)/(y-x)}')"
    fi
  fi
  other="rb $([ "$rb" = "?" ] && echo "?" || echo "$((rb / 1024))")K${other:+, $other}"
  local mbit us_per
  mbit=$(awk -v d="$dgps" 'BEGIN{printf "%.1f", d*1316*8/1e6}')
  us_per=$(awk -v c="$recv_cores" -v m="$mbit" 'BEGIN{ if (m>0) printf "%.0f", c*1e6/m; else print "-" }')
  local check="ok" flag=""
  [ "$QUIET" = ok ] || flag="*"
  awk -v r="$rest" -v m="$REST_MAX" 'BEGIN{exit !(r > m)}' && flag="*"
  [ "$outputs_missing" -eq 0 ] || check="$outputs_missing feeds without HLS segments"
  [ "$alive" -eq "${#RECV_PIDS[@]}" ] || check="receiver exited"
  [ -z "$states" ] || ! grep -qvE '=running$' <<<"${states//,/$'\n'}" || check+="; states $states"
  [ -z "$ours_errs" ] || [ "$ours_errs" -eq 0 ] || check+="; $ours_errs error lines in log"
  if [ "$sock_drops" -gt 0 ] || { [[ $cc =~ ^[0-9]+$ ]] && [ "$cc" -gt 0 ]; }; then
    if [ "$check" = ok ]; then check="LOSS"; else check="LOSS; $check"; fi
  fi
  awk -v s="$sent_mbps" -v f="$feeds" -v m="$mbps" 'BEGIN{exit !(s < 0.98*f*m)}' && check+="; sender short ($sent_mbps Mbit/s)"
  [ "$skipped" = 0 ] || check+="; sender skipped $skipped datagrams (fell behind)"
  [ "$wraps" = 0 ] || check+="; sender wrapped $wraps x (expect $((wraps * jumps)) CC jumps)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$scen" "$PEER" "$mbit" "$dgps" "$recv_cores/$recv_sys" "$send_cores" "$rest" "$us_per" \
    "$rcvbuf_err" "$sock_drops" "$cc" "$((rss / 1024))$([ "$PEER" = ffmpeg ] && echo "+$((tmpfs_kb / 1024))")" "$sent_mbps" "$kin/$kout" \
    "$((rcv1 - rcv0))/$((drops1 - drops0))" "$check$flag" "${other:-}" "$cc_note" >"$ROW_FILE"
  RUN_FLAG=$flag
  log "$(printf '%-7s %-6s %6s Mbit/s %6s dg/s  cores recv %s send %s rest %s  %s us/Mbit  RcvbufErrors %s drops %s CC %s  run: RcvbufErrors/drops %s  %s%s %s' \
    "$scen" "$PEER" "$mbit" "$dgps" "$recv_cores (sys $recv_sys)" "$send_cores" "$rest" "$us_per" "$rcvbuf_err" "$sock_drops" "$cc" \
    "$((rcv1 - rcv0))/$((drops1 - drops0))" "$check" "$flag" "${other:+($other)}")"
  [ -z "$own_dgps" ] || log "  ours counted $own_dgps datagrams/s; sender sent $sent_rate/s; kernel In/Out $kin/$kout per s (whole machine)"
  if [ "$PEER" != ffmpeg ] && grep -qiE 'warn|error' "$OURS_LOG"; then
    grep -iE 'warn|error' "$OURS_LOG" | head -n 8 | sed 's/^/  | /' >&2
  fi
  if [ "$PEER" = ffmpeg ]; then
    local f
    for f in "${FF_LOGS[@]}"; do grep -vE 'corrupt input packet|Packet corrupt|Last message repeated' "$f" | head -n 3 | sed 's/^/  | ffmpeg: /' >&2 || true; done
  fi
  rm -rf "$SHM/ffmpeg-$RUN_ID"
}

log "$(nproc) cores; net.core.rmem_max=$(cat /proc/sys/net/core/rmem_max); receive buffer asked: ours $OURS_RCVBUF, ffmpeg $RCVBUF; mode $MODE"
n=0
for scen in $SCENARIOS; do
  for r in $(seq 1 "$ROUNDS"); do
    label=$scen
    [ "$ROUNDS" -eq 1 ] || label="$scen r$r"
    order=$PEERS
    [ $((n % 2)) -eq 0 ] || order=$(tr ' ' '\n' <<<"$PEERS" | tac | tr '\n' ' ')
    for peer in $order; do
      for try in $(seq 0 "$RETRIES"); do
        log "$label: $peer$([ "$try" -gt 0 ] && echo " (again)")"
        run_one "$scen" "$peer" "$label"
        [ -n "$RUN_FLAG" ] && [ "$try" -lt "$RETRIES" ] || break
        log "  machine not quiet during that run, measuring again"
      done
      cat "$ROW_FILE" >>"$RESULTS"
    done
    n=$((n + 1))
  done
done

# ----------------------------------------------------------------- table ----
echo
echo "udp-ingest: $MODE MPEG-TS over loopback, 1316-byte datagrams, ${WARMUP} s warm-up + ${DURATION} s measured per run; $(nproc) cores shared by sender and receiver"
echo "ffmpeg $("$FFMPEG" -version | head -n1 | awk '{print $3}') (one process per feed, -c copy -f hls into tmpfs), bun $("$BUN" --version), deno $("$DENO" --version 2>/dev/null | head -n1 | awk '{print $2}'); receive buffer asked: ours $OURS_RCVBUF, ffmpeg $RCVBUF (rmem_max $(cat /proc/sys/net/core/rmem_max))"
echo
echo "| scenario | receiver | Mbit/s | datagrams/s | cores (sys) | CPU µs/Mbit | ours/ffmpeg | RcvbufErrors | socket drops | CC errors | RSS (+tmpfs) MB | sender cores | rest | check | other counters |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
while IFS=$'\t' read -r scen peer mbit dgps rc sc rest usp rcv drops cc rss sent k runloss check other ccnote; do
  if [ "$mbit" = failed ]; then
    printf '| %s | %s | - | - | - | - | - | - | - | - | - | - | - | did not start | |\n' "$scen" "$peer"
    continue
  fi
  ratio="-"
  if [ "$peer" != ffmpeg ]; then
    ff=$(awk -F'\t' -v s="$scen" '$1 == s && $2 == "ffmpeg" && $8 != "-" { print $8; exit }' "$RESULTS")
    [ -n "$ff" ] && [ "$usp" != "-" ] && ratio="**$(awk -v a="$usp" -v b="$ff" 'BEGIN{printf "%.2f", a/b}')×**"
  fi
  [ -z "$ccnote" ] || cc="$cc ($ccnote)"
  printf '| %s | %s | %s | %s | %.2f (%.2f) | %s | %s | %s | %s | %s | %s | %.2f | %s | %s | %s |\n' \
    "$scen" "$peer" "$mbit" "$dgps" "${rc%/*}" "${rc#*/}" "$usp" "$ratio" "$rcv" "$drops" "$cc" "$rss" "$sc" "$rest" "$check" "$other"
done <"$RESULTS"
echo
echo "Mbit/s, datagrams/s: received by the receiver during the window (UDP payload). cores: CPU of the receiver (ours: the"
echo "server process, all threads; ffmpeg: sum over its processes) from /proc/PID/stat utime+stime, (sys) = the stime part;"
echo "CPU µs/Mbit = cores x 10^6 / Mbit/s."
echo "RcvbufErrors: /proc/net/snmp Udp delta (whole machine); socket drops: /proc/net/udp drops of the feed sockets."
echo "CC errors: ours = source ccErrors delta (one per jump); ffmpeg = its \"corrupt input packet\" warnings (one per damaged frame, not per jump)."
echo "RSS: resident memory of the receiver at the end of the window; ffmpeg: + its HLS files in tmpfs (they are its segment store)."
echo "rb: receive buffer the kernel gave the feed sockets (ss skmem rb, smallest over the feeds; Linux reports twice the size asked)."
echo "rest: CPU of everything else (other processes, softirq not charged to a process). * = machine busy before the run or rest > $REST_MAX."
if [ "$ROUNDS" -gt 1 ]; then
  echo
  echo "Mean over $ROUNDS rounds:"
  echo
  echo "| scenario | receiver | Mbit/s | cores | CPU µs/Mbit | ours/ffmpeg | socket drops (sum) | CC errors (sum) |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk -F'\t' '$3 != "failed" { split($1, a, " "); k = a[1] "\t" $2; if (!(k in n)) order[++m] = k;
      n[k]++; mb[k] += $3; split($5, c, "/"); co[k] += c[1]; us[k] += $8; dr[k] += $10; cc[k] += $11 }
    END { for (i = 1; i <= m; i++) { k = order[i]; split(k, f, "\t"); mean[k] = us[k] / n[k] }
          for (i = 1; i <= m; i++) { k = order[i]; split(k, f, "\t"); ff = f[1] "\tffmpeg";
            ratio = (f[2] != "ffmpeg" && (ff in mean) && mean[ff] > 0) ? sprintf("**%.2f×**", mean[k] / mean[ff]) : "-";
            printf "| %s | %s | %.1f | %.2f | %.0f | %s | %d | %d |\n", f[1], f[2], mb[k]/n[k], co[k]/n[k], mean[k], ratio, dr[k], cc[k] } }' "$RESULTS"
fi
echo
echo "Whole run (warm-up included), RcvbufErrors/socket drops, and sent Mbit/s:"
while IFS=$'\t' read -r scen peer mbit _ _ _ _ _ _ _ _ _ sent _ runloss _; do
  [ "$mbit" = failed ] && continue
  printf '  %-7s %-6s sent %s Mbit/s, lost over the whole run: %s\n' "$scen" "$peer" "$sent" "$runloss"
done <"$RESULTS"
