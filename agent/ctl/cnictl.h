/* cnictl.h - vtepd's CNI socket: what vtepd-cni asks (docs/kubernetes.md).
 *
 * A Unix stream socket, mode 0600, at config.cni_socket, served by the
 * control socket's server (control_open_server(): the same non-blocking
 * loop, framing and limits of lib/ctlproto.h, more clients at once: a node
 * starting many pods runs one vtepd-cni each). Commands and arguments:
 *
 *   cni.add    container_id, ifname, netns, network, vni, ip and/or ip6,
 *              [mtu], [k8s: {namespace, name, uid}],
 *              [egress_rate, [egress_burst]]
 *              data: {host_ifname, host_mac, mac, mtu, [ip, gateway],
 *                     [ip6, gateway6]}
 *   cni.del    container_id, ifname, [network], [netns]   data: {removed}
 *   cni.check  container_id, ifname, netns, network, vni, ip and/or ip6,
 *              [egress_rate, [egress_burst]]
 *   cni.gc     network, valid: [{container_id, ifname}]
 *              data: {removed: [{container_id, ifname}]}
 *   cni.status data: {ready: true, pods: N}
 *
 * A refusal carries the CNI spec's error code for the plugin to pass on
 * ({"ok": false, "error": "...", "code": N}): 7 for a request that does
 * not fit the configuration (unknown VNI, address outside its subnet or
 * taken), 3 when the container is unknown (no such namespace; CHECK of an
 * attachment vtepd does not have), 11 when vtepd is busy, 100 otherwise.
 * Every argument is checked here, before the daemon is called.
 *
 * The egress limit (runtimeConfig.bandwidth's egressRate and egressBurst,
 * docs/kubernetes.md): egress_rate in bits per second (1000..10^15,
 * Kubernetes' bounds), egress_burst in bits (1..8 * (2^32 - 1), only with
 * a rate; absent: 100 ms at the rate); the port then polices what the pod
 * sends (vtep_port_rates). CHECK compares them with the record.
 *
 * IPv6 (a dual-stack or IPv6-only pod): "ip6" is the pod's address from
 * IPAM (a unicast host address, the rules of control_arg_host_ip6()); at
 * least one of "ip" and "ip6" is required. The reply has "ip" and
 * "gateway" when the pod has IPv4, "ip6" and "gateway6" when it has IPv6:
 * gateway6 is the VNI gateway's link-local address (fe80:: and the
 * modified EUI-64 of its MAC, RFC 4291 2.5.6 and appendix A), the next hop
 * of the pod's IPv6 default route (RFC 4861 s.8: routers are known by their
 * link-local addresses).
 */
#ifndef VTEP_CNICTL_H
#define VTEP_CNICTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "control.h"
#include "pods.h"

#define CNICTL_MAX_CLIENTS 256

#define CNICTL_CMD_ADD    "cni.add"
#define CNICTL_CMD_DEL    "cni.del"
#define CNICTL_CMD_CHECK  "cni.check"
#define CNICTL_CMD_GC     "cni.gc"
#define CNICTL_CMD_STATUS "cni.status"

/* What vtepd made for an attachment. */
struct cnictl_made {
	char     host_ifname[CFG_IFNAMSIZ];
	uint8_t  host_mac[6];
	uint8_t  mac[6];
	uint32_t mtu;
	uint32_t ip;            /* network order; 0: the pod has no IPv4 */
	uint32_t gateway;       /* network order */
	uint8_t  ip6[16];       /* all zero: the pod has no IPv6 */
	uint8_t  gateway6[16];
};

/* One attachment of cni.gc's valid list (pointers into the request). */
struct cnictl_attachment {
	const char *container_id;
	const char *ifname;
};

typedef void (*cnictl_removed_fn)(void *ctx, const struct pod *p);

/* What the socket may ask of the daemon (daemon.c owns the table; tests
 * pass their own). Each returns 0 or -errno with err set: -EINVAL a request
 * that does not fit the configuration, -ENOENT an unknown container,
 * -EAGAIN busy; anything else is a failure. */
struct cnictl_ops {
	/* req has every field but host_ifname and mac; mtu 0: vtepd's
	 * default (the uplink's MTU - 50). */
	int (*add)(struct daemon *d, const struct pod *req, struct cnictl_made *out,
		   char err[CFG_ERR_LEN]);
	/* 0 also when the attachment is unknown (*removed false). */
	int (*del)(struct daemon *d, const char *container_id, const char *ifname, bool *removed,
		   char err[CFG_ERR_LEN]);
	int (*check)(struct daemon *d, const struct pod *req, char err[CFG_ERR_LEN]);
	/* Removes the pods of network not in valid[0..n); calls removed() for
	 * each one. */
	int (*gc)(struct daemon *d, const char *network, const struct cnictl_attachment *valid,
		  size_t n, cnictl_removed_fn removed, void *ctx, char err[CFG_ERR_LEN]);
	/* How many pods vtepd holds. */
	size_t (*count)(const struct daemon *d);
};

int cnictl_open(struct daemon *d, const struct cnictl_ops *ops, const char *path,
		struct control **out);

/* One message to its reply (no socket), as control_dispatch().
 * requester_gone: the plugin that sent it has closed its socket, having
 * given up at its deadline. An ADD is then refused without being done:
 * the plugin has released the address to its IPAM and failed the ADD, so
 * a pod made now would hold an address IPAM may hand out again. Other
 * commands still run (a DEL, idempotent, must never be lost). The plugin
 * follows a failed ADD with a DEL, which undoes an ADD vtepd did after
 * all (it reached vtepd's queue before the plugin gave up: one thread
 * serves the socket in order, so the DEL comes after it). */
char *cnictl_dispatch(struct daemon *d, const struct cnictl_ops *ops, const char *msg,
		      size_t len, uint64_t *errors, bool requester_gone);

#endif /* VTEP_CNICTL_H */
