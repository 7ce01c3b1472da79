#!/usr/bin/env bash
# latency.sh: latency under offered load, open loop, for every peer, with
# the load generator checking that it kept its own schedule.
#
#   bash bench/latency.sh          # about 25 minutes on a quiet 2-CPU machine
#   QUICK=1 bash bench/latency.sh  # a smoke run of a minute or two, into /tmp/latency-quick
#
# Every published comparison of Go event loops is closed loop: a client
# sends its next message when the last one's answer arrives, so a server
# that stalls is sent less while it stalls, and its tail latency looks
# better than what a user behind it sees (coordinated omission). Here the
# load generator (bench/cmd/reactor-load -rate) sends on a fixed schedule
# and times every message from when the schedule had it due.
#
# Phase 1, capacity: each server's closed-loop msgs/s, CONNS connections of
# SIZE-byte messages, DEPTH in flight on each, CAP_ROUNDS rounds of
# CAP_DURATION, servers in turns; the median of the rounds.
#
# Phase 2, the rate grid: open-loop runs at the same absolute rates for
# every server, STEPS of them from 10% to 120% of the slowest server's
# capacity, denser towards the knee (70% and up), the plain and the TLS
# servers each on their own grid. At each rate every server in turn, the
# order rotating from rate to rate so that no server always goes first.
# Each run records the offered and achieved rate, p50, p99, p99.9 and max
# from the scheduled send time, the server's CPU per message, and the
# generator's own account: its send lag (p99, max), the messages held back
# because their connection had DEPTH in flight, and its verdict. A run
# whose lag p99 is above LAG_LIMIT, or that handed out fewer than 99% of
# the messages due, is generator-bound: it measured the generator, and is
# marked so in the tables and drawn apart in the charts.
#
# Each run: a fresh server pinned to CPU 0 (the Go servers with
# GOMAXPROCS=1), the generator pinned to CPU 1, where it has a core to
# itself: its loop polls rather than sleeps close to a due time (over TLS
# its pacer sleeps on a timerfd), so that no timer's millisecond ends up
# in the latencies. (If CPUs 0 and 1 are hyperthreads of one core, see
# lscpu -e, that polling also takes from the server's core.) Servers are
# stopped by their PID; every load is bounded in time; all traffic stays
# on 127.0.0.1.
#
# Knobs (environment):
#   SERVERS       plain servers (c-floor reactor gnet nbio net); "" skips them
#                 (c-floor is bench/peers/c/echo.c, built with cc; the others
#                 peer-echo's; evio and netpoll also allowed)
#   TLS_SERVERS   TLS servers (reactor net), with crypto/tls clients; nbio
#                 also allowed; "" skips them
#   CONNS (50), SIZE (64), DEPTH (1)
#   CAP_ROUNDS (3), CAP_DURATION (5s)   the capacity runs
#   STEPS (11, at least 8)   rates in each grid
#   RATES, TLS_RATES         the grids' rates instead (msgs/s, space separated)
#   DURATION      every open-loop run's measured window; unset: per rate, the
#                 longer of MIN_DURATION (10, in seconds) and MIN_MSGS (200000)
#                 messages at its rate, so that a p99.9 stands on 200 messages
#   WARMUP (2s)   before each window, not measured
#   LAG_LIMIT (100us)  the generator's lag p99 bound (reactor-load -lag-limit)
#   OUT           where the results go (bench/results)
#   QUICK=1       a smoke run: CAP_ROUNDS=1 CAP_DURATION=1s STEPS=8
#                 MIN_DURATION=1 MIN_MSGS=1000 WARMUP=300ms, OUT
#                 /tmp/latency-quick, unless set; its figures mean nothing
#
# It writes OUT/latency.json (every run, as the generator wrote it),
# OUT/latency.md (the tables) and the charts: latency_p99.png,
# latency_p999.png, latency_tls_p99.png, latency_tls_p999.png.
set -euo pipefail
cd "$(dirname "$0")/.."

# The command as typed, for the report: the knobs that were set, then this script.
CMDLINE=""
for v in QUICK SERVERS TLS_SERVERS CONNS SIZE DEPTH CAP_ROUNDS CAP_DURATION STEPS RATES TLS_RATES DURATION \
	MIN_DURATION MIN_MSGS WARMUP LAG_LIMIT OUT; do
	if [[ -n ${!v+x} ]]; then printf -v q %q "${!v}"; CMDLINE+="$v=$q "; fi
done
CMDLINE+="bash bench/latency.sh"

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	CAP_ROUNDS=${CAP_ROUNDS:-1} CAP_DURATION=${CAP_DURATION:-1s} STEPS=${STEPS:-8}
	MIN_DURATION=${MIN_DURATION:-1} MIN_MSGS=${MIN_MSGS:-1000} WARMUP=${WARMUP:-300ms}
	OUT=${OUT:-${TMPDIR:-/tmp}/latency-quick}
fi
SERVERS=${SERVERS-"c-floor reactor gnet nbio net"}
TLS_SERVERS=${TLS_SERVERS-"reactor net"}
CONNS=${CONNS:-50} SIZE=${SIZE:-64} DEPTH=${DEPTH:-1}
CAP_ROUNDS=${CAP_ROUNDS:-3} CAP_DURATION=${CAP_DURATION:-5s}
STEPS=${STEPS:-11} RATES=${RATES:-} TLS_RATES=${TLS_RATES:-}
DURATION=${DURATION:-} MIN_DURATION=${MIN_DURATION:-10} MIN_MSGS=${MIN_MSGS:-200000}
WARMUP=${WARMUP:-2s} LAG_LIMIT=${LAG_LIMIT:-100us}
OUT=${OUT:-bench/results}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

log() { printf '%s\n' "latency.sh: $*" >&2; }
die() { log "$*"; exit 1; }

for s in $SERVERS; do
	[[ " c-floor reactor gnet nbio net evio netpoll " == *" $s "* ]] ||
		die "unknown server '$s' in SERVERS (choose from: c-floor reactor gnet nbio net evio netpoll)"
done
for s in $TLS_SERVERS; do
	[[ " reactor net nbio " == *" $s "* ]] || die "unknown server '$s' in TLS_SERVERS (choose from: reactor net nbio)"
done
[[ -n "$SERVERS$TLS_SERVERS" ]] || die "SERVERS and TLS_SERVERS are both empty"
for v in CONNS SIZE DEPTH CAP_ROUNDS STEPS MIN_MSGS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"
done
((STEPS >= 8)) || die "STEPS must be at least 8"
[[ $MIN_DURATION =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "MIN_DURATION is in seconds, such as 10 or 2.5"
for r in $RATES $TLS_RATES; do
	[[ $r =~ ^[1-9][0-9]*$ ]] || die "rates are whole msgs/s: '$r'"
done

# millis D prints a Go duration (1s, 500ms, 2m, 1m30s) in milliseconds, or
# nothing if it cannot tell; secs D in whole seconds, rounded up.
millis() {
	local d=$1 total=0 n unit
	[[ -n $d ]] || return 0
	while [[ $d =~ ^([0-9]+)(ms|s|m|h)(.*)$ ]]; do
		n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]} d=${BASH_REMATCH[3]}
		case $unit in
		ms) total=$((total + n)) ;;
		s) total=$((total + n * 1000)) ;;
		m) total=$((total + n * 60000)) ;;
		h) total=$((total + n * 3600000)) ;;
		esac
	done
	[[ -z $d ]] && echo "$total"
	return 0
}
secs() { echo $((($(millis "$1") + 999) / 1000)); }
for v in CAP_DURATION WARMUP ${DURATION:+DURATION}; do
	[[ -n $(millis "${!v}") ]] || die "$v must be a duration such as 5s or 300ms"
done

. bench/lib.sh # pin0, pin1, $bin, $pid, stop_server, cpu_ticks, num, ratio, median, field, flag, rotate
if ((${#pin1[@]} == 0)); then log "WARNING: no taskset or fewer than 2 CPUs: the server and the generator share CPUs"; fi

# --- build -------------------------------------------------------------
go build -o "$bin/reactor-load" ./bench/cmd/reactor-load || die "building bench/cmd/reactor-load failed"
(cd bench/peers && go build -o "$bin/" ./cmd/peer-echo ./cmd/benchreport ./cmd/chart) || die "building bench/peers failed"
if [[ " $SERVERS " == *" c-floor "* ]]; then
	if command -v cc >/dev/null; then
		cc -O2 -o "$bin/c-echo" bench/peers/c/echo.c || die "building the C floor failed"
	else
		log "no C compiler (cc): skipping the c-floor server"
		SERVERS=$(echo " $SERVERS " | sed 's/ c-floor / /') SERVERS=${SERVERS# } SERVERS=${SERVERS% }
	fi
fi
raw="$bin/raw"
mkdir -p "$raw"

# --- one run -----------------------------------------------------------
# start_server NAME TLS starts the server (TLS: 1 for -tls) on 127.0.0.1:0
# and sets pid and addr once it prints its listening line.
start_server() {
	local i
	# Emptied here, not by the server's redirection, which happens in the
	# child: until then this loop would read the last server's address.
	: >"$bin/out"
	if [[ $1 == c-floor ]]; then
		"${pin0[@]}" "$bin/c-echo" 0 >"$bin/out" 2>"$bin/err" &
	elif [[ $2 == 1 ]]; then
		GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-echo" -server "$1" -addr 127.0.0.1:0 -tls >"$bin/out" 2>"$bin/err" &
	else
		GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-echo" -server "$1" -addr 127.0.0.1:0 >"$bin/out" 2>"$bin/err" &
	fi
	pid=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$bin/out" | head -n1)
		if [[ -n $addr ]]; then return 0; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "did not start: $(tail -n3 "$bin/err" | tr '\n' ' ')" >"$bin/why"
	stop_server
	return 1
}


# load GRID SERVER JSON TAG SECONDS ARGS... runs the generator against a
# fresh server, writing JSON; a run that leaves none gets a failure note
# named after TAG. SECONDS bounds it, with a minute to spare.
load() {
	local grid=$1 s=$2 json=$3 tag=$4 limit=$(($5 + 60)) tls=0 rc=0
	shift 5
	[[ $grid == tls ]] && tls=1
	if ! start_server "$s" "$tls"; then
		cp "$bin/why" "$raw/fail__${grid}__$tag.txt"
		log "$grid $s ${tag#*__}: server $(cat "$bin/why")"
		return 1
	fi
	local extra=()
	[[ $tls == 1 ]] && extra=(-tls)
	"${pin1[@]}" timeout -k 5 "$limit" "$bin/reactor-load" -addr "$addr" -pid "$pid" -server "$s" -progress 0 \
		-conns "$CONNS" -size "$SIZE" -depth "$DEPTH" -json "$json" "${extra[@]}" "$@" >"$bin/load" 2>&1 || rc=$?
	stop_server
	if [[ ! -s $json ]]; then
		rm -f "$json"
		echo "load generator exited with status $rc: $(grep -v '^ ' "$bin/load" | tail -n3 | tr '\n' ' ')" >"$raw/fail__${grid}__$tag.txt"
		log "$grid $s ${tag#*__}: $(cat "$raw/fail__${grid}__$tag.txt")"
		return 1
	fi
	if [[ $(field "$json" errors) != 0 ]]; then
		log "$grid $s ${tag#*__}: $(field "$json" errors) connection errors: $(grep -m3 'reactor-load:' "$bin/load" | tr '\n' ' ')"
	fi
}

us() { num "$1" 1000 1; } # ns as µs

# --- phase 1: capacity -------------------------------------------------
declare -A cap # cap[GRID,SERVER]: the median msgs/s
echo "# latency.sh: $SIZE B x $CONNS conns, depth $DEPTH; $(date -u +%FT%TZ), nproc $(nproc), $(go env GOVERSION)"
echo "# phase 1: closed-loop capacity, $CAP_ROUNDS round(s) of $CAP_DURATION (+$WARMUP warmup)"
[[ $QUICK == 1 ]] && echo "# QUICK=1: a smoke run; its figures mean nothing"
cap_limit=$(($(secs "$CAP_DURATION") + $(secs "$WARMUP") + 2))
for ((r = 1; r <= CAP_ROUNDS; r++)); do
	for grid in plain tls; do
		list=$SERVERS
		[[ $grid == tls ]] && list=$TLS_SERVERS
		[[ -n $list ]] || continue
		# shellcheck disable=SC2086 # the list's words
		for s in $(rotate $((r - 1)) $list); do
			json="$raw/cap__${grid}__${s}__$r.json"
			load "$grid" "$s" "$json" "${s}__cap__$r" "$cap_limit" -duration "$CAP_DURATION" -warmup "$WARMUP" || continue
			printf '%-5s %-8s round %d  msgs/s %8s  p99 %9s µs  server CPU/msg %7s µs\n' "$grid" "$s" "$r" \
				"$(num "$(field "$json" msgs_per_s)" 1 0)" "$(us "$(field "$json" p99_ns)")" "$(us "$(field "$json" server_cpu_per_msg_ns)")"
		done
	done
done
for grid in plain tls; do
	list=$SERVERS
	[[ $grid == tls ]] && list=$TLS_SERVERS
	for s in $list; do
		vs=()
		for ((r = 1; r <= CAP_ROUNDS; r++)); do
			f="$raw/cap__${grid}__${s}__$r.json"
			[[ -s $f ]] && vs+=("$(field "$f" msgs_per_s)")
		done
		cap[$grid,$s]=$(median "${vs[@]}")
		echo "# capacity $grid $s: $(num "${cap[$grid,$s]:-}" 1 0) msgs/s (median of ${#vs[@]})"
	done
done

# --- phase 2: the rate grids ------------------------------------------
# grid_rates GRID prints the grid's rates: from STEPS fractions of the
# slowest server's capacity, rounded to 3 significant digits; 40% of the
# steps spread from 0.1 to 0.7, the others from 0.8 to 1.2.
grid_rates() {
	local grid=$1 list=$SERVERS low s
	[[ $grid == tls ]] && list=$TLS_SERVERS
	low=$(for s in $list; do echo "${cap[$grid,$s]:-}"; done | awk '$1 != "" && (low == "" || $1 < low) { low = $1 } END { print low }')
	[[ -n $low ]] || return 0
	awk -v low="$low" -v steps="$STEPS" 'BEGIN {
		nlow = int(steps * 0.4); if (nlow < steps * 0.4) nlow++
		nhigh = steps - nlow
		for (i = 0; i < nlow; i++) f[i] = 0.1 + 0.6 * i / (nlow - 1)
		for (i = 0; i < nhigh; i++) f[nlow + i] = 0.8 + 0.4 * i / (nhigh - 1)
		for (i = 0; i < steps; i++) {
			r = f[i] * low
			m = 10 ^ (int(log(r) / log(10)) - 2)
			printf "%d\n", int(r / m + 0.5) * m
		}
	}' | sort -nu | tr '\n' ' '
}

# run_ms RATE prints the measured window of a run at RATE, in ms.
run_ms() {
	if [[ -n $DURATION ]]; then
		millis "$DURATION"
	else
		awk -v r="$1" -v n="$MIN_MSGS" -v d="$MIN_DURATION" 'BEGIN { ms = n * 1000 / r; if (ms < d * 1000) ms = d * 1000; printf "%d", ms + 0.999 }'
	fi
}

declare -A rates
rates[plain]=${RATES:-$( [[ -n $SERVERS ]] && grid_rates plain || true)}
rates[tls]=${TLS_RATES:-$( [[ -n $TLS_SERVERS ]] && grid_rates tls || true)}
warm_ms=$(millis "$WARMUP")
total=0
for grid in plain tls; do
	list=$SERVERS
	[[ $grid == tls ]] && list=$TLS_SERVERS
	n=$(wc -w <<<"$list")
	# A run also starts and stops its server and drains: about a second.
	for rate in ${rates[$grid]}; do total=$((total + n * ($(run_ms "$rate") + warm_ms + 1000))); done
done
echo "# phase 2: open-loop runs; lag limit $LAG_LIMIT; plain rates: ${rates[plain]:-none}; TLS rates: ${rates[tls]:-none}"
echo "# about $((total / 60000 + 1)) minutes to go"

for grid in plain tls; do
	list=$SERVERS
	[[ $grid == tls ]] && list=$TLS_SERVERS
	[[ -n $list && -n ${rates[$grid]} ]] || continue
	k=0
	for rate in ${rates[$grid]}; do
		ms=$(run_ms "$rate")
		o=1
		# shellcheck disable=SC2086 # the list's words
		for s in $(rotate "$k" $list); do
			json="$raw/lat__${grid}__${s}__${rate}__$o.json"
			if load "$grid" "$s" "$json" "${s}__${rate}__$o" $(((ms + 999) / 1000 + $(secs "$WARMUP") + 2)) \
				-rate "$rate" -duration "${ms}ms" -warmup "$WARMUP" -lag-limit "$LAG_LIMIT"; then
				verdict="kept up"
				[[ $(flag "$json" generator_bound) == true ]] && verdict="GENERATOR-BOUND"
				printf '%-5s %-8s rate %7d  achieved %7s  p50 %8s  p99 %9s  p99.9 %9s  max %9s µs  CPU/msg %6s µs  lag p99 %6s µs  %s\n' \
					"$grid" "$s" "$rate" "$(num "$(field "$json" msgs_per_s)" 1 0)" "$(us "$(field "$json" p50_ns)")" \
					"$(us "$(field "$json" p99_ns)")" "$(us "$(field "$json" p999_ns)")" "$(us "$(field "$json" max_ns)")" \
					"$(us "$(field "$json" server_cpu_per_msg_ns)")" "$(us "$(field "$json" lag_p99_ns)")" "$verdict"
			fi
			o=$((o + 1))
		done
		k=$((k + 1))
	done
done

# --- the report --------------------------------------------------------
grids=""
[[ -n $SERVERS ]] && grids+="plain:${SERVERS// /,};"
[[ -n $TLS_SERVERS ]] && grids+="tls:${TLS_SERVERS// /,};"
mkdir -p "$OUT"
"$bin/benchreport" -latency -raw "$raw" -out "$OUT" -grids "${grids%;}" -conns "$CONNS" -size "$SIZE" -depth "$DEPTH" \
	-command "$CMDLINE"
"$bin/chart" -latency -in "$OUT/latency.json" -out "$OUT" || log "no chart: no open-loop run left a result"
bound=$(grep -l '"generator_bound": true' "$raw"/lat__*.json 2>/dev/null | wc -l || true)
echo "# $bound generator-bound run(s); wrote $OUT/latency.json and $OUT/latency.md"
