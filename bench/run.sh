#!/usr/bin/env bash
# bench/run.sh: echo servers on one core under the same load.
#
# For each run, workload and server (servers taking turns, so that drift
# falls on all alike) it starts the server pinned to CPU 0 with
# GOMAXPROCS=1, runs bench/cmd/reactor-load pinned to CPU 1 against it, and
# stops the server; then one idle-memory run per server. It writes
# bench/results/results.json (every run and the medians), results.md (tables
# of the medians) and PNG charts.
#
#   bash bench/run.sh
#   RUNS=1 DURATION=1s WORKLOADS=pingpong64 bash bench/run.sh
#
# Knobs (environment):
#   RUNS       runs per server and workload (5: one run drifts by 10-15% here)
#   DURATION   measured window of each run (5s); WARMUP before it (1s)
#   SERVERS    subset of: c-floor net reactor gnet evio nbio netpoll
#   WORKLOADS  subset of: pingpong64 pingpong64-1000 pipelined64 bulk64k
#   IDLE       connections for the idle-memory run (10000; 0 skips it)
#   OUT        where the results go (bench/results)
#   LOAD       a prebuilt load generator to use instead of building
#              bench/cmd/reactor-load (same flags and JSON)
#
# All traffic is on 127.0.0.1; every server listens on a port the kernel
# picks (127.0.0.1:0) and reports it on its "listening on" line.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# The command as typed, for the report: the knobs that were set, then this script.
CMDLINE=""
for v in RUNS DURATION WARMUP SERVERS WORKLOADS IDLE OUT LOAD; do
	if [[ -n "${!v+x}" ]]; then printf -v q %q "${!v}"; CMDLINE+="$v=$q "; fi
done
CMDLINE+="bash bench/run.sh"

ALL_SERVERS="c-floor net reactor gnet evio nbio netpoll"
ALL_WORKLOADS="pingpong64 pingpong64-1000 pipelined64 bulk64k"
RUNS=${RUNS:-5}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
SERVERS=${SERVERS:-$ALL_SERVERS}
WORKLOADS=${WORKLOADS:-$ALL_WORKLOADS}
IDLE=${IDLE:-10000}
OUT=${OUT:-$ROOT/bench/results}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

log() { printf '%s\n' "run.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# workload_args NAME prints the load generator's flags for a workload.
workload_args() {
	case $1 in
	pingpong64) echo "-conns 50 -size 64 -depth 1" ;;
	pingpong64-1000) echo "-conns 1000 -size 64 -depth 1" ;;
	pipelined64) echo "-conns 50 -size 64 -depth 16" ;;
	bulk64k) echo "-conns 10 -size 65536 -depth 1" ;;
	*) return 1 ;;
	esac
}

# pick ALL WANTED prints the names of ALL that are in WANTED (comma or
# space separated), in the order of ALL, and fails on an unknown name.
pick() {
	local all=$1 wanted=${2//,/ } w out=""
	for w in $wanted; do
		[[ " $all " == *" $w "* ]] || die "unknown name '$w' (choose from: $all)"
	done
	for w in $all; do
		[[ " $wanted " == *" $w "* ]] && out+="$w "
	done
	echo "${out% }"
}
SERVERS=$(pick "$ALL_SERVERS" "$SERVERS")
WORKLOADS=$(pick "$ALL_WORKLOADS" "$WORKLOADS")
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ "$IDLE" =~ ^[0-9]+$ ]] || die "IDLE must be a number"

# seconds D prints a Go-style duration (1s, 500ms, 2m, 1m30s) in whole
# seconds, rounded up, or 600 if it cannot tell.
seconds() {
	local d=$1 total=0 n unit
	while [[ $d =~ ^([0-9]+)(ms|s|m|h)(.*)$ ]]; do
		n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]} d=${BASH_REMATCH[3]}
		case $unit in
		ms) total=$((total + (n + 999) / 1000)) ;;
		s) total=$((total + n)) ;;
		m) total=$((total + n * 60)) ;;
		h) total=$((total + n * 3600)) ;;
		esac
	done
	[[ -z $d ]] && echo "$total" || echo 600
}
# Every load run is bounded: its window, its warmup, and a minute to spare.
LOAD_TIMEOUT=$(($(seconds "$DURATION") + $(seconds "$WARMUP") + 60))

TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
	if [[ -n $SERVER_PID ]]; then stop_server "$SERVER_PID"; fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------
log "building into $TMP"
(cd bench/peers && go build -o "$TMP/" ./cmd/peer-echo ./cmd/benchreport ./cmd/chart) ||
	die "building bench/peers failed"
if [[ -n ${LOAD:-} ]]; then
	cp "$LOAD" "$TMP/reactor-load" || die "LOAD=$LOAD: cannot copy it"
else
	go build -o "$TMP/reactor-load" ./bench/cmd/reactor-load ||
		die "building bench/cmd/reactor-load failed"
fi
if [[ " $SERVERS " == *" c-floor "* ]]; then
	if command -v cc >/dev/null 2>&1; then
		cc -O2 -o "$TMP/c-echo" bench/peers/c/echo.c || die "building the C floor failed"
	else
		log "no C compiler (cc): skipping the c-floor server"
		SERVERS=$(pick "$ALL_SERVERS" "${SERVERS/c-floor/}")
	fi
fi
[[ -n $SERVERS ]] || die "no servers left to run"

# --- pinning -----------------------------------------------------------
SERVER_PIN=() LOAD_PIN=()
if ! command -v taskset >/dev/null 2>&1; then
	log "WARNING: taskset not found: server and load generator run unpinned"
elif (($(nproc) < 2)); then
	log "WARNING: fewer than 2 CPUs: server and load generator run unpinned"
else
	SERVER_PIN=(taskset -c 0) LOAD_PIN=(taskset -c 1)
fi

# The idle run holds IDLE connections in each process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- one server --------------------------------------------------------
# start_server NAME LOGFILE starts the server on 127.0.0.1:0 and sets
# SERVER_PID and SERVER_ADDR once it prints its listening line.
start_server() {
	local name=$1 out=$2 i
	: >"$out" # the wait below must not read an earlier line
	if [[ $name == c-floor ]]; then
		"${SERVER_PIN[@]}" "$TMP/c-echo" 0 >"$out" 2>&1 &
	else
		GOMAXPROCS=1 "${SERVER_PIN[@]}" "$TMP/peer-echo" -server "$name" -addr 127.0.0.1:0 >"$out" 2>&1 &
	fi
	SERVER_PID=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		SERVER_ADDR=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$out" | head -n1)
		if [[ -n $SERVER_ADDR ]]; then return 0; fi
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			wait "$SERVER_PID" 2>/dev/null || true
			SERVER_PID=""
			return 1
		fi
		sleep 0.05
	done
	stop_server "$SERVER_PID"
	return 1
}

# stop_server PID sends SIGTERM, then SIGKILL after 5 s, and reaps it.
stop_server() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "server $pid ignored SIGTERM for 5 s: killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	SERVER_PID=""
}

# fail NAME REASON notes a run that left no result.
fail() {
	log "$1: $2"
	printf '%s\n' "$2" >"$RAW/fail__$1.txt"
}

# measure SERVER TAG JSON ARGS... runs one load against a fresh server.
measure() {
	local s=$1 tag=$2 json=$3
	shift 3
	local slog="$TMP/server.log" llog="$TMP/load.log" rc=0
	if ! start_server "$s" "$slog"; then
		fail "$tag" "server did not start: $(tail -n3 "$slog" | tr '\n' ' ')"
		return
	fi
	timeout -k 5 "$LOAD_TIMEOUT" "${LOAD_PIN[@]}" "$TMP/reactor-load" -addr "$SERVER_ADDR" \
		-server "$s" -pid "$SERVER_PID" -json "$json" -progress 0 "$@" >"$llog" 2>&1 || rc=$?
	stop_server "$SERVER_PID"
	if ((rc != 0)) || [[ ! -s $json ]]; then
		rm -f "$json"
		fail "$tag" "load generator exited with status $rc: $(tail -n3 "$llog" | tr '\n' ' ')"
	fi
}

# --- the runs ----------------------------------------------------------
RAW="$TMP/raw"
mkdir -p "$RAW"
log "servers: $SERVERS; workloads: $WORKLOADS; $RUNS run(s) of $DURATION (+$WARMUP warmup)"
# Servers take turns (run 1 of every server, then run 2, ...) so that the
# machine's drift over minutes falls on all of them alike.
for ((r = 1; r <= RUNS; r++)); do
	for w in $WORKLOADS; do
		for s in $SERVERS; do
			log "$s $w run $r/$RUNS"
			# shellcheck disable=SC2046 # the workload's flags are words
			measure "$s" "${s}__${w}__$r" "$RAW/run__${s}__${w}__$r.json" \
				$(workload_args "$w") -duration "$DURATION" -warmup "$WARMUP"
		done
	done
done
if ((IDLE > 0)); then
	for s in $SERVERS; do
		log "$s idle $IDLE"
		measure "$s" "${s}__idle" "$RAW/idle__$s.json" -idle "$IDLE"
	done
fi

# --- the report --------------------------------------------------------
WSPEC=""
for w in $WORKLOADS; do
	read -r _ c _ z _ d <<<"$(workload_args "$w")"
	WSPEC+="$w:$c:$z:$d,"
done
mkdir -p "$OUT"
"$TMP/benchreport" -raw "$RAW" -out "$OUT" -servers "${SERVERS// /,}" -workloads "${WSPEC%,}" \
	-command "$CMDLINE" -duration "$DURATION" -runs "$RUNS"
"$TMP/chart" -in "$OUT/results.json" -out "$OUT"
log "wrote $OUT/results.json and $OUT/results.md"
