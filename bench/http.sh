#!/usr/bin/env bash
# http.sh: HTTP/1.1 servers answering GET / with "Hello, World!" under wrk,
# pipelined, taking turns as in tls.sh (A, B, C, A, B, C, ...) so that a
# shared machine's drift falls on every server alike:
#
#   reactor-http  cmd/reactor-http, one loop (-loops 1)
#   net-http      net/http (bench/peers/cmd/peer-http -server net)
#   gnet-http     gnet v2, one loop, parsing with reactor-http's parser, package proto/http1
#                 (bench/peers/cmd/peer-http -server gnet)
#
# All three send the same bytes for GET /: the same fields, in the same
# order, Date included.
#
#   bash bench/http.sh
#   RUNS=1 DURATION=1s WARMUP=0 bash bench/http.sh      # a quick look
#
# Knobs (environment): SERVERS (reactor-http net-http gnet-http), RUNS (5),
# DURATION (5s: wrk's -d), WARMUP (1s of load before each measured run; 0
# for none), CONNS (50), DEPTH (16 requests per write).
#
# Each run: a fresh server pinned to CPU 0 with GOMAXPROCS=1; wrk pinned to
# CPU 1 with -t1 -c$CONNS -d$DURATION --latency and bench/wrk-pipeline.lua,
# which writes DEPTH requests at a time. It reports requests/s; p50 and p99
# latency, which under pipelining wrk records once per batch (from its write
# to its last response), not per request, taken by the script from wrk's
# own record after undoing wrk's coordinated-omission correction, which is
# wrong under pipelining (see the script); and the server's CPU time per
# request: utime+stime from /proc/PID/stat before and after the measured
# run, over the requests wrk counted. wrk comes from the distribution
# (apt-get install wrk, after apt-get update) if it is missing. Servers are
# stopped by their PID; every load is bounded in time, and all traffic stays
# on 127.0.0.1.
#
# It prints one line per run, after each round the ratios of reactor-http
# to each other server in that round, and at the end the per-round ratios
# with their medians and a table of medians: the lot is ready for
# bench/results/http.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# The command as typed, for the report: the knobs that were set, then this script.
cmdline=""
for v in SERVERS RUNS DURATION WARMUP CONNS DEPTH; do
	if [[ -n ${!v+x} ]]; then cmdline+="$v=\"${!v}\" "; fi
done
cmdline+="bash bench/http.sh"

SERVERS=${SERVERS:-"reactor-http net-http gnet-http"}
RUNS=${RUNS:-5} DURATION=${DURATION:-5s} WARMUP=${WARMUP:-1s}
CONNS=${CONNS:-50} DEPTH=${DEPTH:-16}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

die() { echo "http.sh: $*" >&2; exit 1; }
for s in $SERVERS; do
	[[ " reactor-http net-http gnet-http " == *" $s "* ]] || die "unknown server '$s' (choose from: reactor-http net-http gnet-http)"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ $CONNS =~ ^[1-9][0-9]*$ ]] || die "CONNS must be a positive number"
[[ $DEPTH =~ ^[1-9][0-9]*$ ]] || die "DEPTH must be a positive number"
[[ $DURATION =~ ^[1-9][0-9]*[smh]?$ ]] || die "DURATION must be wrk's: a number of seconds, or with s, m or h"
[[ $WARMUP == 0 || $WARMUP =~ ^[1-9][0-9]*[smh]?$ ]] || die "WARMUP must be 0 or a duration such as 1s"
[[ -r /proc/self/stat ]] || die "needs /proc to read the servers' CPU time"

if ! command -v wrk >/dev/null; then
	echo "http.sh: wrk is missing: installing it with apt-get" >&2
	sudo=()
	if ((EUID != 0)); then sudo=(sudo); fi
	"${sudo[@]}" apt-get update -qq >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
	command -v wrk >/dev/null || die "could not install wrk"
fi

. bench/lib.sh # pin0, pin1, $bin, $pid, stop_server, cpu_ticks, num, ratio, median
go build -o "$bin/reactor-http" ./cmd/reactor-http
(cd bench/peers && go build -o "$bin/peer-http" ./cmd/peer-http)

# start_server NAME starts the server on 127.0.0.1:0 and sets pid and addr
# once it prints its listening line.
start_server() {
	local i cmd
	case $1 in
	reactor-http) cmd=("$bin/reactor-http" -addr 127.0.0.1:0 -loops 1) ;;
	net-http) cmd=("$bin/peer-http" -server net -addr 127.0.0.1:0) ;;
	gnet-http) cmd=("$bin/peer-http" -server gnet -addr 127.0.0.1:0) ;;
	esac
	: >"$bin/out"
	GOMAXPROCS=1 "${pin0[@]}" "${cmd[@]}" >"$bin/out" 2>"$bin/err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		addr=$(sed -n 's/^.*listening on \(127\.0\.0\.1:[0-9][0-9]*\).*$/\1/p' "$bin/out" | head -n1)
		if [[ -n $addr ]]; then return 0; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "http.sh: $1 did not start: $(tail -n3 "$bin/err" | tr '\n' ' ')" >&2
	stop_server
	return 1
}


tck=$(getconf CLK_TCK)

# secs D prints wrk's duration D (5, 5s, 2m, 1h) in whole seconds.
secs() {
	case $1 in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}
# wrk_run DURATION ARGS... runs wrk pinned to CPU 1 against the server,
# pipelined DEPTH deep, for DURATION: bounded by a minute more than that.
wrk_run() {
	local d=$1
	shift
	WRK_CONNECTIONS=$CONNS "${pin1[@]}" timeout -k 5 "$(($(secs "$d") + 60))" \
		wrk -t1 -c"$CONNS" -d"$d" "$@" -s bench/wrk-pipeline.lua "http://$addr/" -- "$DEPTH"
}

declare -A val # val[figure,server,run]: rps, p50 and p99 (µs), cpu (ns per request)

# measure SERVER RUN runs the load against a fresh server and keeps the
# figures of the run.
measure() {
	local s=$1 r=$2 t0 t1 line req dur batches p50 p99 errs
	start_server "$s" || return 0
	if [[ $WARMUP != 0 ]]; then wrk_run "$WARMUP" >/dev/null 2>&1 || true; fi
	t0=$(cpu_ticks "$pid") || t0=""
	wrk_run "$DURATION" --latency >"$bin/wrk" 2>&1 || true
	t1=$(cpu_ticks "$pid") || t1=""
	stop_server
	line=$(grep -m1 '^wrk-pipeline: ' "$bin/wrk" || true)
	if [[ -z $line ]]; then
		echo "http.sh: $s run $r failed: $(tail -n3 "$bin/wrk" | tr '\n' ' ')" >&2
		return 0
	fi
	read -r req dur batches p50 p99 errs < <(sed -n 's/^wrk-pipeline: requests=\([0-9]*\) duration_us=\([0-9]*\) batches=\(-*[0-9]*\) p50_us=\(-*[0-9]*\) p99_us=\(-*[0-9]*\) errors=\([0-9]*\)$/\1 \2 \3 \4 \5 \6/p' <<<"$line") || true
	if [[ ! ${req:-} =~ ^[0-9]+$ ]] || ((req == 0)); then
		echo "http.sh: $s run $r: no request answered: $line" >&2
		return 0
	fi
	if ((errs > 0)); then
		echo "http.sh: $s run $r: $errs errors: $(grep -m2 -E 'errors|Non-2xx' "$bin/wrk" | tr '\n' ' ')" >&2
	fi
	val[rps,$s,$r]=$(awk -v n="$req" -v d="$dur" 'BEGIN { printf "%.0f", n / d * 1e6 }')
	# Every batch answered has its latency; only those cut by the end of
	# the run may be missing.
	if ((batches >= 0 && (batches * DEPTH > req || req - batches * DEPTH > CONNS * DEPTH))); then
		echo "http.sh: $s run $r: $batches latencies for $req requests $DEPTH deep: the percentiles are left out" >&2
		batches=-1
	fi
	if ((batches >= 0)); then
		val[p50,$s,$r]=$p50
		val[p99,$s,$r]=$p99
	fi
	if [[ -n $t0 && -n $t1 ]]; then
		val[cpu,$s,$r]=$(awk -v t="$((t1 - t0))" -v k="$tck" -v n="$req" 'BEGIN { printf "%.1f", t * 1e9 / k / n }')
	fi
}

get() { echo "${val[$1,$2,$3]:-}"; }




# show SERVER RUN prints the run's line.
show() {
	printf '%-13s run %d  %10s req/s  p50 %8s ms  p99 %8s ms  CPU/req %7s ns\n' "$1" "$2" \
		"$(num "$(get rps "$1" "$2")" 1 0)" "$(num "$(get p50 "$1" "$2")" 1000 2)" \
		"$(num "$(get p99 "$1" "$2")" 1000 2)" "$(num "$(get cpu "$1" "$2")" 1 0)"
}

# The ratios compare reactor-http with each other server.
others=""
if [[ " $SERVERS " == *" reactor-http "* ]]; then
	for s in $SERVERS; do [[ $s == reactor-http ]] || others+="$s "; done
fi

echo "# http.sh: GET /, wrk -t1 -c$CONNS, $DEPTH requests per write; $RUNS run(s) of $DURATION (+$WARMUP warmup)"
echo
echo "- date: $(date -u +%FT%TZ); nproc $(nproc); $(go version | cut -d' ' -f3); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2 || true)"
echo "- command: \`$cmdline\`"
echo "- each server pinned to CPU 0 with GOMAXPROCS=1 (reactor-http with -loops 1), wrk pinned to CPU 1; the servers take turns"
echo "- p50/p99: wrk's latency under pipelining is per batch of $DEPTH, from its write to its last response; wrk's own percentiles are wrong under pipelining (bench/wrk-pipeline.lua says why), so these are the script's, from the latencies wrk recorded"
echo "- CPU/req: the server's utime+stime (/proc/PID/stat, ticks of 1/$tck s) over the measured run, divided by the requests answered"
echo
echo '```'
for ((r = 1; r <= RUNS; r++)); do
	for s in $SERVERS; do
		measure "$s" "$r"
		show "$s" "$r"
	done
	for o in $others; do
		echo "round $r reactor-http/$o: req/s $(ratio "$(get rps reactor-http "$r")" "$(get rps "$o" "$r")"), CPU/req $(ratio "$(get cpu reactor-http "$r")" "$(get cpu "$o" "$r")")"
	done
done
echo '```'

if [[ -n $others ]]; then
	echo
	echo "## Per-round ratios, reactor-http / other in the same round (req/s: above 1 favours reactor-http; CPU/req: below 1)"
	echo
	echo '```'
	for f in rps cpu; do
		for o in $others; do
			rs=()
			for ((r = 1; r <= RUNS; r++)); do rs+=("$(ratio "$(get "$f" reactor-http "$r")" "$(get "$f" "$o" "$r")")"); done
			label=req/s
			[[ $f == rps ]] || label=CPU/req
			printf '%-8s reactor-http/%-10s %s (median %s)\n' "$label" "$o" "${rs[*]}" "$(num "$(median "${rs[@]}")" 1 2)"
		done
	done
	echo '```'
fi

echo
echo "## Medians of $RUNS run(s)"
echo
header="| figure |" rule="|---|"
for s in $SERVERS; do header+=" $s |" rule+="---:|"; done
echo "$header"
echo "$rule"
for f in "rps|requests/s|1|0" "p50|p50 per batch (ms)|1000|2" "p99|p99 per batch (ms)|1000|2" "cpu|server CPU per request (ns)|1|0"; do
	IFS='|' read -r key name div digits <<<"$f"
	row="| $name |"
	for s in $SERVERS; do
		vs=()
		for ((r = 1; r <= RUNS; r++)); do vs+=("$(get "$key" "$s" "$r")"); done
		row+=" $(num "$(median "${vs[@]}")" "$div" "$digits") |"
	done
	echo "$row"
done
