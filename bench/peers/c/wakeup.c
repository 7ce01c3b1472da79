/* wakeup: how long a thread blocked in a read takes to run once another
 * CPU writes to it, the step every server that sleeps between messages
 * pays for each message at low load.
 *
 *   cc -O2 -pthread -o wakeup wakeup.c && ./wakeup 10000 10
 *
 * The sleeper, pinned to CPU 0, blocks in read(2) on a pipe; the waker,
 * pinned to CPU 1, sleeps between wakes so that CPU 0 goes idle, then
 * writes one byte and its clock time. The sleeper's delay is the time
 * from that write to its read's return. Arguments: wakes a second (10000
 * by default, about the per-connection-and-all rate of a lightly loaded
 * echo), seconds (10). It prints p50, p99, p99.9 and max. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static long n_wakes;
static long long *delay;

static long long now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void pin(int cpu) {
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
		fprintf(stderr, "wakeup: cannot pin to CPU %d; measuring unpinned\n", cpu);
}

static void *sleeper(void *arg) {
	(void)arg;
	pin(0);
	for (long i = 0; i < n_wakes; i++) {
		long long sent;
		if (read(fds[0], &sent, sizeof sent) != sizeof sent) {
			perror("wakeup: read");
			exit(1);
		}
		delay[i] = now_ns() - sent;
	}
	return NULL;
}

static int cmp(const void *a, const void *b) {
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	long rate = argc > 1 ? atol(argv[1]) : 10000;
	double secs = argc > 2 ? atof(argv[2]) : 10;
	if (rate < 1 || rate > 200000 || secs <= 0 || secs > 600) {
		fprintf(stderr, "usage: wakeup [wakes a second, 1..200000] [seconds, up to 600]\n");
		return 2;
	}
	n_wakes = (long)(rate * secs);
	delay = calloc(n_wakes, sizeof *delay);
	if (delay == NULL || pipe(fds) != 0) {
		perror("wakeup");
		return 1;
	}
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	pin(1);
	long long period = 1000000000LL / rate, next = now_ns();
	for (long i = 0; i < n_wakes; i++) {
		next += period;
		struct timespec due = {next / 1000000000LL, next % 1000000000LL};
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
		long long sent = now_ns();
		if (write(fds[1], &sent, sizeof sent) != sizeof sent) {
			perror("wakeup: write");
			return 1;
		}
	}
	pthread_join(t, NULL);
	qsort(delay, n_wakes, sizeof *delay, cmp);
	printf("%ld wakes at %ld/s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.2f ms\n", n_wakes, rate,
	       delay[n_wakes / 2] / 1e3, delay[n_wakes * 99 / 100] / 1e3, delay[n_wakes * 999 / 1000] / 1e3,
	       delay[n_wakes - 1] / 1e6);
	return 0;
}
