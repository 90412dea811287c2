/* hostroute.h - the host's own path to its workloads.
 *
 * The port program passes packets for the host's addresses up the stack
 * (DESIGN.md "IPv4 from a workload"); the host answers, and reaches every
 * workload, through a /32 route on the workload's port and a permanent
 * neighbour entry with the workload's MAC:
 *	ip route replace IP/32 dev PORT scope link proto 118
 *	ip neigh replace IP lladdr MAC dev PORT nud permanent
 * and the same for a workload's IPv6 address (RFC 4291 2.5.4 global or
 * unique local, never its link-local one):
 *	ip -6 route replace IP6/128 dev PORT proto 118
 *	ip -6 neigh replace IP6 lladdr MAC dev PORT nud permanent
 * The port's host side needs no address. Routes carry our own protocol
 * number (HOSTROUTE_PROTO), so vtepd only ever replaces or deletes routes it
 * made; a route to the same /32 or /128 made by someone else is left alone
 * (and logged). `ip route show proto 118` and `ip -6 route show proto 118`
 * list ours.
 */
#ifndef VTEP_HOSTROUTE_H
#define VTEP_HOSTROUTE_H

#include <stdbool.h>
#include <stdint.h>

#define HOSTROUTE_PROTO 118 /* 'v'; unused by iproute2's rt_protos */

struct hostroute;

int hostroute_open(struct hostroute **out);
void hostroute_close(struct hostroute *h);

/* Installs or moves the /32 route (ip network order); mac may be NULL (not
 * known yet: no neighbour entry). Returns 0, -EEXIST (a foreign route holds
 * the /32) or -errno. */
int hostroute_add(struct hostroute *h, uint32_t ip, int ifindex, const uint8_t *mac);
/* Adds or replaces just the permanent neighbour entry. */
int hostroute_neigh(struct hostroute *h, uint32_t ip, int ifindex, const uint8_t mac[6]);
/* Removes our route and the neighbour entry (absent ones are fine). */
int hostroute_del(struct hostroute *h, uint32_t ip, int ifindex);

/* Deletes every route of ours in the main table for which keep() is false
 * (stale after a restart; keep NULL: all of them, for --cleanup). */
int hostroute_sweep(struct hostroute *h, bool (*keep)(void *ctx, uint32_t ip, int ifindex),
		    void *ctx);

/* The same for a /128 to a workload's IPv6 address (ip6: 16 octets). */
int hostroute6_add(struct hostroute *h, const uint8_t ip6[16], int ifindex, const uint8_t *mac);
int hostroute6_neigh(struct hostroute *h, const uint8_t ip6[16], int ifindex,
		     const uint8_t mac[6]);
int hostroute6_del(struct hostroute *h, const uint8_t ip6[16], int ifindex);
int hostroute6_sweep(struct hostroute *h,
		     bool (*keep)(void *ctx, const uint8_t ip6[16], int ifindex), void *ctx);

#endif /* VTEP_HOSTROUTE_H */
