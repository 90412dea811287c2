/* events.h - the datapath's ring buffer (vtep_events) in the event loop.
 *
 * The port program reports what only the data path sees: a workload's first
 * frame from its IP on an auto-MAC port (VTEP_EV_MAC_LEARN) and gratuitous
 * ARPs for a port's own IP (VTEP_EV_GARP). Events are hints - the receiver
 * checks them against its own state - so a full buffer only costs a counter
 * (events_lost) and the next frame reports again.
 */
#ifndef VTEP_EVENTS_H
#define VTEP_EVENTS_H

#include "vtep_maps.h"

struct events;

typedef void (*events_cb)(void *ctx, const struct vtep_event *ev);

/* map_fd: the vtep_events ring buffer. Returns 0 or -errno. */
int events_open(int map_fd, events_cb cb, void *ctx, struct events **out);
void events_close(struct events *ev);
/* An fd for epoll (EPOLLIN when events wait), and the handler for it. */
int events_fd(const struct events *ev);
void events_handle(struct events *ev);
/* Events refused as malformed (wrong size or type) since open. */
unsigned long events_bad(const struct events *ev);
/* Events dropped as repeats (the same report for the same port within a
 * second, see events.c) since open. */
unsigned long events_repeats(const struct events *ev);

#endif /* VTEP_EVENTS_H */
