#!/usr/bin/env bash
# udp.sh: UDP echo servers, taking turns as in ab.sh and tls.sh (A, B, C,
# A, B, C, ...) so that a shared machine's drift falls on every server
# alike. The load: CONNS client sockets, each a connected UDP socket with a
# goroutine of its own, each keeping DEPTH datagrams of SIZE bytes in
# flight; a datagram without its echo after LOSS_TIMEOUT counts as lost and
# is replaced (see bench/load/udp.go).
#
#   bash bench/udp.sh
#   RUNS=1 DURATION=1s bash bench/udp.sh     # a quick look
#
# Knobs (environment): SERVERS (names peer-echo serves UDP with: reactor
# net gnet), RUNS (5), DURATION (5s), WARMUP (1s), CONNS (50), SIZE (64),
# DEPTH (1), LOSS_TIMEOUT (200ms).
#
# Each run: a fresh server pinned to CPU 0 with GOMAXPROCS=1, the load
# generator pinned to CPU 1. It prints one line per run (server CPU per
# datagram echoed, datagrams/s, datagrams lost in the window; for reactor
# also the datagrams each receive and each send system call moved, from
# the counters the server prints as it stops), after each round the ratios
# of reactor to each other server in that round, and at the end the
# per-round ratios, the medians and reactor's batching over all runs,
# ready for bench/results/udp.md. The batching counts cover the server's
# whole life, warmup and drain included. Servers are stopped by their PID;
# every load is bounded in time, and all traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${SERVERS:-"reactor net gnet"}
RUNS=${RUNS:-5} DURATION=${DURATION:-5s} WARMUP=${WARMUP:-1s}
CONNS=${CONNS:-50} SIZE=${SIZE:-64} DEPTH=${DEPTH:-1} LOSS_TIMEOUT=${LOSS_TIMEOUT:-200ms}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

die() { echo "udp.sh: $*" >&2; exit 1; }
for s in $SERVERS; do
	[[ " reactor net gnet " == *" $s "* ]] || die "unknown server '$s' (choose from: reactor net gnet)"
done
for k in RUNS CONNS SIZE DEPTH; do
	[[ "${!k}" =~ ^[1-9][0-9]*$ ]] || die "$k must be a positive number"
done

. bench/lib.sh # pin0, pin1, $bin, $pid, stop_server, cpu_ticks, num, ratio, median, field, flag, rotate
go build -o "$bin/reactor-load" ./bench/cmd/reactor-load
(cd bench/peers && go build -o "$bin/peer-echo" ./cmd/peer-echo)

# start_server NAME starts the UDP server on 127.0.0.1:0 and sets pid and
# addr once it prints its listening line.
start_server() {
	local i
	: >"$bin/out" # the wait below must not read the last server's line
	GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-echo" -server "$1" -addr 127.0.0.1:0 -network udp >"$bin/out" 2>"$bin/err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$bin/out" | head -n1)
		if [[ -n $addr ]]; then return 0; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "udp.sh: $1 did not start: $(tail -n3 "$bin/err" | tr '\n' ' ')" >&2
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
# Every load is bounded: its warmup and window, and a minute to spare.
RUN_LIMIT=$(($(secs "$DURATION") + $(secs "$WARMUP") + 60))


# counter NAME prints a counter of the line peer-echo's reactor server
# writes as it stops ("packet stats: packets_in=N ..."), or nothing.
counter() { sed -n 's/^packet stats:.* '"$1"'=\([0-9][0-9]*\).*$/\1/p' "$bin/out" | head -n1; }

declare -A val # val[figure,server,run]: the figures of every run
# The figures, each as name:JSON-field; then reactor's counters.
FIGURES="cpu:server_cpu_per_datagram_ns rate:datagrams_per_s lost:lost"
COUNTERS="packets_in packets_out packet_reads packet_writes"

# label F prints figure F as short|long name|divisor|decimals|unit.
label() {
	case $1 in
	cpu) echo "CPU/datagram|server CPU per datagram (µs)|1000|2|µs" ;;
	rate) echo "datagrams/s|datagrams/s|1|0|" ;;
	lost) echo "lost|datagrams lost in the window|1|0|" ;;
	esac
}

get() { echo "${val[$1,$2,$3]:-}"; }




# measure SERVER RUN runs the load against a fresh server and keeps its
# figures, and for reactor its counters.
measure() {
	local s=$1 r=$2 f c
	start_server "$s" || return 0
	rm -f "$bin/json"
	"${pin1[@]}" timeout -k 5 "$RUN_LIMIT" "$bin/reactor-load" -udp -addr "$addr" -pid "$pid" -server "$s" -progress 0 \
		-conns "$CONNS" -size "$SIZE" -depth "$DEPTH" -loss-timeout "$LOSS_TIMEOUT" \
		-duration "$DURATION" -warmup "$WARMUP" -json "$bin/json" >"$bin/load" 2>&1 || true
	stop_server
	if [[ $s == reactor ]]; then
		for c in $COUNTERS; do val[$c,$s,$r]=$(counter "$c"); done
		[[ -n ${val[packet_reads,$s,$r]} ]] || echo "udp.sh: reactor run $r printed no packet stats" >&2
	fi
	if [[ ! -s $bin/json ]]; then
		echo "udp.sh: $s run $r failed: $(tail -n3 "$bin/load" | tr '\n' ' ')" >&2
		return 0
	fi
	if [[ $(field "$bin/json" errors) != 0 ]]; then
		echo "udp.sh: $s run $r: $(field "$bin/json" errors) errors: $(grep -m3 'reactor-load:' "$bin/load" | tr '\n' ' ')" >&2
	fi
	for f in $FIGURES; do
		val[${f%%:*},$s,$r]=$(field "$bin/json" "${f#*:}")
	done
}

# show SERVER RUN prints the run's line.
show() {
	local s=$1 r=$2 f line short long div digits unit
	line=$(printf '%-8s run %d ' "$s" "$r")
	for f in $FIGURES; do
		IFS='|' read -r short long div digits unit <<<"$(label "${f%%:*}")"
		line+=" $short $(num "$(get "${f%%:*}" "$s" "$r")" "$div" "$digits")${unit:+ $unit} "
	done
	if [[ $s == reactor ]]; then
		line+=" per receive call $(ratio "$(get packets_in "$s" "$r")" "$(get packet_reads "$s" "$r")") "
		line+=" per send call $(ratio "$(get packets_out "$s" "$r")" "$(get packet_writes "$s" "$r")") "
	fi
	echo "${line% }"
}

# The ratios compare reactor with each other server, on CPU and rate.
others=""
if [[ " $SERVERS " == *" reactor "* ]]; then
	for s in $SERVERS; do [[ $s == reactor ]] || others+="$s "; done
fi
RATIOS="cpu rate"

echo "# udp.sh: $SIZE B datagrams x $CONNS sockets, depth $DEPTH, lost after $LOSS_TIMEOUT without an echo;" \
	"$RUNS run(s) of $DURATION (+$WARMUP warmup); $(date -u +%FT%TZ), nproc $(nproc), $(go env GOVERSION)"
for ((r = 1; r <= RUNS; r++)); do
	for s in $SERVERS; do
		measure "$s" "$r"
		show "$s" "$r"
	done
	if [[ -n $others ]]; then
		line="round $r"
		for o in $others; do
			line+=" reactor/$o:"
			for f in $RATIOS; do
				line+=" $(label "$f" | cut -d'|' -f1) $(ratio "$(get "$f" reactor "$r")" "$(get "$f" "$o" "$r")"),"
			done
			line="${line%,};"
		done
		echo "${line%;}"
	fi
done

if [[ -n $others ]]; then
	echo
	echo "## Per-round ratios, reactor / other in the same round (CPU: below 1 favours reactor; datagrams/s: above 1)"
	echo
	echo '```'
	for f in $RATIOS; do
		line=$(printf '%-13s' "$(label "$f" | cut -d'|' -f1)")
		for o in $others; do
			rs=()
			for ((r = 1; r <= RUNS; r++)); do rs+=("$(ratio "$(get "$f" reactor "$r")" "$(get "$f" "$o" "$r")")"); done
			line+=" reactor/$o ${rs[*]} (median $(num "$(median "${rs[@]}")" 1 2));"
		done
		echo "${line%;}"
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
for f in $FIGURES; do
	f=${f%%:*}
	IFS='|' read -r _ name div digits _ <<<"$(label "$f")"
	row="| $name |"
	for s in $SERVERS; do
		vs=()
		for ((r = 1; r <= RUNS; r++)); do vs+=("$(get "$f" "$s" "$r")"); done
		row+=" $(num "$(median "${vs[@]}")" "$div" "$digits") |"
	done
	echo "$row"
done
if [[ " $SERVERS " == *" reactor "* ]]; then
	# The averages weigh each run by its datagrams: all the datagrams of
	# all the runs over all their system calls.
	declare -A sum=()
	for c in $COUNTERS; do
		sum[$c]=0
		for ((r = 1; r <= RUNS; r++)); do sum[$c]=$((sum[$c] + ${val[$c,reactor,$r]:-0})); done
	done
	echo
	echo "## reactor's batches over all runs (recvmmsg and sendmmsg on Linux)"
	echo
	echo "- datagrams per receive call: $(ratio "${sum[packets_in]}" "${sum[packet_reads]}") (${sum[packets_in]} datagrams, ${sum[packet_reads]} calls)"
	echo "- datagrams per send call: $(ratio "${sum[packets_out]}" "${sum[packet_writes]}") (${sum[packets_out]} datagrams, ${sum[packet_writes]} calls)"
fi
