/* hostaddr6.h - the host's own IPv6 addresses in the pinned map
 * vtep_hostaddrs6, as hostaddr.h keeps the IPv4 ones in vtep_hostaddrs.
 *
 * What a workload sends to one of the host's IPv6 addresses goes to the
 * host stack (the port program's IPv6 path, like IPv4's). Listed: every
 * IPv6 address of vtepd's network namespace except the loopback address
 * ::1 and link-local addresses (fe80::/10, RFC 4291 2.5.6): a link-local
 * address names one link, and a workload on its own port never shares a
 * link with the host's other interfaces. The host end of a port answers
 * its workload's NS for itself (the datapath passes a solicited NA to a
 * link-local address to the host, not through this map).
 *
 * The same life cycle as hostaddr.h: subscribe to RTNLGRP_IPV6_IFADDR,
 * dump, reconcile the map; then each RTM_NEWADDR/RTM_DELADDR; an overrun
 * brings a new dump. An address held by several interfaces stays until
 * the last one drops it; the value names one interface holding it.
 */
#ifndef VTEP_HOSTADDR6_H
#define VTEP_HOSTADDR6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostaddr6;
struct netlink;

/* Watches nl's IPv6 address events and fills the map behind map_fd (which
 * stays the caller's). Returns 0 or -errno. */
int hostaddr6_new(struct netlink *nl, int map_fd, struct hostaddr6 **out);
/* Memory only: the map keeps its entries. */
void hostaddr6_free(struct hostaddr6 *ha);

/* Dump + reconcile again (netlink's resync callback; exposed for tests). */
int hostaddr6_resync(struct hostaddr6 *ha);
/* How many distinct addresses are listed. */
size_t hostaddr6_count(const struct hostaddr6 *ha);
/* Whether an address is one the map lists: not ::, ::1, link-local or
 * multicast. */
bool hostaddr6_listed(const uint8_t ip[16]);

#endif /* VTEP_HOSTADDR6_H */
