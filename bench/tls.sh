#!/usr/bin/env bash
# tls.sh: echo servers over TLS, taking turns as in ab.sh (A, B, C, A, B,
# C, ...) so that a shared machine's drift falls on every server alike, on
# four measures:
#
#   pingpong   64 B messages, 50 connections, one in flight each
#   bulk       64 KiB messages, 10 connections, one in flight each
#   handshakes full handshakes per second: HS_CONNS workers each dial,
#              handshake, echo 64 B and close, over and over, no resumption
#   idle       the server's RSS per connection with IDLE idle TLS
#              connections open, every handshake done and one byte echoed
#
#   bash bench/tls.sh
#   RUNS=1 DURATION=1s IDLE=1000 bash bench/tls.sh     # a quick look
#
# Knobs (environment): SERVERS (names peer-echo serves TLS with: reactor
# net nbio), RUNS (5), DURATION (5s), WARMUP (1s), IDLE (10000), HS_CONNS
# (16), MEASURES (pingpong bulk handshakes idle), TLS_VERSION (1.3, or
# 1.2), TLS_GROUP (x25519, p256 or x25519mlkem768).
#
# Each run: a fresh server with a self-signed ECDSA P-256 certificate,
# pinned to CPU 0 with GOMAXPROCS=1; the load generator (crypto/tls
# clients, see bench/load) pinned to CPU 1. It prints one line per run,
# after each round the ratios of reactor to each other server in that
# round, and at the end the per-round ratios and the medians, ready for
# bench/results/tls.md. Servers are stopped by their PID; every load is
# bounded in time, and all traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${SERVERS:-"reactor net nbio"}
RUNS=${RUNS:-5} DURATION=${DURATION:-5s} WARMUP=${WARMUP:-1s}
IDLE=${IDLE:-10000} HS_CONNS=${HS_CONNS:-16}
MEASURES=${MEASURES:-"pingpong bulk handshakes idle"}
TLS_VERSION=${TLS_VERSION:-1.3} TLS_GROUP=${TLS_GROUP:-x25519}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

die() { echo "tls.sh: $*" >&2; exit 1; }
for s in $SERVERS; do
	[[ " reactor net nbio " == *" $s "* ]] || die "unknown server '$s' (choose from: reactor net nbio)"
done
for m in $MEASURES; do
	[[ " pingpong bulk handshakes idle " == *" $m "* ]] || die "unknown measure '$m' (choose from: pingpong bulk handshakes idle)"
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ "$IDLE" =~ ^[1-9][0-9]*$ ]] || die "IDLE must be a positive number"
[[ "$HS_CONNS" =~ ^[1-9][0-9]*$ ]] || die "HS_CONNS must be a positive number"

# The idle runs hold IDLE connections in each process, and a few more fds.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ " $MEASURES " == *" idle "* ]] && (($(ulimit -n) < IDLE + 100)); then
	die "IDLE=$IDLE needs more file descriptors than ulimit -n allows ($(ulimit -n))"
fi
# The handshake runs close from the client's side, leaving its ports in
# TIME-WAIT; they are reused on loopback only if tcp_tw_reuse allows it.
if [[ " $MEASURES " == *" handshakes "* && $(cat /proc/sys/net/ipv4/tcp_tw_reuse 2>/dev/null || echo 2) == 0 ]]; then
	echo "tls.sh: warning: net.ipv4.tcp_tw_reuse is 0: the handshake runs may run out of ports" >&2
fi

. bench/lib.sh # pin0, pin1, $bin, $pid, stop_server, cpu_ticks, num, ratio, median, field, flag, rotate
go build -o "$bin/reactor-load" ./bench/cmd/reactor-load
(cd bench/peers && go build -o "$bin/peer-echo" ./cmd/peer-echo)

# start_server NAME starts the TLS server on 127.0.0.1:0 and sets pid and
# addr once it prints its listening line.
start_server() {
	local i
	: >"$bin/out" # the wait below must not read the last server's line
	GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-echo" -server "$1" -addr 127.0.0.1:0 -tls >"$bin/out" 2>"$bin/err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$bin/out" | head -n1)
		if [[ -n $addr ]]; then return 0; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "tls.sh: $1 did not start: $(tail -n3 "$bin/err" | tr '\n' ' ')" >&2
	stop_server
	return 1
}


# secs D prints a duration such as 5s, 1500ms or 2m in whole seconds,
# rounded up, or 600 if it cannot tell.
secs() {
	if [[ $1 =~ ^([0-9]+)(ms|s|m)$ ]]; then
		case ${BASH_REMATCH[2]} in
		ms) echo $(((BASH_REMATCH[1] + 999) / 1000)) ;;
		s) echo "${BASH_REMATCH[1]}" ;;
		m) echo $((BASH_REMATCH[1] * 60)) ;;
		esac
	else
		echo 600
	fi
}
# Every load is bounded: its warmup and window, and a minute to spare; an
# idle run by a minute and a second for each 50 connections.
RUN_LIMIT=$(($(secs "$DURATION") + $(secs "$WARMUP") + 60))
IDLE_LIMIT=$((60 + IDLE / 50))


declare -A val     # val[measure,figure,server,run]: the figures of every run
declare -A tlsinfo # what each server negotiated

# figures M prints the figures of measure M, each as name:JSON-field.
figures() {
	case $1 in
	pingpong) echo "cpu:server_cpu_per_msg_ns rate:msgs_per_s" ;;
	bulk) echo "cpu:server_cpu_per_msg_ns rate:msgs_per_s mbps:mb_per_s" ;;
	handshakes) echo "cpu:server_cpu_per_handshake_ns rate:handshakes_per_s" ;;
	idle) echo "rss:rss_per_conn_bytes" ;;
	esac
}

# label M F prints figure F of measure M as short|long name|divisor|
# decimals|unit, for printing.
label() {
	case $1:$2 in
	handshakes:cpu) echo "CPU/handshake|server CPU per handshake (µs)|1000|1|µs" ;;
	*:cpu) echo "CPU/msg|server CPU per msg (µs)|1000|2|µs" ;;
	handshakes:rate) echo "handshakes/s|handshakes/s|1|0|" ;;
	*:rate) echo "msgs/s|msgs/s|1|0|" ;;
	*:mbps) echo "MB/s|MB/s each way|1|2|" ;;
	*:rss) echo "RSS/conn|RSS per connection (B)|1|0|B" ;;
	esac
}

get() { echo "${val[$1,$2,$3,$4]:-}"; }




# measure M SERVER RUN runs measure M against a fresh server and keeps its
# figures.
measure() {
	local m=$1 s=$2 r=$3 args=() limit=$RUN_LIMIT f
	case $m in
	pingpong) args=(-conns 50 -size 64) ;;
	bulk) args=(-conns 10 -size 65536) ;;
	handshakes) args=(-handshakes -conns "$HS_CONNS" -size 64) ;;
	idle) args=(-idle "$IDLE") limit=$IDLE_LIMIT ;;
	esac
	[[ $m == idle ]] || args+=(-duration "$DURATION" -warmup "$WARMUP")
	start_server "$s" || return 0
	rm -f "$bin/json"
	"${pin1[@]}" timeout -k 5 "$limit" "$bin/reactor-load" -addr "$addr" -pid "$pid" -server "$s" -progress 0 \
		-tls -tls-version "$TLS_VERSION" -tls-group "$TLS_GROUP" -json "$bin/json" "${args[@]}" >"$bin/load" 2>&1 || true
	stop_server
	if [[ ! -s $bin/json ]]; then
		echo "tls.sh: $m $s run $r failed: $(tail -n3 "$bin/load" | tr '\n' ' ')" >&2
		return 0
	fi
	if [[ $(field "$bin/json" errors) != 0 ]]; then
		echo "tls.sh: $m $s run $r: $(field "$bin/json" errors) errors: $(grep -m3 'reactor-load:' "$bin/load" | tr '\n' ' ')" >&2
	fi
	for f in $(figures "$m"); do
		val[$m,${f%%:*},$s,$r]=$(field "$bin/json" "${f#*:}")
	done
	[[ -n ${tlsinfo[$s]:-} ]] || tlsinfo[$s]=$(sed -n 's/^ *"tls": "\(.*\)",\{0,1\}$/\1/p' "$bin/json" | head -n1)
}

# show M SERVER RUN prints the run's line.
show() {
	local m=$1 s=$2 r=$3 f line short long div digits unit
	line=$(printf '%-10s %-8s run %d ' "$m" "$s" "$r")
	for f in $(figures "$m"); do
		IFS='|' read -r short long div digits unit <<<"$(label "$m" "${f%%:*}")"
		line+=" $short $(num "$(get "$m" "${f%%:*}" "$s" "$r")" "$div" "$digits")${unit:+ $unit} "
	done
	echo "${line% }"
}

# The ratios compare reactor with each other server.
others=""
if [[ " $SERVERS " == *" reactor "* ]]; then
	for s in $SERVERS; do [[ $s == reactor ]] || others+="$s "; done
fi

# ratios M O R prints reactor/O in round R for each figure of measure M
# but MB/s, which goes with msgs/s.
ratios() {
	local m=$1 o=$2 r=$3 f out=""
	for f in $(figures "$m"); do
		f=${f%%:*}
		[[ $f != mbps ]] || continue
		out+=" $(label "$m" "$f" | cut -d'|' -f1) $(ratio "$(get "$m" "$f" reactor "$r")" "$(get "$m" "$f" "$o" "$r")"),"
	done
	echo "${out%,}"
}

desc=""
for m in $MEASURES; do
	case $m in
	pingpong) desc+="pingpong 64 B x 50 conns, " ;;
	bulk) desc+="bulk 64 KiB x 10 conns, " ;;
	handshakes) desc+="handshakes x $HS_CONNS workers (full, no resumption), " ;;
	idle) desc+="idle $IDLE conns, " ;;
	esac
done
echo "# tls.sh: TLS $TLS_VERSION, group $TLS_GROUP, self-signed ECDSA P-256; ${desc%, }; $RUNS run(s) of $DURATION" \
	"(+$WARMUP warmup); $(date -u +%FT%TZ), nproc $(nproc), $(go env GOVERSION)"
for ((r = 1; r <= RUNS; r++)); do
	for m in $MEASURES; do
		for s in $SERVERS; do
			measure "$m" "$s" "$r"
			show "$m" "$s" "$r"
		done
	done
	for o in $others; do
		line="round $r reactor/$o:"
		for m in $MEASURES; do line+=" $m$(ratios "$m" "$o" "$r");"; done
		echo "${line%;}"
	done
done

echo
for s in $SERVERS; do echo "# negotiated with $s: ${tlsinfo[$s]:-?}"; done
if [[ -n $others ]]; then
	echo
	echo "## Per-round ratios, reactor / other in the same round (CPU, RSS: below 1 favours reactor; rates: above 1)"
	echo
	echo '```'
	for m in $MEASURES; do
		for f in $(figures "$m"); do
			f=${f%%:*}
			[[ $f != mbps ]] || continue
			line=$(printf '%-10s %-13s' "$m" "$(label "$m" "$f" | cut -d'|' -f1)")
			for o in $others; do
				rs=()
				for ((r = 1; r <= RUNS; r++)); do rs+=("$(ratio "$(get "$m" "$f" reactor "$r")" "$(get "$m" "$f" "$o" "$r")")"); done
				line+=" reactor/$o ${rs[*]} (median $(num "$(median "${rs[@]}")" 1 2));"
			done
			echo "${line%;}"
		done
	done
	echo '```'
fi
echo
echo "## Medians of $RUNS run(s)"
echo
header="| measure | figure |" rule="|---|---|"
for s in $SERVERS; do header+=" $s |" rule+="---:|"; done
echo "$header"
echo "$rule"
for m in $MEASURES; do
	for f in $(figures "$m"); do
		f=${f%%:*}
		IFS='|' read -r _ name div digits _ <<<"$(label "$m" "$f")"
		row="| $m | $name |"
		for s in $SERVERS; do
			vs=()
			for ((r = 1; r <= RUNS; r++)); do vs+=("$(get "$m" "$f" "$s" "$r")"); done
			row+=" $(num "$(median "${vs[@]}")" "$div" "$digits") |"
		done
		echo "$row"
	done
done
