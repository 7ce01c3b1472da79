#!/usr/bin/env bash
# lowload.sh: where the tail goes at low offered load. For each rate and
# server, in turns, one open-loop run (as latency.sh makes them) with the
# server's own account of it: its context switches (perf stat, where perf
# is installed and allowed), its CPU time thread by thread (the loop's
# thread against the runtime's others: sysmon, the GC, idle Ms), and the
# generator's latencies and send lag. Before and after the runs, a thread
# that never sleeps measures what the machine itself takes from each CPU
# (bench/peers/c/hiccup.c), and a thread blocked in a read measures how
# long an idle CPU takes to run it once another CPU writes to it
# (bench/peers/c/wakeup.c): no server that sleeps between messages can
# have a better tail than two of those wakes.
#
#   bash bench/lowload.sh     # about 5 minutes
#
# At the end it prints, for each rate and server, the median p99 of the
# runs whose generator kept its schedule.
#
# Knobs: SERVERS (c-floor reactor gnet), RATES (11400 28600, msgs/s: about
# 10% and 25% of the slowest Go server's capacity; latency.sh measures
# it), ROUNDS (2), DURATION (10s, at least 3s), WARMUP (2s), CONNS (50), SIZE (64),
# HICCUP (10, seconds per CPU). Server on CPU 0 (GOMAXPROCS=1), generator
# on CPU 1, a fresh server per run, 127.0.0.1 only, every run bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVERS=${SERVERS:-c-floor reactor gnet}
RATES=${RATES:-11400 28600}
ROUNDS=${ROUNDS:-2} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-50} SIZE=${SIZE:-64} HICCUP=${HICCUP:-10}

die() { echo "lowload.sh: $*" >&2; exit 1; }
for s in $SERVERS; do
	[[ " c-floor reactor gnet nbio net evio netpoll " == *" $s "* ]] || die "unknown server '$s'"
done
for v in ROUNDS CONNS SIZE HICCUP; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"; done
for r in $RATES; do [[ $r =~ ^[1-9][0-9]*$ ]] || die "rates are whole msgs/s: '$r'"; done
[[ $DURATION =~ ^[0-9]+s$ && ${DURATION%s} -ge 3 && $WARMUP =~ ^[0-9]+s$ ]] ||
	die "DURATION is whole seconds, at least 3 (10s); WARMUP whole seconds (2s)"
command -v cc >/dev/null || die "needs a C compiler (cc) for the C floor and the hiccup probe"

. bench/lib.sh
((${#pin1[@]} > 0)) || die "needs taskset and 2 CPUs"

go build -o "$bin/reactor-load" ./bench/cmd/reactor-load
(cd bench/peers && go build -o "$bin/" ./cmd/peer-echo)
cc -O2 -o "$bin/c-echo" bench/peers/c/echo.c
cc -O2 -o "$bin/hiccup" bench/peers/c/hiccup.c
cc -O2 -pthread -o "$bin/wakeup" bench/peers/c/wakeup.c
perf=()
if command -v perf >/dev/null && perf stat -e context-switches -- true >/dev/null 2>&1; then perf=(perf stat -x, -e context-switches); fi

# hiccups: what the machine takes from a thread that never sleeps (each
# CPU), and how long a thread blocked in a read on CPU 0 takes to run when
# CPU 1 writes to it, at each rate: an echo's round trip pays two such
# wakes (the server's, then the generator's) when both sleep between
# messages.
hiccups() {
	local c r
	for c in 0 1; do echo "hiccups, CPU $c: $(taskset -c "$c" "$bin/hiccup" "$HICCUP")"; done
	for r in $RATES; do echo "wake-up, CPU 1 to CPU 0: $("$bin/wakeup" "$r" "$HICCUP")"; done
}

echo "# lowload.sh: $(date -u +%FT%TZ), nproc $(nproc), $(go version | cut -d' ' -f3); conns $CONNS, $SIZE B, depth 1, $DURATION per run"
hiccups
secs=${DURATION%s} warm=${WARMUP%s}
declare -A p99s # p99s[RATE,SERVER]: the p99s (ns) of the runs that kept up
for ((round = 1; round <= ROUNDS; round++)); do
	for rate in $RATES; do
		for s in $SERVERS; do
			: >"$bin/out"
			if [[ $s == c-floor ]]; then
				"${pin0[@]}" "$bin/c-echo" 0 >"$bin/out" 2>&1 &
			else
				GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-echo" -server "$s" -addr 127.0.0.1:0 >"$bin/out" 2>&1 &
			fi
			pid=$!
			addr=""
			for ((i = 0; i < 200; i++)); do
				addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$bin/out" | head -n1)
				[[ -n $addr ]] && break
				sleep 0.05
			done
			[[ -n $addr ]] || die "$s did not start: $(tail -n3 "$bin/out")"
			"${pin1[@]}" timeout -k 5 $((secs + 60)) "$bin/reactor-load" -addr "$addr" -pid "$pid" -server "$s" \
				-progress 0 -conns "$CONNS" -size "$SIZE" -depth 1 -rate "$rate" -duration "$DURATION" \
				-warmup "$WARMUP" -json "$bin/json" >"$bin/load" 2>&1 &
			lp=$!
			sleep "$warm.5" # past the warmup, into the measured window
			switches=-
			if ((${#perf[@]})); then
				# Counted over the window but its last half second.
				switches=$(timeout $((secs)) "${perf[@]}" -p "$pid" -- sleep $((secs - 1)) 2>&1 >/dev/null |
					awk -F, '/context-switches/ { print $1 }')
				switches="$switches in $((secs - 1)) s"
			fi
			wait "$lp" || die "the load against $s failed: $(tail -n3 "$bin/load")"
			threads=$(for t in /proc/"$pid"/task/*; do cpu_ticks "$pid/task/${t##*/}" || true; done | sort -rn | tr '\n' ' ')
			stop_server
			lat=$(sed -n 's/^ *latency *//p' "$bin/load" | head -n1)
			lag=$(sed -n 's/^ *send lag *//p' "$bin/load" | head -n1)
			verdict=$(sed -n 's/^ *generator *//p' "$bin/load" | head -n1)
			echo "round $round rate $rate $s: $lat; context switches $switches; CPU ticks by thread $threads; send lag $lag; generator $verdict"
			if [[ $verdict == "kept its schedule" ]]; then p99s[$rate,$s]+="$(field "$bin/json" p99_ns) "; fi
		done
	done
done
for rate in $RATES; do
	line="median p99 at $rate msgs/s, of the runs that kept up:"
	for s in $SERVERS; do
		v=(${p99s[$rate,$s]:-})
		line+=" $s $(num "$(median "${v[@]}")" 1000 1) µs (${#v[@]} runs);"
	done
	echo "${line%;}"
done
hiccups
