/* hostaddr.h - the host's own IPv4 addresses in the pinned map vtep_hostaddrs.
 *
 * The port program passes to the host stack what a workload sends to one of
 * the host's addresses, and an ARP reply to one (DESIGN.md: "Destination
 * that is one of the host's own addresses: pass to the host stack"). It
 * cannot ask the kernel's FIB: bpf_fib_lookup() answers NOT_FWDED both for a
 * local address and for no route at all (bpf/route.h). So vtepd keeps the
 * list: every IPv4 address of its network namespace except 127.0.0.0/8.
 *
 * At start: subscribe to address events (RTNLGRP_IPV4_IFADDR), dump every
 * address, then reconcile the map (write them all, remove whatever else an
 * earlier run left). After that each RTM_NEWADDR/RTM_DELADDR that
 * netlink_handle() reads updates the map; events lost to an overrun bring a
 * new dump and reconcile. An address held by several interfaces (one
 * gateway address on every veth, as some CNIs do) stays until the last one
 * drops it. The map's value names one interface holding the address.
 */
#ifndef VTEP_HOSTADDR_H
#define VTEP_HOSTADDR_H

#include <stddef.h>
#include <stdint.h>

struct hostaddr;
struct netlink;

/* Watches nl's address events and fills the map behind map_fd (which stays
 * the caller's). Returns 0 or -errno. */
int hostaddr_new(struct netlink *nl, int map_fd, struct hostaddr **out);
/* Memory only: the map keeps its entries (the datapath keeps running). */
void hostaddr_free(struct hostaddr *ha);

/* Dump + reconcile again (netlink's resync callback; exposed for tests). */
int hostaddr_resync(struct hostaddr *ha);
/* How many distinct addresses are listed. */
size_t hostaddr_count(const struct hostaddr *ha);

#endif /* VTEP_HOSTADDR_H */
