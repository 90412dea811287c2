/* netlink.h - interfaces as rtnetlink sees them: link events (a port's
 * interface appearing, disappearing, being renamed), the queries the ports
 * need (an interface by name, a veth peer's MAC in another namespace), and,
 * for whoever watches them, IPv4 and IPv6 address events (hostaddr.h,
 * hostaddr6.h) and "the
 * underlay may have changed" (underlay.h).
 *
 * Built on libnl-3's sockets and attribute parser. Two sockets: one
 * subscribed to RTNLGRP_LINK (and RTNLGRP_IPV4_IFADDR once addresses are
 * watched), non-blocking, for the epoll loop; one synchronous for dumps and
 * requests, so a reply is never mixed with an event. An overrun event socket
 * (ENOBUFS: events were lost) triggers a full dump, which the link callback
 * sees as NEWLINKs of every interface, and the address watcher's resync.
 */
#ifndef VTEP_NETLINK_H
#define VTEP_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

struct netlink;

struct netlink_link {
	int      ifindex;
	char     ifname[16];      /* IFNAMSIZ (no <net/if.h> here: it clashes with <linux/if.h>) */
	char     kind[16];        /* IFLA_INFO_KIND: "veth", "tun" (taps), "" when none */
	unsigned short type;      /* ARPHRD_* (ARPHRD_ETHER for veths and taps) */
	bool     up;              /* IFF_UP */
	bool     deleted;         /* RTM_DELLINK */
	bool     has_mac;
	uint8_t  mac[6];          /* this interface's own address */
	int      link_ifindex;    /* IFLA_LINK: a veth's peer (0 when none) */
	int      link_netnsid;    /* IFLA_LINK_NETNSID: the peer's namespace, -1 = ours */
	char     qdisc[16];       /* IFLA_QDISC: the root qdisc's kind ("noqueue" on a
	                           * veth until a tool adds one), "" when not sent */
};

typedef void (*netlink_link_cb)(void *ctx, const struct netlink_link *l);

/* An IPv4 address (RTM_NEWADDR / RTM_DELADDR). */
struct netlink_addr {
	int      ifindex;
	uint32_t ip;              /* IFA_LOCAL (IFA_ADDRESS without it), network order */
	uint8_t  prefixlen;
	bool     deleted;         /* RTM_DELADDR */
};

typedef void (*netlink_addr_cb)(void *ctx, const struct netlink_addr *a);

/* An IPv6 address (RTM_NEWADDR / RTM_DELADDR of family AF_INET6). */
struct netlink_addr6 {
	int      ifindex;
	uint8_t  ip[16];          /* IFA_LOCAL (IFA_ADDRESS without it), network order */
	uint8_t  prefixlen;
	uint32_t flags;           /* IFA_F_* (IFA_FLAGS when the kernel sends it) */
	bool     deleted;         /* RTM_DELADDR */
};

typedef void (*netlink_addr6_cb)(void *ctx, const struct netlink_addr6 *a);
/* Events were lost: the watcher must dump (netlink_dump_addrs) and reconcile. */
typedef void (*netlink_resync_cb)(void *ctx);

/* Returns 0 or -errno. cb sees every link event and every dumped link, and
 * the link re-read after a root qdisc was added or removed (RTNLGRP_TC:
 * the kernel sends no RTM_NEWLINK for a qdisc change, only RTM_NEWQDISC /
 * RTM_DELQDISC), so that netlink_link.qdisc is always current. */
int netlink_open(netlink_link_cb cb, void *ctx, struct netlink **out);
void netlink_close(struct netlink *nl);

/* The event socket's fd (EPOLLIN), and the handler to call on it. */
int netlink_fd(const struct netlink *nl);
void netlink_handle(struct netlink *nl);

/* Calls cb for every interface (start-up scan, resync after an overrun). */
int netlink_dump_links(struct netlink *nl);

/* Subscribes the event socket to IPv4 address events: netlink_handle() then
 * hands each to cb, and calls resync after an overrun. One watcher (-EBUSY
 * for a second); cb NULL removes it. Call it before the first
 * netlink_dump_addrs(), so that no change falls between the dump and the
 * events. Returns 0 or -errno. */
int netlink_watch_addrs(struct netlink *nl, netlink_addr_cb cb, netlink_resync_cb resync,
			void *ctx);
/* Subscribes the event socket to IPv4 route and neighbour events as well:
 * netlink_handle() then calls cb once after reading a burst of events in
 * which an IPv4 route, an IPv4 neighbour or a link changed, and after an
 * overrun (events were lost). One watcher (-EBUSY for a second); cb NULL
 * removes it. Returns 0 or -errno. */
typedef void (*netlink_change_cb)(void *ctx);
int netlink_watch_underlay(struct netlink *nl, netlink_change_cb cb, void *ctx);

/* Calls cb for every IPv4 address of the namespace (RTM_GETADDR dump). */
int netlink_dump_addrs(struct netlink *nl, netlink_addr_cb cb, void *ctx);

/* The same for IPv6 addresses (RTNLGRP_IPV6_IFADDR; hostaddr6.h): a
 * watcher of its own, beside the IPv4 one. */
int netlink_watch_addrs6(struct netlink *nl, netlink_addr6_cb cb, netlink_resync_cb resync,
			 void *ctx);
int netlink_dump_addrs6(struct netlink *nl, netlink_addr6_cb cb, void *ctx);

/* One interface by name: 0 and *out filled, -ENODEV when absent. */
int netlink_link_by_name(struct netlink *nl, const char *ifname, struct netlink_link *out);
/* An interface by index, in our namespace (netnsid -1) or in the namespace
 * with that id as our namespace numbers it (IFLA_TARGET_NETNSID, for a veth
 * peer that lives in a workload's namespace). */
int netlink_link_by_index(struct netlink *nl, int ifindex, int netnsid, struct netlink_link *out);

#endif /* VTEP_NETLINK_H */
