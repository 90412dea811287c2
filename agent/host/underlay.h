/* underlay.h - keeps the datapath's underlay cache (vtep_underlay) honest.
 *
 * The port program remembers the kernel FIB's answer for each remote VTEP
 * (egress interface, next-hop MAC, route MTU) for at most 100 ms
 * (VTEP_UNDERLAY_TTL_NS, bpf/encap.h). vtepd shortens that to "until the
 * next change": it listens to the kernel's IPv4 route, neighbour and link
 * events (through agent/host/netlink.c) and empties the map on each batch of
 * them, so the next packet to every VTEP asks the kernel again. Emptying costs one FIB lookup per
 * (VTEP, port) in use; the lifetime still bounds staleness while vtepd is
 * down.
 */
#ifndef VTEP_UNDERLAY_H
#define VTEP_UNDERLAY_H

struct netlink;
struct underlay;

/* Subscribes to the events through nl (netlink_watch_underlay: nl's event
 * socket must be handled by the caller's loop), then empties the map once.
 * map_fd and nl stay the caller's and must outlive the watcher.
 * 0 or -errno. */
int underlay_watch(struct netlink *nl, int map_fd, struct underlay **out);
/* Stops watching (the map keeps its entries). NULL is fine. */
void underlay_close(struct underlay *u);

/* Deletes every entry of the map behind map_fd; the number deleted or
 * -errno (exposed for tests). */
int underlay_flush(int map_fd);
/* How many times the map was emptied after a change (tests, debugging). */
unsigned long underlay_flushes(const struct underlay *u);

#endif /* VTEP_UNDERLAY_H */
