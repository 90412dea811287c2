/* loop.c - see loop.h. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "log.h"

/* Fixed slots: epoll's data pointer names a slot, so the table never moves.
 * Signals, netlink, ring buffer, control and metrics take a handful; each BGP
 * neighbor at most two sockets (RFC 4271 6.8 collision), plus the listener
 * and the timer. */
#define LOOP_MAX_SRC 512

struct loop_src {
	int fd;
	uint32_t gen;           /* bumped on every add: stale events are dropped */
	loop_fn fn;
	loop_ev_fn ev_fn;
	void *ctx;
};

struct loop {
	int epfd;
	struct loop_src src[LOOP_MAX_SRC];
};

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));
	int i;

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int err = -errno;

		free(l);
		return err;
	}
	for (i = 0; i < LOOP_MAX_SRC; i++)
		l->src[i].fd = -1;
	*out = l;
	return 0;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

/* epoll's data word: slot index and the slot's generation, so an event
 * queued for a source removed earlier in the same batch is never delivered
 * to a new source that took its slot (or its fd number). */
static uint64_t src_tag(int i, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)i;
}

static int add_src(struct loop *l, int fd, uint32_t events, loop_fn fn, loop_ev_fn ev_fn,
		   void *ctx)
{
	struct epoll_event ev = { .events = events };
	uint32_t gen;
	int i;

	for (i = 0; i < LOOP_MAX_SRC && l->src[i].fd >= 0; i++)
		;
	if (i == LOOP_MAX_SRC)
		return -ENOSPC;
	gen = l->src[i].gen + 1;
	ev.data.u64 = src_tag(i, gen);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	l->src[i] = (struct loop_src){ .fd = fd, .gen = gen, .fn = fn, .ev_fn = ev_fn, .ctx = ctx };
	return 0;
}

int loop_add(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	return add_src(l, fd, EPOLLIN, fn, NULL, ctx);
}

int loop_add_ev(struct loop *l, int fd, uint32_t events, loop_ev_fn fn, void *ctx)
{
	return add_src(l, fd, events, NULL, fn, ctx);
}

static struct loop_src *find_src(struct loop *l, int fd)
{
	int i;

	for (i = 0; i < LOOP_MAX_SRC; i++)
		if (l->src[i].fd == fd)
			return &l->src[i];
	return NULL;
}

int loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct loop_src *s = find_src(l, fd);
	struct epoll_event ev = { .events = events };

	if (!s)
		return -ENOENT;
	ev.data.u64 = src_tag((int)(s - l->src), s->gen);
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

int loop_del(struct loop *l, int fd)
{
	struct loop_src *s = find_src(l, fd);

	if (!s)
		return -ENOENT;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	s->fd = -1;
	return 0;
}

int loop_run(struct loop *l, volatile bool *stop)
{
	struct epoll_event evs[16];

	while (!*stop) {
		int n = epoll_wait(l->epfd, evs, 16, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("event loop: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n && !*stop; i++) {
			uint32_t slot = (uint32_t)evs[i].data.u64;
			struct loop_src *s = &l->src[slot % LOOP_MAX_SRC];

			/* A handler may have removed this source, or removed it
			 * and added another in its slot, earlier in this batch. */
			if (s->fd < 0 || s->gen != (uint32_t)(evs[i].data.u64 >> 32))
				continue;
			if (s->ev_fn)
				s->ev_fn(s->ctx, s->fd, evs[i].events);
			else
				s->fn(s->ctx);
		}
	}
	return 0;
}
