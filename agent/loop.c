/* loop.c - see loop.h. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "log.h"

#define LOOP_MAX_SRC 64

struct loop_src {
	int fd;
	loop_fn fn;
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

int loop_add(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	for (i = 0; i < LOOP_MAX_SRC && l->src[i].fd >= 0; i++)
		;
	if (i == LOOP_MAX_SRC)
		return -ENOSPC;
	ev.data.ptr = &l->src[i];
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	l->src[i] = (struct loop_src){ .fd = fd, .fn = fn, .ctx = ctx };
	return 0;
}

int loop_del(struct loop *l, int fd)
{
	int i;

	for (i = 0; i < LOOP_MAX_SRC; i++) {
		if (l->src[i].fd != fd)
			continue;
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		l->src[i].fd = -1;
		return 0;
	}
	return -ENOENT;
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
			struct loop_src *s = evs[i].data.ptr;

			/* A handler may have removed this source. */
			if (s->fd >= 0)
				s->fn(s->ctx);
		}
	}
	return 0;
}
