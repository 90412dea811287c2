/* events.c - see events.h.
 *
 * Repeats are coalesced here: a workload can send gratuitous ARPs at line
 * rate, and every one becomes an event (up to the ring's size per wake-up).
 * The receiver logs and acts on each, so without this a GARP flood from one
 * VM turns into a log flood and a busy event loop. An event equal to the last
 * one delivered for the same (type, VNI, IP) - same port, same MAC - within
 * EVENTS_REPEAT_MS is dropped and counted: it carries nothing new. A
 * different port or MAC for that IP (a workload moving, even back and forth)
 * always gets through. The program only reports a port's own IP, so the keys
 * are bounded by the ports; a direct-mapped cache is enough (a collision only
 * lets a repeat through).
 */
#include "events.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "log.h"

#define EVENTS_REPEAT_MS 1000
#define EVENTS_CACHE     1024   /* slots, a power of two */

struct events_seen {
	struct vtep_event e;
	long long at_ms;
};

struct events {
	struct ring_buffer *rb;
	events_cb cb;
	void *ctx;
	unsigned long bad;
	unsigned long repeats;
	struct events_seen seen[EVENTS_CACHE];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when e repeats the last event delivered for its (type, vni, ip or
 * ip6) less than EVENTS_REPEAT_MS ago; otherwise records it. */
static bool is_repeat(struct events *ev, const struct vtep_event *e)
{
	unsigned int h = (e->type * 0x9e3779b1u) ^ (e->vni * 0x85ebca6bu) ^ (e->ip * 0xc2b2ae35u);
	struct events_seen *s;
	long long now = now_ms();

	if (e->family == 6)
		for (int i = 0; i < 16; i += 4)
			h ^= ((unsigned)e->ip6[i] << 24 | (unsigned)e->ip6[i + 1] << 16 |
			      (unsigned)e->ip6[i + 2] << 8 | e->ip6[i + 3]) * (0x27d4eb2du + (unsigned)i);
	s = &ev->seen[(h ^ (h >> 15)) & (EVENTS_CACHE - 1)];
	if (s->at_ms && s->e.type == e->type && s->e.vni == e->vni && s->e.ip == e->ip &&
	    s->e.family == e->family && !memcmp(s->e.ip6, e->ip6, sizeof(e->ip6)) &&
	    s->e.ifindex == e->ifindex && !memcmp(s->e.mac, e->mac, sizeof(e->mac)) &&
	    now - s->at_ms < EVENTS_REPEAT_MS)
		return true;
	s->e = *e;
	s->at_ms = now;
	return false;
}

static int on_sample(void *arg, void *data, size_t len)
{
	struct events *ev = arg;
	struct vtep_event e;

	/* The record's size is the kernel's word; its contents are the
	 * program's, so copy out and check before use. A record of another
	 * size is another layout's (an old program still attached during an
	 * upgrade): skipped, the workload's next frame sends it again. */
	if (len != sizeof(e)) {
		ev->bad++;
		return 0;
	}
	memcpy(&e, data, sizeof(e));
	if ((e.type != VTEP_EV_GARP && e.type != VTEP_EV_MAC_LEARN) ||
	    (e.family != 4 && e.family != 6)) {
		ev->bad++;
		return 0;
	}
	if (is_repeat(ev, &e)) {
		ev->repeats++;
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

unsigned long events_repeats(const struct events *ev)
{
	return ev->repeats;
}
