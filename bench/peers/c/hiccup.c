/* hiccup: how long a thread that never sleeps is kept off its CPU.
 *
 *   cc -O2 -o hiccup hiccup.c && taskset -c 0 ./hiccup 10
 *
 * It reads CLOCK_MONOTONIC in a tight loop for the given number of seconds
 * (10 by default) and counts the gaps between two readings by size: on an
 * idle machine every gap longer than a few microseconds is time the
 * system (an interrupt, another thread, the hypervisor) took from the
 * thread. A server's latency cannot be better than this at the same
 * percentile, whatever the server. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
	static const long long edge[] = {20000, 100000, 500000, 1000000, 2000000, 5000000};
	enum { N = sizeof edge / sizeof edge[0] };
	long long count[N] = {0}, lost = 0, worst = 0;
	double secs = argc > 1 ? atof(argv[1]) : 10;
	if (secs <= 0 || secs > 600) {
		fprintf(stderr, "hiccup: seconds must be in (0, 600]\n");
		return 2;
	}
	long long prev = now_ns(), end = prev + (long long)(secs * 1e9);
	for (;;) {
		long long t = now_ns(), gap = t - prev;
		prev = t;
		if (t > end)
			break;
		if (gap > worst)
			worst = gap;
		if (gap > edge[0])
			lost += gap;
		for (int i = N - 1; i >= 0; i--)
			if (gap > edge[i]) {
				count[i]++;
				break;
			}
	}
	printf("%.0f s spinning: gaps 20-100 us %lld, 100-500 us %lld, 0.5-1 ms %lld, 1-2 ms %lld, 2-5 ms %lld, over 5 ms %lld; "
	       "longest %.2f ms; %.2f%% of the time in gaps over 20 us\n",
	       secs, count[0], count[1], count[2], count[3], count[4], count[5], worst / 1e6, 100.0 * lost / (secs * 1e9));
	return 0;
}
