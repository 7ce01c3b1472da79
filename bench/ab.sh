#!/usr/bin/env bash
# ab.sh: an interleaved comparison of echo servers on one workload. Where
# run.sh runs every workload for every server, ab.sh runs one workload,
# servers in turns (A, B, A, B, ...), so that a shared machine's drift over
# minutes falls on every server alike: use it to decide whether a change
# helps.
#
#   SERVERS="reactor gnet" DEPTH=16 bash bench/ab.sh
#
# Knobs (environment): SERVERS (names peer-echo knows: net reactor gnet evio
# nbio netpoll; and c-floor, the C echo, built with cc when it is present),
# CONNS (50), SIZE (64), DEPTH (1), RUNS (3), DURATION (3s).
# Each run: the server pinned to CPU 0 with GOMAXPROCS=1, the load generator
# pinned to CPU 1; prints one line per run: server, server CPU per message,
# msgs/s. Servers are stopped by their PID; every load is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${SERVERS:-"reactor gnet"}
CONNS=${CONNS:-50} SIZE=${SIZE:-64} DEPTH=${DEPTH:-1} RUNS=${RUNS:-3} DURATION=${DURATION:-3s}
# pin CPU: taskset, which execs the command (so $! is the server's own pid).
pin0=() pin1=()
if command -v taskset >/dev/null; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/reactor-load" ./bench/cmd/reactor-load
(cd bench/peers && go build -o "$bin/peer-echo" ./cmd/peer-echo)
if [[ " $SERVERS " == *" c-floor "* ]]; then
	if command -v cc >/dev/null; then
		cc -O2 -o "$bin/c-echo" bench/peers/c/echo.c
	else
		echo "ab.sh: no C compiler (cc): skipping c-floor" >&2
		SERVERS=${SERVERS/c-floor/}
	fi
fi

echo "# conns=$CONNS size=$SIZE depth=$DEPTH duration=$DURATION, $(date -u +%FT%TZ), nproc $(nproc)"
for run in $(seq "$RUNS"); do
	for s in $SERVERS; do
		: >"$bin/out" # empty before the server starts: the wait below must not read the last one's line
		if [[ $s == c-floor ]]; then
			"${pin0[@]}" "$bin/c-echo" 0 >"$bin/out" 2>/dev/null &
		else
			GOMAXPROCS=1 "${pin0[@]}" "$bin/peer-echo" -server "$s" -addr 127.0.0.1:0 >"$bin/out" 2>/dev/null &
		fi
		pid=$!
		for _ in $(seq 50); do grep -q '^listening on' "$bin/out" && break; sleep 0.1; done
		addr=$(awk '/^listening on/{print $3}' "$bin/out")
		"${pin1[@]}" timeout 60 "$bin/reactor-load" -addr "$addr" -conns "$CONNS" -size "$SIZE" -depth "$DEPTH" \
			-duration "$DURATION" -warmup 1s -progress 0 -pid "$pid" >"$bin/load" 2>&1 || true
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		printf '%-8s run %d  server CPU/msg %-10s msgs/s %s\n' "$s" "$run" \
			"$(awk '/server CPU/{print $3}' "$bin/load")" "$(awk '/msgs\/s/{print $2}' "$bin/load")"
	done
done
