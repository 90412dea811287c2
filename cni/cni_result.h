/* cni_result.h - results in the spec's shape (SPEC.md section 5, "ADD
 * Success"), in the cniVersion of the request:
 *   interfaces: the host end of the veth (no sandbox) and the pod end
 *               (sandbox = CNI_NETNS), each with its MAC; "mtu" from 1.1.0;
 *   ips:        the pod's IPv4 address as a /32, gateway = the VNI's
 *               gateway, and its IPv6 address as a /128, gateway = the VNI
 *               gateway's link-local address (a dual-stack pod has both,
 *               IPv4 first; an IPv6-only pod only the second);
 *               interface = the pod end's index; "version": "4" or "6"
 *               before 1.0.0 (0.3.x and 0.4.0 results carry it; 1.0.0
 *               removed it, the address tells);
 *   routes:     the default routes via the gateways (0.0.0.0/0, ::/0), as
 *               installed in the pod;
 *   dns:        the config's "dns", else the IPAM plugin's.
 * A prevResult (a chained ADD) is kept and ours is appended to it, indexes
 * shifted ("Plugins provided a prevResult ... must output it as their
 * result, with any possible modifications made by that plugin included").
 */
#ifndef CNI_RESULT_H
#define CNI_RESULT_H

#include <stdint.h>
#include <json-c/json.h>

#include "cni_conf.h"
#include "cni_env.h"
#include "cni_err.h"

/* What vtepd made for an attachment (its cni.add reply). */
struct cni_attach_info {
	char     host_ifname[16];
	char     host_mac[18];
	char     mac[18];           /* the pod end's */
	uint32_t mtu;
	uint32_t ip;                /* network order; 0: no IPv4 */
	uint32_t gateway;           /* network order */
	uint8_t  ip6[16];           /* all zero: no IPv6 */
	uint8_t  gateway6[16];
};

/* A pod's addresses: IPv4, IPv6 or both. */
struct cni_addrs {
	uint32_t ip;                /* network order; 0: none */
	uint8_t  plen;
	uint8_t  ip6[16];           /* all zero: none */
	uint8_t  plen6;
};

/* The first IPv4 and the first IPv6 address of an IPAM result's ips[]
 * (host-local with two ranges gives one of each). 0.3.x results mark each
 * with "version" ("4", "6"), which must then agree with the address; later
 * ones only by the address. Fails e with code 7 when there is none, or one
 * is malformed. */
int cni_ipam_addrs(struct json_object *ipam_result, struct cni_addrs *out, struct cni_err *e);

/* vtepd's cni.add reply data, every field checked ("ip" and "gateway",
 * "ip6" and "gateway6": each pair together, at least one). Code 100 when
 * not. */
int cni_info_from_reply(struct json_object *data, struct cni_attach_info *out,
			struct cni_err *e);

/* The ADD result (caller puts it); ipam_result may be NULL. NULL when out
 * of memory. */
struct json_object *cni_result_build(const struct cni_conf *c, const struct cni_env *env,
				     const struct cni_attach_info *info,
				     struct json_object *ipam_result);

/* CHECK (SPEC.md section 2: "the plugin must consult the prevResult to
 * determine the expected interfaces and addresses"): the first IPv4 and
 * the first IPv6 address the prevResult gives the interface named
 * CNI_IFNAME in CNI_NETNS. Code 7 when prevResult has neither. */
int cni_result_find(struct json_object *prev, const char *ifname, const char *netns,
		    struct cni_addrs *out, struct cni_err *e);

/* The VERSION result. */
struct json_object *cni_version_result(const char *version);

/* Prints o as one line on stdout; 0 or -EIO. */
int cni_print(struct json_object *o);

#endif /* CNI_RESULT_H */
