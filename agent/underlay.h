/* underlay.h - keeps the datapath's underlay cache (vtep_underlay) honest.
 *
 * The port program remembers the kernel FIB's answer for each remote VTEP
 * (egress interface, next-hop MAC, route MTU) for at most 100 ms
 * (VTEP_UNDERLAY_TTL_NS, bpf/encap.h). vtepd shortens that to "until the
 * next change": it listens to the kernel's IPv4 route, neighbour and link
 * events and empties the map on each batch of them, so the next packet to
 * every VTEP asks the kernel again. Emptying costs one FIB lookup per
 * (VTEP, port) in use; the lifetime still bounds staleness while vtepd is
 * down.
 */
#ifndef VTEP_UNDERLAY_H
#define VTEP_UNDERLAY_H

struct loop;
struct underlay;

/* Subscribes to the events, empties the map once and watches the socket on
 * loop l. map_fd stays the caller's and must outlive the watcher.
 * 0 or -errno. */
int underlay_watch(struct loop *l, int map_fd, struct underlay **out);
/* Stops watching (the map keeps its entries). NULL is fine. */
void underlay_close(struct loop *l, struct underlay *u);

/* The netlink socket (tests poll it). */
int underlay_fd(const struct underlay *u);
/* Deletes every entry of the map behind map_fd; the number deleted or
 * -errno (exposed for tests). */
int underlay_flush(int map_fd);
/* Reads what is pending on the socket; empties the map when any of it was
 * an underlay change (or when events were lost). 1 when it emptied the
 * map, 0 when not, -errno. */
int underlay_handle(struct underlay *u);

#endif /* VTEP_UNDERLAY_H */
