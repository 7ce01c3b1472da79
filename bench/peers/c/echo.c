/*
 * echo.c: the floor for the echo benchmarks. One thread, level-triggered
 * epoll, only the syscalls an echo needs: per ready fd one read into a
 * 64 KiB slot and one write back. Each pass first reads every ready fd, then
 * writes every reply, so a client woken by the first reply finds the rest
 * waiting (writing each reply as soon as it is read wakes the client once
 * per reply, which costs this side more than the read and write do). A
 * partial write keeps the unsent tail for that connection and waits for
 * EPOLLOUT (not reading meanwhile), so no byte is lost. Listens on
 * 127.0.0.1:PORT; exits on SIGINT/SIGTERM.
 *
 *   cc -O2 -o c-echo echo.c && ./c-echo 7001
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ (64 << 10)
#define EVENTS 256

struct conn { char *tail; size_t off, len; }; /* unsent bytes, if any */

static struct conn *conns; /* indexed by fd */
static size_t nconns;
static volatile sig_atomic_t stop;
static char slot[EVENTS][BUFSZ]; /* one read per ready fd per pass */

static void on_signal(int s) { (void)s; stop = 1; }

static void drop(int ep, int fd) {
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(conns[fd].tail);
	memset(&conns[fd], 0, sizeof conns[fd]);
}

static void want(int ep, int fd, unsigned ev) {
	struct epoll_event e = {.events = ev, .data.fd = fd};
	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

/* flush writes the connection's tail; 0: all sent, 1: some left, -1: error. */
static int flush(int ep, int fd) {
	struct conn *c = &conns[fd];
	ssize_t n = write(fd, c->tail + c->off, c->len - c->off);
	if (n < 0) return errno == EAGAIN || errno == EINTR ? 1 : -1;
	c->off += (size_t)n;
	if (c->off < c->len) return 1;
	free(c->tail);
	c->tail = NULL, c->off = c->len = 0;
	want(ep, fd, EPOLLIN);
	return 0;
}

/* reply writes the n bytes read into buf back to fd. */
static void reply(int ep, int fd, const char *buf, ssize_t n) {
	ssize_t w = write(fd, buf, (size_t)n);
	if (w < 0) {
		if (errno != EAGAIN && errno != EINTR) { drop(ep, fd); return; }
		w = 0;
	}
	if (w == n) return;
	struct conn *c = &conns[fd]; /* keep the tail, wait for EPOLLOUT */
	c->len = (size_t)(n - w), c->off = 0;
	c->tail = malloc(c->len);
	if (!c->tail) { drop(ep, fd); return; }
	memcpy(c->tail, buf + w, c->len);
	want(ep, fd, EPOLLOUT);
}

static void accept_all(int ep, int lfd) {
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) continue;
			return; /* EAGAIN, or EMFILE: try again on the next wake-up */
		}
		if ((size_t)fd >= nconns) {
			size_t n = nconns ? nconns : 1024;
			while (n <= (size_t)fd) n *= 2;
			struct conn *p = realloc(conns, n * sizeof *p);
			if (!p) { close(fd); continue; }
			memset(p + nconns, 0, (n - nconns) * sizeof *p);
			conns = p, nconns = n;
		}
		struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0) close(fd);
	}
}

int main(int argc, char **argv) {
	if (argc != 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4096) < 0) {
		perror("listen");
		return 1;
	}
	socklen_t alen = sizeof a;
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event e = {.events = EPOLLIN, .data.fd = lfd}, ev[EVENTS];
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
	printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
	fflush(stdout);

	ssize_t got[EVENTS];
	while (!stop) {
		int n = epoll_wait(ep, ev, EVENTS, -1);
		for (int i = 0; i < n; i++) { /* reads (and the rare flush) */
			int fd = ev[i].data.fd;
			got[i] = 0;
			if (fd == lfd) accept_all(ep, lfd);
			else if (conns[fd].tail) { if (flush(ep, fd) < 0) drop(ep, fd); }
			else {
				ssize_t r = read(fd, slot[i], BUFSZ);
				if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
				if (r <= 0) drop(ep, fd);
				else got[i] = r;
			}
		}
		for (int i = 0; i < n; i++) /* then the replies */
			if (got[i] > 0) reply(ep, ev[i].data.fd, slot[i], got[i]);
	}
	return 0;
}
