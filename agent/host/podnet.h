/* podnet.h - a pod's network plumbing for the CNI service
 * (docs/kubernetes.md): a veth pair whose host end vtepd makes a port and
 * whose pod end lives in the pod's network namespace, configured as the
 * data path expects a workload to be:
 *   pod end:  named CNI_IFNAME, MTU as asked, address IP/32, up;
 *             default route via the VNI's gateway, onlink (the gateway is
 *             not inside a /32: without onlink the kernel refuses the
 *             route, ENETUNREACH); lo up
 *   host end: named from the attachment (cniname.h), same MTU, up
 *   IPv6 (a dual-stack or IPv6-only pod, ip6 given): IPv6 enabled on the
 *             pod end and lo (disable_ipv6=0, as the CNI project's
 *             ipam.ConfigureIface does: a namespace may start with it
 *             off), router advertisements ignored on the pod end
 *             (accept_ra=0: the pod's addresses are IPAM's, and the
 *             datapath lets a workload send from its own addresses only),
 *             address IP6/128 without duplicate address detection
 *             (IFA_F_NODAD: IPAM made it unique; RFC 4862 s.5.4 lets a
 *             node skip it), default route ::/0 via gateway6 (the VNI
 *             gateway's link-local address, which the port program's ND
 *             proxy answers for) on the pod end. A pod without ip has no
 *             IPv4 address nor IPv4 route.
 * The pod answers nothing else: its ARP for the gateway is answered by the
 * port program (DESIGN.md "ARP from a workload"), its neighbour
 * solicitations by the port program's ND proxy (docs/design.md).
 *
 * Namespaces: setns(2) changes the namespace of the calling thread only,
 * and vtepd's event loop must stay in the host's. So the pod's namespace
 * is entered on a short-lived thread that only opens a netlink socket
 * there and exits; a netlink socket stays bound to the namespace it was
 * created in, so every request on it, made from the loop's thread,
 * acts inside the pod. The veth is created in one request with its peer
 * already in the pod (IFLA_NET_NS_FD on the peer), so the pod's interface
 * name never has to be free in the host's namespace.
 *
 * Everything is libnl-3 requests on sockets made per call, and returns 0 or
 * -errno with err naming the step.
 */
#ifndef VTEP_PODNET_H
#define VTEP_PODNET_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"

struct podnet_spec {
	const char *netns;          /* path of the pod's namespace */
	const char *ifname;         /* the pod end's name */
	const char *host_ifname;
	uint32_t    ip;             /* network order; 0: no IPv4 */
	uint32_t    gateway;        /* network order */
	uint32_t    mtu;
	uint8_t     ip6[16];        /* all zero: no IPv6 */
	uint8_t     gateway6[16];   /* the IPv6 default route's next hop */
};

struct podnet_made {
	uint8_t mac[6];             /* the pod end's, as the kernel chose it */
	uint8_t host_mac[6];
	int     host_ifindex;
};

/* Makes everything above. On failure nothing is left: the host end is
 * deleted again (its peer goes with it). -ENOENT: no such namespace;
 * -EINVAL: the path is not a network namespace; -EEXIST: CNI_IFNAME is
 * taken in the pod, or the host name is taken. */
int podnet_create(const struct podnet_spec *s, struct podnet_made *out, char err[CFG_ERR_LEN]);

/* Deletes the host end (the kernel deletes the pod end with it). 0 also
 * when it is already gone. */
int podnet_delete(const char *host_ifname);

/* Whether an interface of that name exists in our namespace. */
bool podnet_exists(const char *ifname);

/* CHECK: the pod end exists in the namespace with mac, is up, holds IP/32
 * (and IP6/128), and the default route (and the IPv6 one) goes via the
 * gateway (gateway6); the host end exists and is up. -ENOENT / -EINVAL with err naming what is wrong. */
int podnet_check(const struct podnet_spec *s, const uint8_t mac[6], char err[CFG_ERR_LEN]);

/* An interface's MTU in our namespace (the uplink's). */
int podnet_link_mtu(const char *ifname, uint32_t *mtu);

#endif /* VTEP_PODNET_H */
