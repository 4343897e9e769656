#!/usr/bin/env bash
# bench/serve-segments/blocking.sh: Low-Latency HLS blocking playlist reload
# under load. ONE live stream (`hls.variant: lowLatency`, ~200 ms parts) and
# N clients (100, 1000) each long-polling the next part
# (`index.m3u8?_HLS_msn=M&_HLS_part=P`, RFC 8216bis 6.2.5.2). Prints, per
# runtime, N and client mode: how many clients got each part within 50 ms of
# the first client that got it (and the delay p50/p99), the server's CPU
# (cores) and RSS, and the load client's CPU. See docs/BENCHMARKS.md.
#
# No peer: nginx cannot hold a playlist request until a part exists, and no
# LL-HLS origin with blocking reload is installed here. The comparison is
# with our own server under the other way to follow parts: the same N
# clients polling the plain playlist every part target (MODE poll: the same
# request rate, without blocking).
#
# Source: the demo stream looping a generated clip (H.264 1280x720 25 fps,
# BITRATE kbit/s, keyframe every 2 s, + AAC), paced in real time inside the
# server, as a camera's units would arrive. Chosen over a UDP/ffmpeg feed so
# that no other process shares the window; the demo costs the same ingest
# work minus the socket reads.
#
# "Ready" time of a part: the server says nothing about it, so it is taken
# as the earliest answer listing the part, over a reference client (its own
# Bun process, one connection, blocking loop) and the N load clients.
# Delays are measured against that; the spread therefore includes the load
# client's own queueing (it reads N answers one after the other): the table
# gives that client's time per part as a bound. "publish" compares the
# ready time with the part's end on the playlist's own clock
# (EXT-X-PROGRAM-DATE-TIME + part durations).
#
# Knobs (environment):
#   RUNTIMES="bun deno"       server runtimes (the clients always run on Bun)
#   COUNTS="0 100 1000"       numbers of load clients; 0 = the reference
#                             client alone (the server's cost without load)
#   MODES="blocking poll"     client loops: blocking reload, or plain GET
#                             every POLL_INTERVAL ms; alternating order per N
#   POLL_INTERVAL=200         ms (the part target)
#   WITHIN=50                 ms: the delay a client "got it in time" within
#   WARMUP=5 DURATION=20      seconds after all clients have a playlist / measured
#   PROCS=1                   load processes the N clients are split over
#   BITRATE=4000 SIZE=1280x720 FPS=25 KEYFRAME=50 (frames)   the clip
#   CLIP=FILE                 an MPEG-TS file (H.264 [+ AAC]) instead
#   PART=0.2                  hls.partDuration
#   CONCURRENCY=50            clients connecting at once
#   READY_TIMEOUT=60          seconds for all N to have a first playlist
#   QUIET_MAX=0.5             before each run, wait (up to 20 s) until the
#                             machine uses less than this many cores
#   KEEP=1                    keep the scratch directory (logs, raw JSON)
#   OURS_MAIN=src/main.ts     our server's entry point (an A/B of a change)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BENCH_NAME=ll-hls
# shellcheck source=../lib.sh
. bench/lib.sh

RUNTIMES=${RUNTIMES:-"bun deno"}
COUNTS=${COUNTS:-"0 100 1000"}
MODES=${MODES:-"blocking poll"}
POLL_INTERVAL=${POLL_INTERVAL:-200}
WITHIN=${WITHIN:-50}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-20}
PROCS=${PROCS:-1}
BITRATE=${BITRATE:-4000}
SIZE=${SIZE:-1280x720}
FPS=${FPS:-25}
KEYFRAME=${KEYFRAME:-50}
CLIP=${CLIP:-}
PART=${PART:-0.2}
CONCURRENCY=${CONCURRENCY:-50}
READY_TIMEOUT=${READY_TIMEOUT:-60}
QUIET_MAX=${QUIET_MAX:-0.5}
OURS_MAIN=${OURS_MAIN:-src/main.ts}
export DENO_NO_UPDATE_CHECK=1

FFMPEG=$(command -v ffmpeg) || die "ffmpeg missing (apt-get install ffmpeg)"
command -v jq >/dev/null || die "jq missing (apt-get install jq)"
command -v curl >/dev/null || die "curl missing (apt-get install curl)"
BUN="$ROOT/node_modules/.bin/bun"
DENO="$ROOT/node_modules/.bin/deno"
[ -x "$BUN" ] || die "$BUN missing (npm install)"
curl() { command curl --max-time 5 "$@"; }

max_n=0
for n in $COUNTS; do
  [[ $n =~ ^[0-9]+$ ]] || die "bad count '$n' in COUNTS"
  [ "$n" -gt "$max_n" ] && max_n=$n
done
for m in $MODES; do case $m in blocking | poll) ;; *) die "unknown mode '$m' in MODES" ;; esac; done
for rt in $RUNTIMES; do case $rt in bun | deno) ;; *) die "unknown runtime '$rt' in RUNTIMES" ;; esac; done
[[ $PROCS =~ ^[1-9][0-9]*$ ]] || die "PROCS must be >= 1"
# Every client is a socket in the client and one in the server.
raise_nofile $((max_n + 512))

bench_init

# ----------------------------------------------------------------- clip ----
if [ -n "$CLIP" ]; then
  [ -r "$CLIP" ] || die "CLIP=$CLIP not readable"
  CLIP_FILE=$CLIP
else
  CLIP_FILE="$WORK/clip.ts"
  # Audio stops 0.1 s before the video: the loop then spans the video exactly. With audio the longer track,
  # the video would pause for the difference at each loop point and the part spanning it be published that late.
  log "encoding a 20 s ${SIZE}@${FPS} clip: H.264 ${BITRATE} kbit/s (x264 veryfast, VBV-capped, keyframe every $KEYFRAME frames) + AAC 96 kbit/s"
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=$SIZE:rate=$FPS,noise=alls=12:allf=t+u" -f lavfi -t 19.9 -i "sine=frequency=440:sample_rate=48000" \
    -t 20 -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
    -g "$KEYFRAME" -keyint_min "$KEYFRAME" -sc_threshold 0 \
    -b:v "${BITRATE}k" -maxrate "${BITRATE}k" -bufsize "${BITRATE}k" -c:a aac -b:a 96k -ac 2 -f mpegts "$CLIP_FILE"
fi

# -------------------------------------------------------------- server ----
# start_server RUNTIME ; sets SERVER_PID SERVER_LOG URL, or returns 1
start_server() {
  local rt=$1 cfg="$WORK/config.json" port="" _
  SERVER_LOG="$WORK/server-$RUN_ID-$rt.log"
  cat >"$cfg" <<EOF
{"http":{"port":0,"host":"127.0.0.1"},
 "rtsp":{"enabled":false},
 "webrtc":{"enabled":false},
 "demo":{"enabled":true,"path":"live","file":"$CLIP_FILE"},
 "hls":{"variant":"lowLatency","partDuration":$PART,"alwaysRemux":true,"maxBlockedRequests":$((max_n + 1000))},
 "logLevel":"info"}
EOF
  case $rt in
    bun) start_bg "$SERVER_LOG" "$BUN" "$OURS_MAIN" --config "$cfg" ;;
    deno) start_bg "$SERVER_LOG" "$DENO" run "${DENO_SERVE_FLAGS[@]}" "$OURS_MAIN" --config "$cfg" ;;
  esac
  SERVER_PID=$BG_PID
  for _ in $(seq 1 150); do
    port=$(sed -n 's#.*listening on http://[^:/]*:\([0-9]*\)/.*#\1#p' "$SERVER_LOG" | head -n1)
    [ -n "$port" ] && break
    alive "$SERVER_PID" || break
    sleep 0.2
  done
  [ -n "$port" ] || { sed 's/^/  | /' "$SERVER_LOG" | head -n 40 >&2; log "server ($rt) did not start"; return 1; }
  URL="http://127.0.0.1:$port/live/index.m3u8"
  # A playlist with parts: the first segment is complete (~2 s).
  for _ in $(seq 1 60); do
    curl -sf "$URL" 2>/dev/null | grep -q '^#EXT-X-PART:' && return 0
    alive "$SERVER_PID" || break
    sleep 0.5
  done
  sed 's/^/  | /' "$SERVER_LOG" | head -n 40 >&2
  log "server ($rt) gave no LL-HLS playlist with parts in 30 s"
  return 1
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
RUN_ID=0
ms() { date +%s%3N; }

# run_one RUNTIME N MODE : one measured run, appends a row to RESULTS
run_one() {
  local rt=$1 n=$2 mode=$3
  RUN_ID=$((RUN_ID + 1))
  wait_quiet "$QUIET_MAX"
  start_server "$rt" || { printf '%s\t%s\t%s\tfailed\n' "$rt" "$n" "$mode" >>"$RESULTS"; stop_all TERM "$SERVER_PID"; return 0; }
  local idle_rss secs=$((READY_TIMEOUT + WARMUP + DURATION + 60))
  idle_rss=$(rss_kb "$SERVER_PID")
  local ref="$WORK/ref-$RUN_ID.json" reflog="$WORK/ref-$RUN_ID.log"
  start_bg "$reflog" "$BUN" bench/serve-segments/long-poll.ts --url "$URL" --count 1 --reference --out "$ref" --seconds "$secs"
  local ref_pid=$BG_PID loads=() load_pids=() logs=() p k share t_start
  t_start=$(now_ns)
  for ((p = 0; p < PROCS && n > 0; p++)); do
    share=$(((n + p) / PROCS))
    [ "$share" -gt 0 ] || continue
    k=${#loads[@]}
    loads+=("$WORK/load-$RUN_ID-$k.json")
    logs+=("$WORK/load-$RUN_ID-$k.log")
    start_bg "${logs[$k]}" "$BUN" bench/serve-segments/long-poll.ts --url "$URL" --count "$share" --mode "$mode" \
      --interval "$POLL_INTERVAL" --concurrency "$CONCURRENCY" --ready-timeout "$READY_TIMEOUT" --out "${loads[$k]}" --seconds "$secs"
    load_pids+=("$BG_PID")
  done
  # Every client (and the reference) has had its first playlist, or gave up.
  local f ready=0 deadline=$(($(date +%s) + READY_TIMEOUT + 15))
  for f in "$reflog" "${logs[@]}"; do
    while ! grep -q '^READY' "$f" 2>/dev/null; do
      [ "$(date +%s)" -lt "$deadline" ] && alive "$SERVER_PID" || break
      sleep 0.2
    done
  done
  for f in "${logs[@]}"; do
    k=$(sed -n 's#^READY \([0-9]*\)/.*#\1#p' "$f" 2>/dev/null | head -n1)
    ready=$((ready + ${k:-0}))
  done
  local ready_s
  ready_s=$(awk -v a="$t_start" -v b="$(now_ns)" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  log "  $ready/$n clients have a playlist after $ready_s s (server idle RSS $((idle_rss / 1024)) MB)"
  sleep "$WARMUP"

  # ---- measured window
  local t0 t1 w0 w1 s0 s1 k0 k1 c0 c1 r0 r1 m0 m1 rss0 rss1 hwm
  rss0=$(rss_kb "$SERVER_PID")
  t0=$(now_ns); w0=$(ms); s0=$(cpu_ticks "$SERVER_PID"); k0=$(sys_ticks "$SERVER_PID")
  c0=$(cpu_ticks "${load_pids[@]}"); r0=$(cpu_ticks "$ref_pid"); m0=$(machine_busy)
  sleep "$DURATION"
  t1=$(now_ns); w1=$(ms); s1=$(cpu_ticks "$SERVER_PID"); k1=$(sys_ticks "$SERVER_PID")
  c1=$(cpu_ticks "${load_pids[@]}"); r1=$(cpu_ticks "$ref_pid"); m1=$(machine_busy)
  rss1=$(rss_kb "$SERVER_PID"); hwm=$(hwm_kb "$SERVER_PID")
  local server_alive=yes
  alive "$SERVER_PID" || server_alive=no
  # Answers to parts published at the end of the window are still counted.
  sleep 1
  stop_all TERM "${load_pids[@]}" "$ref_pid"
  stop_all TERM "$SERVER_PID"

  local srv sys cli refc rest
  srv=$(cores "$s0" "$s1" "$t0" "$t1"); sys=$(cores "$k0" "$k1" "$t0" "$t1")
  cli=$(cores "$c0" "$c1" "$t0" "$t1"); refc=$(cores "$r0" "$r1" "$t0" "$t1")
  rest=$(awk -v a="$m0" -v b="$m1" -v hz="$HZ" -v t0="$t0" -v t1="$t1" -v s="$srv" -v c="$cli" -v r="$refc" \
    'BEGIN{v=(b-a)/hz/((t1-t0)/1e9) - s - c - r; if (v<0) v=0; printf "%.2f", v}')
  local load_arg="" s
  for f in "${loads[@]}"; do
    [ -s "$f" ] || { log "  $f missing: a load process did not write its results"; continue; }
    load_arg+="${load_arg:+,}$f"
  done
  [ -s "$ref" ] || { log "  the reference client wrote no results"; printf '%s\t%s\t%s\tfailed\n' "$rt" "$n" "$mode" >>"$RESULTS"; return 0; }
  s=$("$BUN" bench/serve-segments/spread.ts --ref "$ref" ${load_arg:+--load "$load_arg"} --from "$w0" --to "$w1" --within "$WITHIN" 2>&1) ||
    { log "  spread failed: $s"; s='{}'; }
  echo "$s" >"$WORK/spread-$RUN_ID.json"
  local parts pairs_pct all_within min_within d50 d99 dmax sp50 sp99 pub50 pub99 h50 aps missed stale behind errors
  local e_pct e_all e_parts e50 e99 emax
  read -r parts pairs_pct all_within min_within d50 d99 dmax sp50 sp99 pub50 pub99 h50 aps missed stale behind \
    e_pct e_all e_parts e50 e99 emax < <(jq -r '[
    .parts // 0, .pairsWithinPct // "-", .partsAllWithin // "-", .withinPerPart.min // "-",
    .delayMs.p50 // "-", .delayMs.p99 // "-", .delayMs.max // "-", .spreadMs.p50 // "-", .spreadMs.p99 // "-",
    .publishMs.p50 // "-", .publishMs.p99 // "-", .clientHandlingMsPerPart.p50 // "-", .answersPerSecond.load // 0,
    .missed // 0, .stale // 0, .behind // 0,
    .sinceEnd.pairsWithinPct // "-", .sinceEnd.partsAllWithin // "-", .sinceEnd.parts // "-",
    .sinceEnd.p50 // "-", .sinceEnd.p99 // "-", .sinceEnd.max // "-"] | map(tostring) | join(" ")' <<<"$s")
  errors=$(jq -r '.errors // {} | to_entries | map("\(.value)× \(.key)") | join("; ")' <<<"$s")
  local check=""
  [ "$n" -eq 0 ] || [ "$ready" -ge "$n" ] || check+="${check:+; }only $ready/$n had a playlist"
  [ "${missed:-0}" = 0 ] || check+="${check:+; }$missed client-parts missed"
  [ "${stale:-0}" = 0 ] || check+="${check:+; }$stale stale answers"
  [ "$mode" != blocking ] || [ "${behind:-0}" = 0 ] || check+="${check:+; }$behind answers behind"
  [ -z "$errors" ] || check+="${check:+; }$errors"
  [ "$server_alive" = yes ] || check+="${check:+; }server exited"
  [ "$QUIET" = ok ] || check+="${check:+; }machine busy before"
  local warns
  warns=$(grep -cE ' (ERROR|WARN) ' "$SERVER_LOG" || true)
  [ "$warns" -eq 0 ] || { check+="${check:+; }$warns WARN/ERROR log lines"; grep -E ' (ERROR|WARN) ' "$SERVER_LOG" | sort | uniq -c | sort -rn | head -n 3 | sed 's/^/  | /' >&2; }
  check=${check:-ok}
  [ "$n" -gt 0 ] || mode="-"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$rt" "$n" "$mode" "$srv" "$sys" "$((rss1 / 1024))" "$((hwm / 1024))" "$((idle_rss / 1024))" "$cli" "$refc" "$rest" \
    "$aps" "$parts" "$pairs_pct" "$all_within" "$min_within" "$d50/$d99/$dmax" "$sp50/$sp99" "$pub50/$pub99" "$h50" "$ready_s" \
    "$e_pct" "$e_all/$e_parts" "$e50/$e99/$emax" "$check" >>"$RESULTS"
  log "$(printf '%s N=%s %s: server %s cores (sys %s), RSS %s MB (start of window %s, peak %s, idle %s); load client %s cores, reference %s, rest %s; %s answers/s' \
    "$rt" "$n" "$mode" "$srv" "$sys" "$((rss1 / 1024))" "$((rss0 / 1024))" "$((hwm / 1024))" "$((idle_rss / 1024))" "$cli" "$refc" "$rest" "$aps")"
  log "$(printf '     %s parts; after the first answer: client-parts within %s ms %s %%, parts all within %s, fewest clients within on a part %s, delay ms p50/p99/max %s/%s/%s, spread p50/p99 %s/%s' \
    "$parts" "$WITHIN" "$pairs_pct" "$all_within" "$min_within" "$d50" "$d99" "$dmax" "$sp50" "$sp99")"
  log "$(printf '     after the part end: client-parts within %s ms %s %%, parts all within %s/%s, ms p50/p99/max %s/%s/%s; first answer after the part end p50/p99 %s/%s; client ms per part %s: %s' \
    "$WITHIN" "$e_pct" "$e_all" "$e_parts" "$e50" "$e99" "$emax" "$pub50" "$pub99" "$h50" "$check")"
}

log "$(nproc) cores; ffmpeg $("$FFMPEG" -version | head -n1 | awk '{print $3}'), bun $("$BUN" --version)$(echo "$RUNTIMES" | grep -q deno && echo ", deno $("$DENO" --version | head -n1 | awk '{print $2}')"); open files $(ulimit -n)"
for rt in $RUNTIMES; do
  i=0
  for n in $COUNTS; do
    if [ "$n" -eq 0 ]; then
      log "$rt N=0 (reference client only)"
      run_one "$rt" 0 blocking
      continue
    fi
    order=$MODES
    [ $((i % 2)) -eq 0 ] || order=$(tr ' ' '\n' <<<"$MODES" | tac | tr '\n' ' ')
    for mode in $order; do
      log "$rt N=$n $mode"
      run_one "$rt" "$n" "$mode"
    done
    i=$((i + 1))
  done
done

# ----------------------------------------------------------------- table ----
echo
echo "ll-hls blocking reload: one stream (${CLIP:-H.264 $SIZE@$FPS $BITRATE kbit/s + AAC, keyframe every $KEYFRAME frames}), hls.variant lowLatency, parts of $PART s,"
echo "N clients each on one keep-alive connection (bench/serve-segments/long-poll.ts, $PROCS Bun process(es)) + 1 reference client; 127.0.0.1, $(nproc) cores;"
echo "blocking: ?_HLS_msn=M&_HLS_part=P for the next part, again on each answer; poll: plain GET every $POLL_INTERVAL ms. ${WARMUP} s warm-up, ${DURATION} s measured."
echo "bun $("$BUN" --version)$(echo "$RUNTIMES" | grep -q deno && echo ", deno $("$DENO" --version | head -n1 | awk '{print $2}')")"
echo
echo "| server | N | mode | server cores (sys) | µs per answer | RSS MB (peak) | load client cores | answers/s | ≤ $WITHIN ms after first answer: client-parts / parts all / fewest on a part | ms after first answer p50/p99/max | ≤ $WITHIN ms after part end: client-parts / parts all | ms after part end p50/p99/max | first answer after part end p50/p99 | client ms per part | rest | check |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
while IFS=$'\t' read -r rt n mode srv sys rss hwm idle cli refc rest aps parts pct all minw delay spread pub h ready epct eall edelay check; do
  if [ "$srv" = failed ]; then
    printf '| %s | %s | %s | - | - | - | - | - | - | - | - | - | - | - | - | failed |\n' "$rt" "$n" "$mode"
    continue
  fi
  # Server CPU per answer above the same runtime's N = 0 run (muxing, the reference), when there is one.
  per="-"
  b=$(awk -F'\t' -v rt="$rt" '$1 == rt && $2 == 0 && $4 != "failed" { print $4; exit }' "$RESULTS")
  if [ -n "$b" ] && [ "$n" -gt 0 ]; then per=$(awk -v s="$srv" -v b="$b" -v a="$aps" 'BEGIN{ if (a > 0) printf "%.0f", (s-b)*1e6/a; else print "-" }'); fi
  if [ "$n" -gt 0 ]; then
    printf '| %s | %s | %s | %s (%s) | %s | %s (%s) | %s | %s | %s %% / %s of %s / %s | %s | %s %% / %s | %s | %s | %s | %s | %s |\n' \
      "$rt" "$n" "$mode" "$srv" "$sys" "$per" "$rss" "$hwm" "$cli" "$aps" "$pct" "$all" "$parts" "$minw" "$delay" "$epct" "$eall" "$edelay" "$pub" "$h" "$rest" "$check"
  else
    printf '| %s | 0 | - | %s (%s) | - | %s (%s) | - | - | - | - | - | - | %s | - | %s | %s |\n' "$rt" "$srv" "$sys" "$rss" "$hwm" "$pub" "$rest" "$check"
  fi
done <"$RESULTS"
echo
echo "server cores: utime+stime of the server process over the window (/proc/PID/stat), (sys) the kernel part; µs per answer: server CPU"
echo "above the N = 0 run of the same runtime (muxing, one reference client) divided by the load clients' answers. RSS: VmRSS at the end"
echo "of the window, peak = VmHWM. First answer: the earliest time any client (reference or load) had the part listed. Part end: its"
echo "end on the playlist's clock (EXT-X-PROGRAM-DATE-TIME + part durations), i.e. when its last frame's successor reached the server."
echo "Delays are a load client's time minus one of those. client ms per part: time the load process spent in socket callbacks for one"
echo "part's answers (its own share of the delays)."
echo "rest: cores used by everything else (other processes, unattributed kernel work): > 0.3 means the machine was not quiet."
