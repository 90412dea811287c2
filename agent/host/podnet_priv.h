/* podnet_priv.h - shared by podnet.c (the veth, the host end, the entry
 * points) and podnet_ns.c (the pod's namespace: its socket, the pod end's
 * setup and check). podnet.c -> podnet_ns.c. */
#ifndef VTEP_PODNET_PRIV_H
#define VTEP_PODNET_PRIV_H

#include <stdint.h>
#include "podnet.h"

struct nl_sock;

/* A NETLINK_ROUTE socket inside the namespace at path (see podnet.h).
 * -ENOENT: no such file; -EINVAL: not a network namespace. *nsfd stays
 * open for the caller (the veth request names the namespace by it). */
int podnet_ns_socket(const char *path, struct nl_sock **sk, int *nsfd, char err[CFG_ERR_LEN]);

/* IPv6 on in the namespace behind nsfd for ifname and lo, router
 * advertisements ignored on ifname (podnet.h); from a thread of its own,
 * as /proc/sys/net is the opener's namespace. */
int podnet_ns_enable6(int nsfd, const char *ifname, char err[CFG_ERR_LEN]);

/* The pod end: addresses, up, lo up, default routes. mac gets its address. */
int podnet_ns_setup(struct nl_sock *sk, const struct podnet_spec *s, uint8_t mac[6],
		    char err[CFG_ERR_LEN]);
/* Whether ifname exists in the socket's namespace: 1, 0, or -errno. */
int podnet_ns_has_link(struct nl_sock *sk, const char *ifname);
int podnet_ns_check(struct nl_sock *sk, const struct podnet_spec *s, const uint8_t mac[6],
		    char err[CFG_ERR_LEN]);

/* Sets IFF_UP on the link at ifindex. */
int podnet_link_up(struct nl_sock *sk, int ifindex);

#endif /* VTEP_PODNET_PRIV_H */
