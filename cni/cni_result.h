/* cni_result.h - results in the spec's shape (SPEC.md section 5, "ADD
 * Success"), in the cniVersion of the request:
 *   interfaces: the host end of the veth (no sandbox) and the pod end
 *               (sandbox = CNI_NETNS), each with its MAC; "mtu" from 1.1.0;
 *   ips:        the pod's address as a /32, gateway = the VNI's gateway,
 *               interface = the pod end's index; "version": "4" before
 *               1.0.0 (0.3.x and 0.4.0 results carry it; 1.0.0 removed it);
 *   routes:     the default route via the gateway, as installed in the pod;
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
	uint32_t ip;                /* network order */
	uint32_t gateway;           /* network order */
};

/* The first IPv4 address of an IPAM result's ips[] (0.3.x results mark it
 * "version": "4"; later ones only by the address). Fails e with code 7 when
 * there is none or it is malformed. */
int cni_ipam_ipv4(struct json_object *ipam_result, uint32_t *ip, uint8_t *plen,
		  struct cni_err *e);

/* vtepd's cni.add reply data, every field checked. Code 100 when not. */
int cni_info_from_reply(struct json_object *data, struct cni_attach_info *out,
			struct cni_err *e);

/* The ADD result (caller puts it); ipam_result may be NULL. NULL when out
 * of memory. */
struct json_object *cni_result_build(const struct cni_conf *c, const struct cni_env *env,
				     const struct cni_attach_info *info,
				     struct json_object *ipam_result);

/* CHECK (SPEC.md section 2: "the plugin must consult the prevResult to
 * determine the expected interfaces and addresses"): the IPv4 address the
 * prevResult gives the interface named CNI_IFNAME in CNI_NETNS. Code 7 when
 * prevResult lacks it. */
int cni_result_find(struct json_object *prev, const char *ifname, const char *netns,
		    uint32_t *ip, struct cni_err *e);

/* The VERSION result. */
struct json_object *cni_version_result(const char *version);

/* Prints o as one line on stdout; 0 or -EIO. */
int cni_print(struct json_object *o);

#endif /* CNI_RESULT_H */
