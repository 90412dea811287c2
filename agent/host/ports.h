/* ports.h - workload ports: configured by name, attached when their
 * interface exists (DESIGN.md "Ports and VNIs").
 *
 * A port is configured (config file or vtepctl) whether or not its interface
 * exists. When the interface appears (now, or later through a link event) the
 * port is attached: its map entries are written (mapsync), the port program
 * is attached to its clsact ingress, and the host gets a /32 route (and a
 * /128 to its ip6) and a neighbour entry (hostroute). Its vtep_ports entry
 * carries ip6 and the link-local address: the configured ip6_ll, else the
 * EUI-64 one of the MAC once the MAC is known (RFC 4291 2.5.1). When the interface disappears the port is
 * withdrawn from the maps but stays configured, and comes back with the
 * interface. Renaming an interface away from a port's name withdraws it.
 *
 * The workload's MAC ("mac": "auto") is never the host-side interface's: for
 * a veth it is the peer's address, read through netlink in the peer's
 * namespace; for a tap (link kind "tun") or when the peer cannot be read, it
 * is learned from the port program's VTEP_EV_MAC_LEARN event and then fixed.
 */
#ifndef VTEP_PORTS_H
#define VTEP_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "netlink.h"

struct loader;
struct mapsync;
struct hostroute;
struct ports;

/* What the ports act on. Any pointer may be NULL in tests (that step is
 * skipped); ports_map_fd < 0 when there is no map to adopt MACs from. */
struct ports_env {
	struct loader    *ld;
	struct mapsync   *ms;
	struct netlink   *nl;
	struct hostroute *hr;
	int               ports_map_fd; /* vtep_ports: learned MACs of a previous run */
};

/* A port as vtepd holds it (read-only for callers). */
struct port {
	struct cfg_port cfg;
	int      ifindex;       /* 0 while the interface is absent */
	bool     attached;
	bool     tap;
	bool     mac_known;
	uint8_t  mac[6];        /* the workload's MAC once known */
	bool     host_route;    /* our /32 route is installed (needs the link up) */
	bool     host_route6;   /* our /128 route to cfg.ip6 is installed */
	bool     shaped;        /* a veth with a root qdisc of someone's (VTEP_PORT_F_SHAPED) */
	int      attach_err;    /* -errno of the last failed attach (0: none); -E2BIG: a full
				 * vtep_ports (limits.ports) */
};

int ports_new(const struct ports_env *env, struct ports **out);
void ports_free(struct ports *ps);

/* Configures a port and attaches it if its interface exists. -EEXIST when
 * the ifname is already a port. */
int ports_add(struct ports *ps, const struct cfg_port *p);
/* Withdraws (maps, host route, our TC filter) and forgets a port. */
int ports_del(struct ports *ps, const char *ifname);

const struct port *ports_find(const struct ports *ps, const char *ifname);
size_t ports_count(const struct ports *ps);
/* Iterates: *pos = 0 first; NULL at the end. No add/del in between. */
const struct port *ports_next(const struct ports *ps, size_t *pos);

/* A link event or dumped link (netlink callback). */
void ports_link_event(struct ports *ps, const struct netlink_link *l);
/* A VTEP_EV_MAC_LEARN event: fixes an auto MAC not known yet. The frame
 * came from the port's IPv4 address (ports_mac_learned) or from its IPv6
 * one (ports_mac_learned6, a family 6 event). */
void ports_mac_learned(struct ports *ps, int ifindex, uint32_t ip, const uint8_t mac[6]);
void ports_mac_learned6(struct ports *ps, int ifindex, const uint8_t ip6[16],
			const uint8_t mac[6]);
/* vtep_port_rates (ratemap.h), or -1 (the default: limits are not
 * written). A port whose cfg has an egress_rate gets an entry while it is
 * attached; its entry goes when it is withdrawn. */
void ports_set_rates_map(struct ports *ps, int fd);
/* Deletes the entries of vtep_port_rates no attached port with a limit
 * owns (left by an earlier run); *removed counts them. */
int ports_rates_prune(struct ports *ps, size_t *removed);

/* The port on ifindex, or NULL. */
const struct port *ports_by_ifindex(const struct ports *ps, int ifindex);

#endif /* VTEP_PORTS_H */
