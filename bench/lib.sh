# lib.sh: what the scripts that measure servers in turns (tls.sh, udp.sh, ws.sh,
# http.sh, redis.sh) share. Each sources it from the repository's root,
# after checking its own knobs:
#
#   . bench/lib.sh
#
# It pins the server to CPU 0 and the client to CPU 1 (pin0, pin1: taskset,
# which execs the command, so $! is the server's own pid) when there are
# two CPUs, makes the scratch directory $bin, removed at exit together
# with the server still running ($pid), and defines the helpers below.

pin0=() pin1=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then pin0=(taskset -c 0) pin1=(taskset -c 1); fi

bin=$(mktemp -d)
pid=""
cleanup() {
	if [[ -n $pid ]]; then stop_server; fi
	rm -rf "$bin"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_server sends SIGTERM, then SIGKILL after 5 s, and reaps the server.
stop_server() {
	local i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
}

# cpu_ticks PID prints the process's user+system CPU time in clock ticks:
# fields 14 and 15 of /proc/PID/stat, counted after the command name,
# which is in parentheses and may hold spaces.
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	awk '{ print $12 + $13 }' <<<"$stat"
}

# num V D P prints V/D with P decimals, or - if V is missing.
num() { if [[ -z $1 ]]; then echo -; else awk -v v="$1" -v d="$2" -v p="$3" 'BEGIN { printf "%.*f", p, v / d }'; fi; }

# ratio A B prints A/B with two decimals, or - if either is missing.
ratio() {
	if [[ -z $1 || -z $2 ]]; then echo -; else awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; fi
}

# median V... prints the median of the values given, skipping missing
# ones (- or empty), or nothing if none is left.
median() {
	printf '%s\n' "$@" | sort -g |
		awk '$1 != "-" && $1 != "" { v[++n] = $1 } END { if (n % 2) print v[(n + 1) / 2]; else if (n) print (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

# field JSON NAME prints a number field of the load generator's JSON; flag
# JSON NAME a true/false one.
field() { sed -n 's/^ *"'"$2"'": *\([-0-9.e+]*\),\{0,1\}$/\1/p' "$1" | head -n1; }
flag() { sed -n 's/^ *"'"$2"'": *\(true\|false\),\{0,1\}$/\1/p' "$1" | head -n1; }

# rotate K WORD... prints the words, starting from the Kth (from 0, modulo).
rotate() {
	local k=$1
	shift
	local w=("$@") n=$# i out=()
	for ((i = 0; i < n; i++)); do out+=("${w[(i + k) % n]}"); done
	echo "${out[*]}"
}
