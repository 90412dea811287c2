/* events.c - see events.h. */
#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

struct events {
	struct ring_buffer *rb;
	events_cb cb;
	void *ctx;
	unsigned long bad;
};

static int on_sample(void *arg, void *data, size_t len)
{
	struct events *ev = arg;
	struct vtep_event e;

	/* The record's size is the kernel's word; its contents are the
	 * program's, so copy out and check before use. */
	if (len < sizeof(e)) {
		ev->bad++;
		return 0;
	}
	memcpy(&e, data, sizeof(e));
	if (e.type != VTEP_EV_GARP && e.type != VTEP_EV_MAC_LEARN) {
		ev->bad++;
		return 0;
	}
	ev->cb(ev->ctx, &e);
	return 0;
}

int events_open(int map_fd, events_cb cb, void *ctx, struct events **out)
{
	struct events *ev = calloc(1, sizeof(*ev));
	int err;

	if (!ev)
		return -ENOMEM;
	ev->cb = cb;
	ev->ctx = ctx;
	ev->rb = ring_buffer__new(map_fd, on_sample, ev, NULL);
	if (!ev->rb) {
		err = errno ? -errno : -EINVAL;
		free(ev);
		return err;
	}
	*out = ev;
	return 0;
}

void events_close(struct events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	free(ev);
}

int events_fd(const struct events *ev)
{
	return ring_buffer__epoll_fd(ev->rb);
}

void events_handle(struct events *ev)
{
	int n = ring_buffer__consume(ev->rb);

	if (n < 0)
		log_warn("events: cannot read the ring buffer: %s", strerror(-n));
}

unsigned long events_bad(const struct events *ev)
{
	return ev->bad;
}
