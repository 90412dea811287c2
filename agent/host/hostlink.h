/* hostlink.h - a VNI's host link: how the host itself joins a VNI whose
 * outside is "host" (docs/kubernetes.md "The host link").
 *
 * A veth pair in the host's namespace:
 *	vtep<VNI>   the host end: host_ip/32, IPv4 forwarding on, and the
 *	            route to the VNI's subnet:
 *	              ip route replace SUBNET via GATEWAY dev vtep<VNI> onlink \
 *	                src HOST_IP proto 118
 *	vtep<VNI>d  the datapath end: a vtepd port of the VNI with host_ip
 *	            (VTEP_PORT_F_HOSTLINK), so the port program forwards what
 *	            the host sends (encapsulated to the remote pod's VTEP) and
 *	            host_ip is advertised as a type-2 route like any port.
 * The host reaches the pods of other nodes through it (kubelet probes,
 * NodePorts, hostNetwork pods) with host_ip as source, and their replies
 * come back the same way: to host_ip, in VXLAN, delivered to the datapath
 * end's egress, received by the host end. Local pods keep their /32 routes
 * (more specific than the subnet). The host's ARP for the gateway is
 * answered by the port program (onlink: one neighbour entry, not one per
 * remote pod); arp_announce 2 makes its source host_ip whatever packet
 * triggered it (RFC 826 needs a sender the port accepts).
 *
 * Names: "vtep" + the VNI in decimal (at most 8 digits) + "d": 13 characters
 * at most, within IFNAMSIZ. No dummy, VRF or macvlan device is needed, so
 * any kernel with veth runs it.
 *
 * Every function is idempotent and returns 0 or -errno with err naming
 * the step.
 */
#ifndef VTEP_HOSTLINK_H
#define VTEP_HOSTLINK_H

#include <stdint.h>
#include "config.h"

struct hostlink_spec {
	uint32_t vni;
	uint32_t host_ip;   /* network order */
	uint32_t subnet;    /* network order */
	uint8_t  prefixlen;
	uint32_t gateway;   /* network order */
	uint32_t mtu;       /* both ends */
};

/* "vtep<VNI>" and "vtep<VNI>d". */
void hostlink_names(uint32_t vni, char host[CFG_IFNAMSIZ], char dp[CFG_IFNAMSIZ]);

/* Makes or completes the pair, its settings, address and route. */
int hostlink_up(const struct hostlink_spec *s, char err[CFG_ERR_LEN]);

/* Deletes the pair (the kernel takes the route and address with it). */
int hostlink_delete(uint32_t vni);

#endif /* VTEP_HOSTLINK_H */
