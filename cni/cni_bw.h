/* cni_bw.h - runtimeConfig.bandwidth (CONVENTIONS.md of
 * containernetworking/cni, "Bandwidth": the capability "bandwidth"), as
 * kubelet fills it from a pod's kubernetes.io/ingress-bandwidth and
 * kubernetes.io/egress-bandwidth annotations:
 *
 *   "runtimeConfig": { "bandwidth": { "ingressRate": 1000000, "ingressBurst": 0,
 *                                     "egressRate": 10000000, "egressBurst": 0 } }
 *
 * Rates in bits per second, bursts in bits; 0 (or absent) is "none", which
 * is how runtimes fill the keys of the annotation a pod does not have
 * (containerd sends every key, with rate 0 and its own burst). vtepd-cni
 * takes the egress pair: vtepd polices what the pod sends
 * (docs/kubernetes.md, "The bandwidth plugin"); the ingress pair is left
 * to Debian's bandwidth plugin, and only its shape is checked here.
 * Errors: code 7 naming the key (a non-integer, a negative value, a rate
 * outside lib/portrate.h's 1000..10^15, a burst over 8 * (2^32 - 1),
 * an unknown key, a bandwidth that is no object).
 */
#ifndef CNI_BW_H
#define CNI_BW_H

#include <stdint.h>
#include <json-c/json.h>

#include "cni_err.h"

struct cni_bw {
	uint64_t egress_rate;           /* bits/s; 0: no egress limit */
	uint64_t egress_burst;          /* bits; 0: vtepd's default; 0 without a rate */
};

/* runtime_config: the configuration's runtimeConfig (NULL, or not an
 * object: no bandwidth). 0, or -7 with e set. */
int cni_bw_parse(struct json_object *runtime_config, struct cni_bw *out, struct cni_err *e);

#endif /* CNI_BW_H */
