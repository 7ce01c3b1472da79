#!/usr/bin/env bash
# ws.sh: WebSocket echo servers taking turns, as in tls.sh, on four
# measures:
#
#   pingpong   64 B binary messages, 50 connections, one in flight each
#   bulk       64 KiB binary messages, 10 connections, one in flight each
#   idle       the server's RSS per connection with IDLE idle WebSocket
#              connections open, each upgraded and one 1-byte message echoed
#   idle-wss   the same over wss (TLS 1.3, X25519, the servers' self-signed
#              ECDSA P-256 certificates)
#
#   bash bench/ws.sh              # about 8 minutes on a quiet 2-CPU machine
#   QUICK=1 bash bench/ws.sh      # a smoke run of a minute, into /tmp/ws-quick
#
# The servers are bench/peers' peer-ws: reactor (proto/websocket's
# Upgrader on proto/http1, one loop), nbio (nbhttp non-blocking, its
# websocket Upgrader) and gorilla (gorilla/websocket on net/http, a
# goroutine per connection); see its doc comment for how each is set up.
# The client is the load generator (bench/cmd/reactor-load -ws): one
# reactor loop drives every connection, masks every frame and checks every
# echoed byte; with -tls its connections are the loop's TLS ones.
#
# Each round runs every measure against every server, a fresh server for
# each run, the order of the servers rotating from round to round so that
# none always goes first. Each run: the server pinned to CPU 0 with
# GOMAXPROCS=1, the generator pinned to CPU 1. Servers are stopped by
# their PID; every load is bounded in time (timeout); all traffic stays on
# 127.0.0.1.
#
# Knobs (environment):
#   SERVERS (reactor nbio gorilla)   RUNS (5)   DURATION (5s)   WARMUP (1s)
#   IDLE (10000)  idle connections: the generator holds IDLE fds and the
#                 server as many, under the per-process limit (ulimit -Hn)
#   MEASURES (pingpong bulk idle idle-wss); also pingpong-wss, bulk-wss
#   OUT (bench/results)  where ws.md goes
#   QUICK=1       a smoke run: RUNS=1 DURATION=1s WARMUP=300ms IDLE=1000,
#                 OUT /tmp/ws-quick, unless set; its figures mean nothing
#
# It writes OUT/ws.md: the command at the top, each run's figures, the
# per-round ratios of reactor to each other server (CPU per message,
# msgs/s, RSS per idle connection) with their medians, the medians of each
# server's figures, and the targets of issue 25 against the median ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

# The command as typed, for the report: the knobs that were set, then this script.
CMDLINE=""
for v in QUICK SERVERS RUNS DURATION WARMUP IDLE MEASURES OUT; do
	if [[ -n ${!v+x} ]]; then printf -v q %q "${!v}"; CMDLINE+="$v=$q "; fi
done
CMDLINE+="bash bench/ws.sh"

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	RUNS=${RUNS:-1} DURATION=${DURATION:-1s} WARMUP=${WARMUP:-300ms} IDLE=${IDLE:-1000}
	OUT=${OUT:-${TMPDIR:-/tmp}/ws-quick}
fi
SERVERS=${SERVERS:-"reactor nbio gorilla"}
RUNS=${RUNS:-5} DURATION=${DURATION:-5s} WARMUP=${WARMUP:-1s} IDLE=${IDLE:-10000}
MEASURES=${MEASURES:-"pingpong bulk idle idle-wss"}
OUT=${OUT:-bench/results}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

log() { printf '%s\n' "ws.sh: $*" >&2; }
die() { log "$*"; exit 1; }

for s in $SERVERS; do
	[[ " reactor nbio gorilla " == *" $s "* ]] || die "unknown server '$s' (choose from: reactor nbio gorilla)"
done
for m in $MEASURES; do
	[[ " pingpong bulk idle idle-wss pingpong-wss bulk-wss " == *" $m "* ]] ||
		die "unknown measure '$m' (choose from: pingpong bulk idle idle-wss pingpong-wss bulk-wss)"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ $IDLE =~ ^[1-9][0-9]*$ ]] || die "IDLE must be a positive number"

# secs D prints a duration such as 5s, 300ms or 2m in whole seconds,
# rounded up, or nothing if it cannot tell.
secs() {
	if [[ $1 =~ ^([0-9]+)(ms|s|m)$ ]]; then
		case ${BASH_REMATCH[2]} in
		ms) echo $(((BASH_REMATCH[1] + 999) / 1000)) ;;
		s) echo "${BASH_REMATCH[1]}" ;;
		m) echo $((BASH_REMATCH[1] * 60)) ;;
		esac
	fi
}
for v in DURATION WARMUP; do
	[[ -n $(secs "${!v}") ]] || die "$v must be a duration such as 5s or 300ms"
done

# The idle runs hold IDLE connections in each process, and a few more fds.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ " $MEASURES " == *" idle"* ]] && (($(ulimit -n) < IDLE + 100)); then
	die "IDLE=$IDLE needs more file descriptors than ulimit -n allows ($(ulimit -n))"
fi

. bench/lib.sh # pin0, pin1, $bin, $pid, stop_server, cpu_ticks, num, ratio, median, field, flag, rotate
if ((${#pin1[@]} == 0)); then log "WARNING: no taskset or fewer than 2 CPUs: the server and the generator share CPUs"; fi

# --- build -------------------------------------------------------------
go build -o "$bin/reactor-load" ./bench/cmd/reactor-load || die "building bench/cmd/reactor-load failed"
(cd bench/peers && go build -o "$bin/peer-ws" ./cmd/peer-ws) || die "building bench/peers/cmd/peer-ws failed"

# --- one run -----------------------------------------------------------
# start_server NAME TLS starts the server (TLS: 1 for wss) on 127.0.0.1:0
# and sets pid and addr once it prints its listening line.
start_server() {
	local i tls=()
	[[ $2 == 1 ]] && tls=(-tls)
	# Emptied here, not by the server's redirection, which happens in the
	# child: until then this loop would read the last server's address.
	: >"$bin/out"
	GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-ws" -server "$1" -addr 127.0.0.1:0 "${tls[@]}" >"$bin/out" 2>"$bin/err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$bin/out" | head -n1)
		if [[ -n $addr ]]; then return 0; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	log "$1 did not start: $(tail -n3 "$bin/err" | tr '\n' ' ')"
	stop_server
	return 1
}

# Every load is bounded: its warmup and window, and a minute to spare; an
# idle run by a minute and a second for each 50 connections (20 over wss).
RUN_LIMIT=$(($(secs "$DURATION") + $(secs "$WARMUP") + 60))
IDLE_LIMIT=$((60 + IDLE / 50))
IDLE_WSS_LIMIT=$((60 + IDLE / 20))


declare -A val # val[measure,figure,server,round]: the figures of every run

# figures M prints the figures of measure M, each as name:JSON-field.
figures() {
	case $1 in
	pingpong*) echo "cpu:server_cpu_per_msg_ns rate:msgs_per_s p99:p99_ns" ;;
	bulk*) echo "cpu:server_cpu_per_msg_ns rate:msgs_per_s mbps:mb_per_s" ;;
	idle*) echo "rss:rss_per_conn_bytes" ;;
	esac
}

# label F prints figure F as short|long name|divisor|decimals|unit.
label() {
	case $1 in
	cpu) echo "CPU/msg|server CPU per msg (µs)|1000|2|µs" ;;
	rate) echo "msgs/s|msgs/s|1|0|" ;;
	p99) echo "p99|p99 latency (µs)|1000|0|µs" ;;
	mbps) echo "MB/s|MB/s each way (payload)|1|1|" ;;
	rss) echo "RSS/conn|RSS per idle connection (B)|1|0|B" ;;
	esac
}

# compared F says whether figure F gets per-round ratios.
compared() { [[ $1 == cpu || $1 == rate || $1 == rss ]]; }

get() { echo "${val[$1,$2,$3,$4]:-}"; }

# measure M SERVER ROUND runs measure M against a fresh server and keeps
# its figures.
measure() {
	local m=$1 s=$2 r=$3 args=(-ws) limit=$RUN_LIMIT tls=0 f
	case $m in
	*-wss) tls=1 args+=(-tls) ;;
	esac
	case $m in
	pingpong*) args+=(-conns 50 -size 64 -depth 1 -duration "$DURATION" -warmup "$WARMUP") ;;
	bulk*) args+=(-conns 10 -size 65536 -depth 1 -duration "$DURATION" -warmup "$WARMUP") ;;
	idle) args+=(-idle "$IDLE") limit=$IDLE_LIMIT ;;
	idle-wss) args+=(-idle "$IDLE") limit=$IDLE_WSS_LIMIT ;;
	esac
	start_server "$s" "$tls" || return 0
	rm -f "$bin/json"
	"${pin1[@]}" timeout -k 5 "$limit" "$bin/reactor-load" -addr "$addr" -pid "$pid" -server "$s" -progress 0 \
		-json "$bin/json" "${args[@]}" >"$bin/load" 2>&1 || true
	stop_server
	if [[ ! -s $bin/json ]]; then
		log "$m $s round $r failed: $(grep -v '^ ' "$bin/load" | tail -n3 | tr '\n' ' ')"
		return 0
	fi
	if [[ $(field "$bin/json" errors) != 0 ]]; then
		log "$m $s round $r: $(field "$bin/json" errors) errors: $(grep -m3 'reactor-load:' "$bin/load" | tr '\n' ' ')"
	fi
	if [[ $m == idle* && $(field "$bin/json" idle_conns) != "$IDLE" ]]; then
		log "$m $s round $r: $(field "$bin/json" idle_conns) of $IDLE connections were open when the RSS was read"
	fi
	for f in $(figures "$m"); do
		val[$m,${f%%:*},$s,$r]=$(field "$bin/json" "${f#*:}")
	done
}

# show M SERVER ROUND prints the run's line.
show() {
	local m=$1 s=$2 r=$3 f short long div digits unit line
	line=$(printf '%-12s %-8s round %d ' "$m" "$s" "$r")
	for f in $(figures "$m"); do
		f=${f%%:*}
		IFS='|' read -r short long div digits unit <<<"$(label "$f")"
		line+=" $short $(num "$(get "$m" "$f" "$s" "$r")" "$div" "$digits")${unit:+ $unit} "
	done
	echo "${line% }"
}

# The ratios compare reactor with each other server.
others=""
if [[ " $SERVERS " == *" reactor "* ]]; then
	for s in $SERVERS; do [[ $s == reactor ]] || others+="$s "; done
fi

# ratios M O prints, for each compared figure of measure M, reactor/O in
# every round and their median, as "figure r1 r2 ... (median x)".
ratios() {
	local m=$1 o=$2 f r rs
	for f in $(figures "$m"); do
		f=${f%%:*}
		compared "$f" || continue
		rs=()
		for ((r = 1; r <= RUNS; r++)); do rs+=("$(ratio "$(get "$m" "$f" reactor "$r")" "$(get "$m" "$f" "$o" "$r")")"); done
		printf '%-12s %-9s reactor/%-8s %s (median %s)\n' "$m" "$(label "$f" | cut -d'|' -f1)" "$o" "${rs[*]}" \
			"$(num "$(median "${rs[@]}")" 1 2)"
	done
}

# median_ratio M F O prints the median over the rounds of reactor/O for
# figure F of measure M, or nothing.
median_ratio() {
	local r rs=()
	for ((r = 1; r <= RUNS; r++)); do rs+=("$(ratio "$(get "$1" "$2" reactor "$r")" "$(get "$1" "$2" "$3" "$r")")"); done
	median "${rs[@]}"
}

# --- the rounds --------------------------------------------------------
mkdir -p "$OUT"
runs="$bin/runs"
: >"$runs"
echo "# ws.sh: $SERVERS; $MEASURES; $RUNS round(s) of $DURATION (+$WARMUP warmup), idle $IDLE; $(date -u +%FT%TZ), nproc $(nproc), $(go env GOVERSION)"
[[ $QUICK == 1 ]] && echo "# QUICK=1: a smoke run; its figures mean nothing"
for ((r = 1; r <= RUNS; r++)); do
	order=$(rotate $((r - 1)) $SERVERS)
	for m in $MEASURES; do
		for s in $order; do
			measure "$m" "$s" "$r"
			show "$m" "$s" "$r" | tee -a "$runs"
		done
	done
	for o in $others; do
		line="round $r reactor/$o:"
		for m in $MEASURES; do
			for f in $(figures "$m"); do
				f=${f%%:*}
				compared "$f" || continue
				line+=" $m $(label "$f" | cut -d'|' -f1) $(ratio "$(get "$m" "$f" reactor "$r")" "$(get "$m" "$f" "$o" "$r")"),"
			done
		done
		echo "${line%,}"
	done
done

# --- the report --------------------------------------------------------
versions=$(sed -n 's/^[[:space:]]*\(github.com\/\(lesismal\/nbio\|gorilla\/websocket\)\) \(v[^ ]*\).*/\1 \3/p' bench/peers/go.mod | tr '\n' ';' | sed 's/;/; /g')
{
	echo "# WebSocket echo: reactor, nbio, gorilla"
	echo
	echo "Printed by \`$CMDLINE\`, $(date -u '+%F %H:%M UTC'), nproc $(nproc), $(go env GOVERSION); ${versions%; }."
	[[ $QUICK == 1 ]] && echo "QUICK=1: a smoke run; its figures mean nothing."
	echo
	echo "Each server is bench/peers' peer-ws, pinned to CPU 0 with GOMAXPROCS=1; the load generator"
	echo "(reactor-load -ws, one reactor loop) is pinned to CPU 1. $RUNS round(s); in each, every measure"
	echo "against every server, a fresh server per run, the servers' order rotating by round. pingpong:"
	echo "64 B binary messages, 50 connections, one in flight each; bulk: 64 KiB, 10 connections;"
	echo "idle: $IDLE connections upgraded, one 1-byte message echoed on each, the server's RSS"
	echo "(VmRSS) before and after; idle-wss: the same over TLS 1.3. Windows of $DURATION after $WARMUP of warmup."
	echo
	echo "## Runs"
	echo
	echo '```'
	cat "$runs"
	echo '```'
	if [[ -n $others ]]; then
		echo
		echo "## Per-round ratios, reactor / other in the same round"
		echo
		echo "CPU per message and RSS per connection: below 1 favours reactor; msgs/s: above 1 does."
		echo
		echo '```'
		for m in $MEASURES; do
			for o in $others; do ratios "$m" "$o"; done
		done
		echo '```'
	fi
	echo
	echo "## Medians of $RUNS round(s)"
	echo
	header="| measure | figure |" rule="|---|---|"
	for s in $SERVERS; do header+=" $s |" rule+="---:|"; done
	echo "$header"
	echo "$rule"
	for m in $MEASURES; do
		for f in $(figures "$m"); do
			f=${f%%:*}
			IFS='|' read -r _ name div digits _ <<<"$(label "$f")"
			row="| $m | $name |"
			for s in $SERVERS; do
				vs=()
				for ((r = 1; r <= RUNS; r++)); do vs+=("$(get "$m" "$f" "$s" "$r")"); done
				row+=" $(num "$(median "${vs[@]}")" "$div" "$digits") |"
			done
			echo "$row"
		done
	done
	if [[ -n $others ]]; then
		echo
		echo "## Targets (issue 25), on the medians of the per-round ratios"
		echo
		echo "| target | median ratio | met |"
		echo "|---|---:|---|"
		for t in "pingpong cpu nbio 0.7" "pingpong cpu gorilla 0.9" "bulk cpu nbio 0.7" "bulk cpu gorilla 0.9" \
			"idle rss nbio 0.5" "idle-wss rss nbio 0.5"; do
			read -r m f o limit <<<"$t"
			[[ " $MEASURES " == *" $m "* && " $others " == *" $o "* ]] || continue
			mr=$(median_ratio "$m" "$f" "$o")
			met="-"
			[[ -n $mr ]] && met=$(awk -v a="$mr" -v b="$limit" 'BEGIN { print (a <= b) ? "yes" : "no" }')
			note=""
			[[ $m == idle-wss ]] && note=" (the issue states it for ws; wss alike, for comparison)"
			echo "| $m: $(label "$f" | cut -d'|' -f2 | sed 's/ (.*)//'), reactor ≤ $limit × $o$note | $(num "$mr" 1 2) | $met |"
		done
	fi
} >"$OUT/ws.md"
echo
echo "# wrote $OUT/ws.md"
