#!/usr/bin/env bash
# bench/serve-segments: one HLS segment (~1 MB and ~256 KB) served by our
# server and by nginx (one worker, sendfile from tmpfs), measured with wrk in
# the same run, on Bun and on Deno. Prints requests/s for each and the ratio
# ours/nginx. See docs/BENCHMARKS.md.
#
# Knobs (environment):
#   RUNTIMES="bun deno"   runtimes to measure
#   SIZES="1m 256k"       segment sizes to measure
#   DURATION=10s          wrk -d per measured round
#   THREADS=2 CONNS=64    wrk -t / -c (same for both servers)
#   ROUNDS=2              measured rounds per server; the order alternates
#                         (ours,nginx then nginx,ours ...) so drift is shared
#   WARMUP=2s             unmeasured wrk run against each server first
#   REST_MAX=0.3          a round during which other work (other processes,
#   RETRIES=2             unattributed kernel time) used more cores than this
#                         is measured again, up to RETRIES times, then kept
#                         and flagged with "*"
#   NGINX_TUNING="sendfile on; tcp_nopush on;"
#                         nginx http-block directives under test (to try e.g.
#                         "sendfile on; sendfile_max_chunk 256k;")
#   KEEP=1                keep the scratch directory (logs, configs, wrk output) and say where
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# MODE=blocking: LL-HLS blocking playlist reloads of N clients instead (bench/serve-segments/blocking.sh).
if [ "${MODE:-}" = blocking ]; then exec bash bench/serve-segments/blocking.sh; fi
BENCH_NAME=serve-segments
# shellcheck source=../lib.sh
. bench/lib.sh

RUNTIMES=${RUNTIMES:-"bun deno"}
SIZES=${SIZES:-"1m 256k"}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-2s}
REST_MAX=${REST_MAX:-0.3}
RETRIES=${RETRIES:-2}
NGINX_TUNING=${NGINX_TUNING:-"sendfile on; tcp_nopush on;"}
export DENO_NO_UPDATE_CHECK=1

# ---------------------------------------------------------------- tools ----
need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing ${need_apt[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # nginx-light is enough (static files); fall back to nginx where it is absent.
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null ||
    $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]/nginx-light/nginx}" >/dev/null
fi
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found"

if command -v ffmpeg >/dev/null 2>&1; then
  FFMPEG=$(command -v ffmpeg)
else
  FFMPEG=$(node -e "console.log(require('@ffmpeg-installer/ffmpeg').path)" 2>/dev/null) || true
fi
[ -n "${FFMPEG:-}" ] && [ -x "$FFMPEG" ] || die "ffmpeg not found (apt-get install ffmpeg, or npm install)"

# No request of ours may hang the run.
curl() { command curl --max-time 15 "$@"; }

BUN="$ROOT/node_modules/.bin/bun"
DENO="$ROOT/node_modules/.bin/deno"
if command -v sha256sum >/dev/null 2>&1; then sha() { sha256sum "$1" | cut -d' ' -f1; }
else sha() { shasum -a 256 "$1" | cut -d' ' -f1; }; fi

# ------------------------------------------------------ scratch + cleanup ----
bench_init
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  SHM=$(mktemp -d /dev/shm/serve-segments.XXXXXX)
else
  log "warning: /dev/shm not available, nginx serves from $WORK (maybe not tmpfs)"
  SHM="$WORK/www"; mkdir -p "$SHM"
fi
# nginx started as root runs its worker as an unprivileged user: let it read.
chmod 755 "$SHM"
bench_on_exit() { rm -rf "${SHM:-}"; } # the served segments in tmpfs go even with KEEP=1

stop_pid() {
  local p=$1
  kill "$p" 2>/dev/null || true
  for _ in $(seq 1 25); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$p" 2>/dev/null || true
}
free_port() {
  "$BUN" -e 'const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }); console.log(s.port); s.stop(true);'
}
# Not lib.sh's cpu_ticks: nginx's worker is a child of the pid we started.
tree_ticks() { # utime+stime of a process and its live children, in clock ticks
  local total=0 p
  for p in "$@" $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

# ----------------------------------------------------------------- clips ----
# Two H.264 MPEG-TS clips, keyframe every 2 s (GOP 60 at 30 fps), CBR via
# x264's nal-hrd=cbr so every 2 s segment is close to bitrate*2/8 bytes:
#   1m   : 1280x720 at 4.2 Mbit/s  -> ~1 MB per 2 s segment
#   256k : 640x360  at 1.05 Mbit/s -> ~256 KB per 2 s segment
# testsrc2 plus temporal noise so the encoder has something to spend bits on.
declare -A CLIP_SIZE=([1m]=1280x720 [256k]=640x360)
declare -A CLIP_RATE=([1m]=4200k [256k]=1050k)
declare -A TARGET_BYTES=([1m]=1048576 [256k]=262144)
for s in $SIZES; do
  [ -n "${CLIP_RATE[$s]:-}" ] || die "unknown size '$s' (1m or 256k)"
  log "encoding ${s} clip (${CLIP_SIZE[$s]}, ${CLIP_RATE[$s]}bit/s, 20 s)"
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=${CLIP_SIZE[$s]}:rate=30,noise=alls=12:allf=t+u" \
    -t 20 -an -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
    -g 60 -keyint_min 60 -sc_threshold 0 \
    -b:v "${CLIP_RATE[$s]}" -minrate "${CLIP_RATE[$s]}" -maxrate "${CLIP_RATE[$s]}" -bufsize "${CLIP_RATE[$s]}" \
    -x264-params nal-hrd=cbr -f mpegts "$WORK/clip-$s.ts"
done

# ----------------------------------------------------------------- nginx ----
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  types { video/mp2t ts; }
  $NGINX_TUNING
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $SHM;
  }
}
EOF
start_bg "$WORK/nginx/stderr.log" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log"
NGINX_PID=$BG_PID
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx/stderr.log" "$WORK/nginx/logs/error.log" >&2; die "nginx exited"; }
  sleep 0.1
done
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') on 127.0.0.1:$NGINX_PORT, root $SHM"

# -------------------------------------------------------------- our server ----
start_ours() { # start_ours RUNTIME SIZE ; sets OURS_PID OURS_BASE
  local rt=$1 s=$2 cfg="$WORK/config-$1-$2.json" logf="$WORK/server-$1-$2.log"
  cat >"$cfg" <<EOF
{"http":{"port":0,"host":"127.0.0.1"},
 "demo":{"enabled":true,"path":"demo","file":"$WORK/clip-$s.ts"},
 "hls":{"segmentCount":60,"alwaysRemux":true},
 "logLevel":"info"}
EOF
  case $rt in
    bun) start_bg "$logf" "$BUN" src/main.ts --config "$cfg" ;;
    deno) start_bg "$logf" "$DENO" run "${DENO_SERVE_FLAGS[@]}" src/main.ts --config "$cfg" ;;
    *) die "unknown runtime $rt" ;;
  esac
  OURS_PID=$BG_PID
  OURS_LOG=$logf
  local port=""
  for _ in $(seq 1 150); do
    port=$(sed -n 's#.*listening on http://[^:/]*:\([0-9]*\)/.*#\1#p' "$logf" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$OURS_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$port" ]; then
    log "server ($rt) did not start; its output:"; sed 's/^/  | /' "$logf" >&2
    return 1
  fi
  OURS_BASE="http://127.0.0.1:$port/demo"
  log "$rt server pid $OURS_PID at $OURS_BASE/index.m3u8"
}

# Wait until the playlist lists >= 3 segments, download the newest 3 and keep
# the one whose size is closest to the target (a segment spanning the clip's
# loop point can be odd). Sets SEG_URL SEG_FILE.
pick_segment() { # pick_segment SIZE TAG
  local s=$1 tag=$2 pl="$WORK/playlist-$2.m3u8" uris=() n=0
  for _ in $(seq 1 60); do
    if curl -sf -o "$pl" "$OURS_BASE/index.m3u8"; then
      mapfile -t uris < <(grep -v '^#' "$pl" | grep -v '^[[:space:]]*$' || true)
      n=${#uris[@]}
      [ "$n" -ge 3 ] && break
    fi
    kill -0 "$OURS_PID" 2>/dev/null || { sed 's/^/  | /' "$OURS_LOG" >&2; return 1; }
    sleep 0.5
  done
  if [ "$n" -lt 3 ]; then
    log "playlist never listed 3 segments after 30 s:"; sed 's/^/  | /' "$pl" >&2 2>/dev/null || true
    return 1
  fi
  local best="" bestdiff=-1 target=${TARGET_BYTES[$s]} i u url f size diff
  for i in 1 2 3; do
    u=${uris[$((n - i))]}
    case $u in
      http://* | https://*) url=$u ;;
      /*) url="${OURS_BASE%/demo}$u" ;;
      *) url="$OURS_BASE/$u" ;;
    esac
    f="$WORK/cand-$tag-$i.ts"
    curl -sf -o "$f" "$url" || { log "GET $url failed"; continue; }
    size=$(stat -c %s "$f")
    diff=$((size > target ? size - target : target - size))
    if [ "$bestdiff" -lt 0 ] || [ "$diff" -lt "$bestdiff" ]; then best=$url; bestdiff=$diff; SEG_FILE=$f; fi
  done
  [ -n "$best" ] || return 1
  SEG_URL=$best
}

# ------------------------------------------------------------------- wrk ----
to_bytes() { # "1.23GB" -> bytes (wrk uses 1024 multiples)
  awk -v v="$1" 'BEGIN{ n=v+0; u=v; sub(/^[0-9.]+/,"",u);
    m=1; if(u=="KB")m=1024; else if(u=="MB")m=1048576; else if(u=="GB")m=1073741824; else if(u=="TB")m=1099511627776;
    printf "%.0f", n*m }'
}
# run_wrk URL LABEL SERVERPID ; sets RPS BPS ERRS CPU_SRV CPU_WRK CPU_REST
# (cores used during the run by the server, by wrk, and by everything else:
# kernel softirq work not charged to a process, and other processes; a large
# CPU_REST means the machine was not quiet).
run_wrk() {
  local url=$1 label=$2 spid=$3 out="$WORK/wrk-$2.txt" t0 t1 m0 m1 tf="$WORK/time-$2.txt"
  t0=$(tree_ticks "$spid"); m0=$(machine_busy)
  /usr/bin/time -f '%U %S' -o "$tf" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$url" >"$out" 2>&1 || true
  t1=$(tree_ticks "$spid"); m1=$(machine_busy)
  RPS=$(awk '/^Requests\/sec:/{print $2}' "$out")
  BPS=$(to_bytes "$(awk '/^Transfer\/sec:/{print $2}' "$out")")
  ERRS=$(awk '/Non-2xx or 3xx responses:/{n+=$NF} /Socket errors:/{gsub(/,/,""); n+=$4+$6+$8+$10} END{print n+0}' "$out")
  local secs=${DURATION%s}
  CPU_SRV=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v d="$secs" 'BEGIN{printf "%.2f", (b-a)/hz/d}')
  CPU_WRK=$(awk -v d="$secs" '{printf "%.2f", ($1+$2)/d}' "$tf" 2>/dev/null || echo 0)
  CPU_REST=$(awk -v a="$m0" -v b="$m1" -v hz="$HZ" -v d="$secs" -v s="$CPU_SRV" -v w="$CPU_WRK" \
    'BEGIN{r=(b-a)/hz/d - s - w; if (r<0) r=0; printf "%.2f", r}')
  if [ -z "$RPS" ]; then log "wrk failed against $url:"; sed 's/^/  | /' "$out" >&2; RPS=0; BPS=0; fi
  [ "$ERRS" -eq 0 ] || { log "warning: $label: $ERRS errors / non-2xx responses:"; grep -E 'Non-2xx|Socket errors' "$out" | sed 's/^/  | /' >&2; }
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
mean() { awk '{s=0; for(i=1;i<=NF;i++) s+=$i; if (NF) printf "%.'"${2:-2}"'f", s/NF; else print "-"}' <<<"$1"; }
failed() { # failed RUNTIME SIZE WHY
  printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "$2" "$3" >>"$RESULTS"
}

for rt in $RUNTIMES; do
  for s in $SIZES; do
    if ! start_ours "$rt" "$s"; then failed "$rt" "$s" "server did not start"; continue; fi
    if ! pick_segment "$s" "$rt-$s"; then failed "$rt" "$s" "no segment served"; stop_pid "$OURS_PID"; continue; fi
    name="$rt-$s.ts"
    cp "$SEG_FILE" "$SHM/$name"
    chmod 644 "$SHM/$name"
    NG_URL="http://127.0.0.1:$NGINX_PORT/$name"
    seg_bytes=$(stat -c %s "$SHM/$name")
    h_ref=$(sha "$SHM/$name")
    curl -sf -o "$WORK/check-ours" "$SEG_URL" || die "re-fetch of $SEG_URL failed"
    curl -sf -o "$WORK/check-nginx" "$NG_URL" || die "GET $NG_URL failed"
    [ "$(sha "$WORK/check-ours")" = "$h_ref" ] || die "$SEG_URL served different bytes on a second GET"
    [ "$(sha "$WORK/check-nginx")" = "$h_ref" ] || die "nginx served different bytes"
    log "$rt $s: segment $SEG_URL, $seg_bytes bytes, sha256 ${h_ref:0:16}… (same from both)"
    log "  ours headers: $(curl -s -o /dev/null -D - "$SEG_URL" | tr -d '\r' | grep -iE '^(content-type|content-length|cache-control|etag)' | tr '\n' ' ')"

    measured=$DURATION; DURATION=$WARMUP
    run_wrk "$SEG_URL" "warm-ours-$rt-$s" "$OURS_PID"
    run_wrk "$NG_URL" "warm-nginx-$rt-$s" "$NGINX_PID"
    DURATION=$measured

    declare -A flagged=([ours]="" [nginx]="") rps=() mbs=() errs=() csrv=() cwrk=() crest=()
    for r in $(seq 1 "$ROUNDS"); do
      if [ $((r % 2)) -eq 1 ]; then order="ours nginx"; else order="nginx ours"; fi
      for who in $order; do
        for try in $(seq 0 "$RETRIES"); do
          if [ "$who" = ours ]; then run_wrk "$SEG_URL" "ours-$rt-$s-$r" "$OURS_PID"
          else run_wrk "$NG_URL" "nginx-$rt-$s-$r" "$NGINX_PID"; fi
          noisy=$(awk -v r="$CPU_REST" -v m="$REST_MAX" 'BEGIN{print (r > m) ? 1 : 0}')
          [ "$noisy" -eq 1 ] || break
          if [ "$try" -lt "$RETRIES" ]; then
            log "  $who round $r: $CPU_REST cores used by other work (> $REST_MAX), measuring again"
            sleep 2
          else
            flagged[$who]="*"
          fi
        done
        mb=$(awk -v b="$BPS" 'BEGIN{printf "%.1f", b/1048576}')
        rps[$who]+=" $RPS"; mbs[$who]+=" $mb"; errs[$who]+=" $ERRS"
        csrv[$who]+=" $CPU_SRV"; cwrk[$who]+=" $CPU_WRK"; crest[$who]+=" $CPU_REST"
        printf '  %-4s %-4s round %d %-5s %9.1f req/s %8.1f MB/s  cores: server %s wrk %s rest %s  errors %s\n' \
          "$rt" "$s" "$r" "$who" "$RPS" "$mb" "$CPU_SRV" "$CPU_WRK" "$CPU_REST" "$ERRS" >&2
      done
    done

    # The segment must still be there, byte for byte, after the load.
    curl -sf -o "$WORK/check-ours" "$SEG_URL" || die "$SEG_URL no longer served after the run (segmentCount too small for ROUNDS x DURATION?)"
    [ "$(sha "$WORK/check-ours")" = "$h_ref" ] || die "$SEG_URL served different bytes after the run"
    if grep -qiE 'error|uncaught|panic|exception' "$OURS_LOG"; then
      log "warning: $rt server logged errors:"; grep -iE 'error|uncaught|panic|exception' "$OURS_LOG" | head -n 20 | sed 's/^/  | /' >&2
    fi
    stop_pid "$OURS_PID"

    o=$(mean "${rps[ours]}" 0); n=$(mean "${rps[nginx]}" 0)
    ratio=$(awk -v o="$o" -v n="$n" 'BEGIN{ if (n>0) printf "%.2f", o/n; else print "-" }')
    e=$(( $(tr ' ' '\n' <<<"${errs[ours]} ${errs[nginx]}" | awk '{s+=$1} END{print s+0}') ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s/%s/%s\t%s/%s/%s\t%s\n' "$rt" "$s" "$seg_bytes" "$o" "$n" "$ratio" \
      "$(mean "${mbs[ours]}" 0)" "$(mean "${mbs[nginx]}" 0)" \
      "$(mean "${csrv[ours]}")" "$(mean "${cwrk[ours]}")" "$(mean "${crest[ours]}")" \
      "$(mean "${csrv[nginx]}")" "$(mean "${cwrk[nginx]}")" "$(mean "${crest[nginx]}")" \
      "$([ "$e" -eq 0 ] && echo ok || echo "$e errors/non-2xx")${flagged[ours]:+; ours*}${flagged[nginx]:+; nginx*}" >>"$RESULTS"
    unset flagged rps mbs errs csrv cwrk crest
  done
done

# ----------------------------------------------------------------- table ----
echo
echo "serve-segments: wrk -t$THREADS -c$CONNS -d$DURATION, mean of $ROUNDS alternating rounds per server, 127.0.0.1, $(nproc) cores shared by wrk and the servers"
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') (worker_processes 1; $NGINX_TUNING file on tmpfs), bun $("$BUN" --version), deno $("$DENO" --version | head -n1 | awk '{print $2}')"
echo
echo "| runtime | segment | bytes | ours req/s | nginx req/s | ours/nginx | ours MB/s | nginx MB/s | cores ours (srv/wrk/rest) | cores nginx (srv/wrk/rest) | check |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"
while IFS=$'\t' read -r rt s bytes o n ratio mo mn co cn note; do
  printf '| %s | %s | %s | %s | %s | **%sx** | %s | %s | %s | %s | %s |\n' "$rt" "$s" "$bytes" "$o" "$n" "$ratio" "$mo" "$mn" "$co" "$cn" "$note"
done <"$RESULTS"
echo
echo "cores: CPU used during the measured rounds by the server process (nginx: master + worker) / by wrk / by everything else"
echo "(kernel softirq time of the loopback traffic, other processes). MB = 2^20 bytes."
echo "* = a round kept although other work used more than $REST_MAX cores during it (machine not quiet)."
