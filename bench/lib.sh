# bench/lib.sh: shell helpers for the benchmarks (source it; bash only).
# Before sourcing, set BENCH_NAME (the log prefix). Gives: log, die,
# start_bg/stop_all with a cleanup trap that stops every process started and
# removes $WORK, CPU and memory readings from /proc, and wait_quiet.
#
# Used by bench/rtsp-fanout/run.sh, bench/rtsp-ingest/run.sh,
# bench/udp-ingest/run.sh, bench/serve-segments/run.sh and blocking.sh; where a
# script's helper differs (what it counts, what it prints) it keeps its own.

log() { printf '[%s] %s\n' "$BENCH_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Our server runs as `npm start` runs it: Bun's allocator (mimalloc) keeps freed
# pages instead of purging them from its scavenger thread (docs/architecture.md,
# Runtimes). MIMALLOC_PURGE_DELAY=100 gives mimalloc's own default back, for A/B.
export MIMALLOC_PURGE_DELAY=${MIMALLOC_PURGE_DELAY:--1}

# And Deno as `deno task serve` runs it (deno.json; the V8 flag: docs/architecture.md, Runtimes).
DENO_SERVE_FLAGS=(--allow-net --allow-ffi --allow-read --allow-env --allow-sys --v8-flags=--heap-growing-percent=50)

# bench_init : scratch directory $WORK (kept with KEEP=1) and the exit trap.
# A script may define bench_on_exit: run by the trap once every process is
# stopped, before $WORK goes (e.g. to remove its own tmpfs directory).
bench_init() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
bench_cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
  done
  if declare -F bench_on_exit >/dev/null; then bench_on_exit; fi
  if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}

start_bg() { # start_bg LOGFILE CMD... : stdout and stderr to LOGFILE; sets BG_PID
  "${@:2}" >"$1" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}
stop_all() { # stop_all SIGNAL PID... : signal all, wait up to 5 s in all, then SIGKILL
  local sig=$1 p any
  shift
  for p in "$@"; do kill "-$sig" "$p" 2>/dev/null || true; done
  for _ in $(seq 1 25); do
    any=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && any=1; done
    [ "$any" -eq 1 ] || return 0
    sleep 0.2
  done
  for p in "$@"; do
    kill -0 "$p" 2>/dev/null || continue
    log "  process $p still running 5 s after SIG$sig, killing it"
    kill -9 "$p" 2>/dev/null || true
  done
}
alive() { kill -0 "$1" 2>/dev/null; }

HZ=$(getconf CLK_TCK)
cpu_ticks() { # utime+stime of processes (all their threads), clock ticks
  local p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && sed 's/^.*) //' "/proc/$p/stat"; done | awk '{t += $12 + $13} END {print t+0}'
}
sys_ticks() { # stime only
  local p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && sed 's/^.*) //' "/proc/$p/stat"; done | awk '{t += $13} END {print t+0}'
}
rss_kb() { # resident set size (VmRSS), summed over processes, KiB
  local p
  for p in "$@"; do awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null || true; done | awk '{t += $1} END {print t+0}'
}
hwm_kb() { # peak resident set size (VmHWM) since the process started, summed, KiB
  local p
  for p in "$@"; do awk '/^VmHWM:/{print $2}' "/proc/$p/status" 2>/dev/null || true; done | awk '{t += $1} END {print t+0}'
}
machine_busy() { # busy ticks of the whole machine: user nice system irq softirq steal
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat
}
now_ns() { date +%s%N; }
cores() { # cores TICKS_A TICKS_B NS_A NS_B : CPU seconds per second
  awk -v a="$1" -v b="$2" -v s="$3" -v e="$4" -v hz="$HZ" 'BEGIN{printf "%.3f", (b-a)/hz/((e-s)/1e9)}'
}

# wait_quiet MAX [TRIES] : wait (1 s per try) until the machine uses at most MAX
# cores, counting everything running, ours included; sets QUIET=ok|busy.
wait_quiet() {
  local max=$1 tries=${2:-20} a b load
  QUIET=ok
  for _ in $(seq 1 "$tries"); do
    a=$(machine_busy); sleep 1; b=$(machine_busy)
    load=$(awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}')
    awk -v l="$load" -v m="$max" 'BEGIN{exit !(l <= m)}' && return 0
    log "  machine busy before the run ($load cores), waiting"
  done
  QUIET=busy
}

# raise_nofile NEED : raise this shell's open-file limit (children inherit it) to at least NEED.
raise_nofile() {
  local need=$1 hard
  [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need" ] && return 0
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    die "need $need open files, the hard limit is $hard (raise it: ulimit -Hn, /etc/security/limits.conf)"
  fi
  ulimit -n "$need"
}
