/* loop.h - vtepd's one event loop: epoll over every fd the daemon watches
 * (signals, netlink, ring buffer, control socket, BGP sockets and the BGP
 * timer). Handlers run to completion on the loop's thread; none blocks.
 */
#ifndef VTEP_LOOP_H
#define VTEP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fn)(void *ctx);
/* For sources that watch more than readability (a BGP socket waiting for
 * its connect to finish or its write queue to drain): events is what epoll
 * reported (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP). */
typedef void (*loop_ev_fn)(void *ctx, int fd, uint32_t events);

int loop_new(struct loop **out);
void loop_free(struct loop *l);
/* Calls fn(ctx) whenever fd is readable (level-triggered). 0 or -errno. */
int loop_add(struct loop *l, int fd, loop_fn fn, void *ctx);
/* Calls fn(ctx, fd, revents) for the epoll events asked (level-triggered).
 * 0 or -errno. */
int loop_add_ev(struct loop *l, int fd, uint32_t events, loop_ev_fn fn, void *ctx);
/* Changes the events watched on an fd added with loop_add_ev(). */
int loop_mod(struct loop *l, int fd, uint32_t events);
/* Stops watching fd. Call it before closing fd: a pending event of this
 * batch for it is then dropped, never delivered to a reused number. */
int loop_del(struct loop *l, int fd);
/* Runs until *stop is true (checked after each batch of events). */
int loop_run(struct loop *l, volatile bool *stop);

#endif /* VTEP_LOOP_H */
