/* pods.h - the pods vtepd attached for the CNI plugin (docs/kubernetes.md),
 * kept in memory and in <state_dir>/pods.json so that a vtepd restart keeps
 * every pod's port and a node reboot leaves a record to rebuild or collect:
 *
 *   { "version": 1,
 *     "pods": [ { "container_id": "3f69...", "ifname": "eth0",
 *                 "netns": "/run/netns/cni-1234", "network": "pods",
 *                 "host_ifname": "vt1a2b3c4d5e6", "vni": 100,
 *                 "ip": "10.1.1.5", "ip6": "2001:db8:1::5",
 *                 "mac": "6e:..", "mtu": 1450,
 *                 "k8s_namespace": "default", "k8s_name": "web-0",
 *                 "k8s_uid": "...",
 *                 "egress_rate": 10000000, "egress_burst": 8000000 } ] }
 *
 * "ip" and "ip6" are each optional, one is required (a dual-stack pod has
 * both, an IPv6-only one only "ip6"); a file without "ip6" is what earlier
 * versions wrote and reads the same. "egress_rate" (bits per second) and
 * "egress_burst" (bits; absent: the default) are the pod's egress limit
 * from runtimeConfig.bandwidth (docs/kubernetes.md), written only when the
 * pod has one, so files without a limit stay readable by earlier vtepds.
 * An attachment is the CNI spec's (CNI_CONTAINERID, CNI_IFNAME) pair
 * (SPEC.md section 3, "Attachment Parameters"): at most one record each.
 * The file is written like state.json (atomically, read back strictly: a
 * damaged file stops vtepd rather than forgetting pods). This module only
 * keeps records; the root (daemon_cni.c) makes the interfaces and ports.
 * Every function returns 0 or -errno; err gets one line.
 */
#ifndef VTEP_PODS_H
#define VTEP_PODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cniname.h"
#include "config.h"

#define PODS_FILE     "pods.json"
#define PODS_VERSION  1
#define POD_ID_LEN    (CNINAME_ID_MAX + 1)
#define POD_NET_LEN   128   /* a CNI network name */
#define POD_NS_LEN    64    /* Kubernetes: a namespace is a DNS label (63) */
#define POD_NAME_LEN  254   /* a pod name is a DNS subdomain (253) */
#define POD_UID_LEN   64    /* a UID is 36 characters */

struct pod {
	char     container_id[POD_ID_LEN];
	char     ifname[CFG_IFNAMSIZ];       /* inside the pod */
	char     netns[CFG_PATH_LEN];
	char     network[POD_NET_LEN];
	char     host_ifname[CFG_IFNAMSIZ];
	uint32_t vni;
	uint32_t ip;                         /* network order, a /32 in the pod; 0: none */
	uint8_t  ip6[16];                    /* a /128 in the pod; all zero: none */
	uint8_t  mac[6];                     /* the pod end's */
	uint32_t mtu;
	char     k8s_namespace[POD_NS_LEN];
	char     k8s_name[POD_NAME_LEN];
	char     k8s_uid[POD_UID_LEN];
	uint64_t egress_rate;                /* bits/s, 0: no limit (lib/portrate.h bounds) */
	uint64_t egress_burst;               /* bits, 0: the default; only with a rate */
};

struct pods {
	struct pod *v;
	size_t n;
};

/* Reads <dir>/pods.json (a missing file: no pods). -EINVAL for content,
 * err naming the file and the field. */
int pods_load(const char *dir, struct pods *ps, char err[CFG_ERR_LEN]);
int pods_save(const char *dir, const struct pods *ps, char err[CFG_ERR_LEN]);
void pods_free(struct pods *ps);

/* A record's fields checked as the file's reader checks them (ids, names,
 * paths, an address of either family (IPv6: a unicast host address,
 * addr6_is_host()), a unicast MAC, an MTU of 68..65535, an egress rate in
 * PORTRATE_MIN_RATE..PORTRATE_MAX_RATE or 0, a burst up to
 * PORTRATE_MAX_BURST_BITS and only with a rate). -EINVAL with err. */
int pods_check(const struct pod *p, char err[CFG_ERR_LEN]);

struct pod *pods_find(const struct pods *ps, const char *container_id, const char *ifname);
/* By address: ip 0 and the all-zero ip6 find nothing. */
struct pod *pods_by_ip(const struct pods *ps, uint32_t ip);
struct pod *pods_by_ip6(const struct pods *ps, const uint8_t ip6[16]);
struct pod *pods_by_host_ifname(const struct pods *ps, const char *host_ifname);
/* Adds p, or replaces the record of its attachment. -ENOMEM. */
int pods_put(struct pods *ps, const struct pod *p);
/* Removes the attachment's record; false when there was none. */
bool pods_remove(struct pods *ps, const char *container_id, const char *ifname);

#endif /* VTEP_PODS_H */
