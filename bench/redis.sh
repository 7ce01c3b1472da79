#!/usr/bin/env bash
# redis.sh: RESP servers under redis-benchmark, taking turns as in ab.sh
# (A, B, C, A, B, C, ...) so that a shared machine's drift falls on every
# server alike:
#
#   reactor-kv    cmd/reactor-kv, one loop
#   gnet-kv       bench/peers/cmd/peer-kv: the same parser and keyspace on gnet
#   redis-server  Debian's, with no persistence (--save '' --appendonly no)
#
#   bash bench/redis.sh
#   RUNS=1 N=20000 N16=100000 bash bench/redis.sh      # a quick look
#
# Knobs (environment): SERVERS (reactor-kv gnet-kv redis-server), RUNS (5),
# TESTS (ping set get: redis-benchmark -t names, one invocation each),
# PIPELINES (1 16: -P), N (200000 requests per test at -P 1), N16 (2000000
# at larger -P), CLIENTS (50), SIZE (3: the value's bytes, -d), PORT (16379,
# for redis-server, which has no port 0), LIMIT (120: seconds any one
# redis-benchmark may take).
#
# Each round starts every server afresh, pinned to CPU 0 (GOMAXPROCS=1 for
# the Go servers), and runs redis-benchmark pinned to CPU 1 with --csv, once
# per test and pipeline depth. It prints a line per invocation: requests/s,
# p50 and p99 latency as redis-benchmark reports them, and the server's CPU
# per request, from utime+stime in /proc/PID/stat before and after (PING
# runs two tests, inline and multibulk: its CPU is per request of the two).
# After each round it prints the round's ratios of reactor-kv to the others,
# and at the end the per-round ratios with their medians and a table of
# medians, ready for bench/results/redis.md. redis-benchmark and
# redis-server come from Debian's redis-tools and redis-server, installed
# with apt-get if missing (as root; their service is kept from starting).
# Servers are stopped by their PID; every load is bounded in count and
# time, and all traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${SERVERS:-"reactor-kv gnet-kv redis-server"}
RUNS=${RUNS:-5} TESTS=${TESTS:-"ping set get"} PIPELINES=${PIPELINES:-"1 16"}
N=${N:-200000} N16=${N16:-2000000} CLIENTS=${CLIENTS:-50} SIZE=${SIZE:-3}
PORT=${PORT:-16379} LIMIT=${LIMIT:-120}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} # never download another toolchain

die() { echo "redis.sh: $*" >&2; exit 1; }
for s in $SERVERS; do
	[[ " reactor-kv gnet-kv redis-server " == *" $s "* ]] || die "unknown server '$s' (choose from: reactor-kv gnet-kv redis-server)"
done
for t in $TESTS; do
	[[ " ping set get incr mset " == *" $t "* ]] || die "unknown test '$t' (choose from: ping set get incr mset)"
done
for v in RUNS N N16 CLIENTS SIZE PORT LIMIT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"
done
for p in $PIPELINES; do [[ $p =~ ^[1-9][0-9]*$ ]] || die "PIPELINES must hold positive numbers"; done

# install_redis installs redis-benchmark (redis-tools) and, if it is among
# SERVERS, redis-server, with apt-get. A policy-rc.d, made for the length
# of the install if there is none, keeps the package from starting its
# service: this script runs its own server and leaves nothing running.
install_redis() {
	local need=() policy=/usr/sbin/policy-rc.d made="" rc=0
	command -v redis-benchmark >/dev/null || need+=(redis-tools)
	if [[ " $SERVERS " == *" redis-server "* ]] && ! command -v redis-server >/dev/null; then need+=(redis-server); fi
	((${#need[@]})) || return 0
	[[ $(id -u) == 0 ]] || die "needs ${need[*]}: run as root, or apt-get install them first"
	echo "redis.sh: installing ${need[*]} with apt-get" >&2
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made=1
	fi
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >&2 || rc=$?
	if [[ -n $made ]]; then rm -f "$policy"; fi
	((rc == 0)) || die "apt-get install ${need[*]} failed"
}
install_redis

. bench/lib.sh # pin0, pin1, $bin, $pid, stop_server, cpu_ticks, num, ratio, median
hz=$(getconf CLK_TCK)
go build -o "$bin/reactor-kv" ./cmd/reactor-kv
(cd bench/peers && go build -o "$bin/peer-kv" ./cmd/peer-kv)

# start_server NAME starts the server and sets pid and port once it
# answers.
start_server() {
	local i
	: >"$bin/out"
	case $1 in
	reactor-kv) GOMAXPROCS=1 "${pin0[@]}" "$bin/reactor-kv" -addr 127.0.0.1:0 >"$bin/out" 2>"$bin/err" & ;;
	gnet-kv) GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-kv" -addr 127.0.0.1:0 >"$bin/out" 2>"$bin/err" & ;;
	redis-server)
		if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
			echo "redis.sh: something already answers on port $PORT: set PORT" >&2
			return 1
		fi
		"${pin0[@]}" redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no \
			--daemonize no --dir "$bin" --logfile "$bin/err" >/dev/null 2>&1 &
		;;
	esac
	pid=$!
	for ((i = 0; i < 200; i++)); do # 10 s
		case $1 in
		redis-server) port=$PORT ;;
		*) port=$(sed -n 's/.*listening on \(tcp \)\{0,1\}127\.0\.0\.1:\([0-9][0-9]*\)$/\2/p' "$bin/out" | head -n1) ;;
		esac
		if [[ -n $port ]] && redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then return 0; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "redis.sh: $1 did not start: $(tail -n3 "$bin/err" 2>/dev/null | tr '\n' ' ')" >&2
	stop_server
	return 1
}



declare -A val # val[figure,server,P,test,round]: rps p50 p99 cpu

# measure SERVER P TEST ROUND runs redis-benchmark once against the
# running server and keeps its figures.
measure() {
	local s=$1 p=$2 t=$3 r=$4 n=$N before after reqs rows
	((p == 1)) || n=$N16
	before=$(cpu_ticks "$pid")
	if ! "${pin1[@]}" timeout -k 5 "$LIMIT" redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$n" \
		-P "$p" -d "$SIZE" -t "$t" --csv >"$bin/csv" 2>"$bin/berr"; then
		echo "redis.sh: $s -P $p $t round $r failed: $(tail -n3 "$bin/berr" | tr '\n' ' ')" >&2
		return 0
	fi
	after=$(cpu_ticks "$pid")
	# "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
	rows=$(tr -d '"' <"$bin/csv" | awk -F, 'NR > 1 && $2 + 0 > 0')
	[[ -n $rows ]] || { echo "redis.sh: $s -P $p $t round $r: no figures in $(head -c 200 "$bin/csv")" >&2; return 0; }
	reqs=$((n * $(wc -l <<<"$rows")))
	val[rps,$s,$p,$t,$r]=$(awk -F, '{ s += $2 } END { printf "%.0f", s / NR }' <<<"$rows")
	val[p50,$s,$p,$t,$r]=$(awk -F, '{ s += $5 } END { printf "%.3f", s / NR }' <<<"$rows")
	val[p99,$s,$p,$t,$r]=$(awk -F, '{ s += $7 } END { printf "%.3f", s / NR }' <<<"$rows")
	val[cpu,$s,$p,$t,$r]=$(awk -v d=$((after - before)) -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e9 / hz / n }')
}

get() { echo "${val[$1,$2,$3,$4,$5]:-}"; }



others=""
if [[ " $SERVERS " == *" reactor-kv "* ]]; then
	for s in $SERVERS; do [[ $s == reactor-kv ]] || others+="$s "; done
fi

echo "# redis.sh: redis-benchmark -c $CLIENTS -d $SIZE -t {${TESTS// /,}} -P {${PIPELINES// /,}}, -n $N at -P 1 and $N16 above;" \
	"$RUNS round(s); $(redis-benchmark --version 2>/dev/null | head -n1); $(date -u +%FT%TZ), nproc $(nproc), $(go env GOVERSION)"
for ((r = 1; r <= RUNS; r++)); do
	for s in $SERVERS; do
		start_server "$s" || continue
		for p in $PIPELINES; do
			for t in $TESTS; do
				measure "$s" "$p" "$t" "$r"
				printf '%-12s -P %-3s %-5s round %d  rps %8s  p50 %6s ms  p99 %6s ms  CPU/req %7s ns\n' "$s" "$p" "$t" "$r" \
					"$(get rps "$s" "$p" "$t" "$r")" "$(get p50 "$s" "$p" "$t" "$r")" "$(get p99 "$s" "$p" "$t" "$r")" "$(get cpu "$s" "$p" "$t" "$r")"
			done
		done
		stop_server
	done
	for o in $others; do
		line="round $r reactor-kv/$o rps:"
		for p in $PIPELINES; do
			for t in $TESTS; do line+=" -P$p $t $(ratio "$(get rps reactor-kv "$p" "$t" "$r")" "$(get rps "$o" "$p" "$t" "$r")"),"; done
		done
		echo "${line%,}"
	done
done

if [[ -n $others ]]; then
	echo
	echo "## Per-round ratios, reactor-kv / other in the same round (rps: above 1 favours reactor-kv; CPU/req: below 1)"
	echo
	echo '```'
	for f in rps cpu; do
		for p in $PIPELINES; do
			for t in $TESTS; do
				line=$(printf '%-7s -P %-3s %-5s' "$f" "$p" "$t")
				for o in $others; do
					rs=()
					for ((r = 1; r <= RUNS; r++)); do rs+=("$(ratio "$(get "$f" reactor-kv "$p" "$t" "$r")" "$(get "$f" "$o" "$p" "$t" "$r")")"); done
					m=$(median "${rs[@]}")
					line+=" reactor-kv/$o ${rs[*]} (median ${m:--});"
				done
				echo "${line%;}"
			done
		done
	done
	echo '```'
fi
echo
echo "## Medians of $RUNS round(s)"
echo
header="| -P | test | figure |" rule="|---|---|---|"
for s in $SERVERS; do header+=" $s |" rule+="---:|"; done
echo "$header"
echo "$rule"
for p in $PIPELINES; do
	for t in $TESTS; do
		for f in rps p50 p99 cpu; do
			case $f in rps) name="requests/s" ;; p50) name="p50 latency (ms)" ;; p99) name="p99 latency (ms)" ;; cpu) name="server CPU per request (ns)" ;; esac
			row="| $p | $t | $name |"
			for s in $SERVERS; do
				vs=()
				for ((r = 1; r <= RUNS; r++)); do vs+=("$(get "$f" "$s" "$p" "$t" "$r")"); done
				m=$(median "${vs[@]}")
				row+=" ${m:--} |"
			done
			echo "$row"
		done
	done
done
