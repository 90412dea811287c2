/* loop.h - vtepd's one event loop: epoll over every fd the daemon watches
 * (signals, netlink, ring buffer, control socket, later BGP sockets and
 * timers). Handlers run to completion on the loop's thread; none blocks.
 */
#ifndef VTEP_LOOP_H
#define VTEP_LOOP_H

#include <stdbool.h>

struct loop;

typedef void (*loop_fn)(void *ctx);

int loop_new(struct loop **out);
void loop_free(struct loop *l);
/* Calls fn(ctx) whenever fd is readable (level-triggered). 0 or -errno. */
int loop_add(struct loop *l, int fd, loop_fn fn, void *ctx);
int loop_del(struct loop *l, int fd);
/* Runs until *stop is true (checked after each batch of events). */
int loop_run(struct loop *l, volatile bool *stop);

#endif /* VTEP_LOOP_H */
