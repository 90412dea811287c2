/* cni_conf.h - the network configuration vtepd-cni reads on stdin (SPEC.md
 * section 1 "Plugin configuration objects" and section 3 "Deriving request
 * configuration"):
 *
 *   { "cniVersion": "1.1.0", "name": "pods", "type": "vtepd-cni",
 *     "vni": 100,                              required, 1..16777215
 *     "socket": "/run/vtepd/cni.sock",         optional, vtepd's CNI socket
 *     "mtu": 1450,                             optional, 68..65535
 *     "ipam": { "type": "host-local", ... },   required for ADD
 *     "dns": { "nameservers": [...], "domain": "...", "search": [...],
 *              "options": [...] },             optional, copied to the result
 *     -- inserted by the runtime --
 *     "runtimeConfig": {"bandwidth": {...}, ...}, "args": {...}, "prevResult": {...},
 *     "cni.dev/valid-attachments": [ {"containerID", "ifname"} ]   (GC) }
 *
 * Keys the spec reserves for the runtime (runtimeConfig, args, keys under cni.dev/)
 * and well-known ones we can honour are accepted; "ipMasq": true is refused
 * (vtepd does not masquerade), and so is any other key (code 2, with the
 * key and its value, as the spec asks). The parsed values point into the
 * JSON tree the struct owns. runtimeConfig.bandwidth (the "bandwidth"
 * capability) is read by cni_bw.h: its egress pair goes to vtepd.
 */
#ifndef CNI_CONF_H
#define CNI_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "cni_bw.h"
#include "cni_env.h"
#include "cni_err.h"

#define CNI_DEFAULT_SOCKET "/run/vtepd/cni.sock"
#define CNI_SOCKET_LEN     108          /* sun_path */
#define CNI_VNI_MAX        16777215u    /* 24 bits (RFC 7348) */
#define CNI_MAX_ATTACHMENTS 65536

struct cni_attachment {
	const char *container_id;
	const char *ifname;
};

struct cni_conf {
	struct json_object *root;       /* owns everything below */
	const char *version;            /* cniVersion */
	int vnum;                       /* cni_ver_num(version) */
	const char *name;
	const char *type;
	uint32_t vni;
	char socket[CNI_SOCKET_LEN];
	uint32_t mtu;                   /* 0: vtepd chooses (uplink MTU - 50) */
	struct json_object *ipam;       /* NULL when absent */
	const char *ipam_type;
	struct json_object *dns;        /* NULL when absent */
	struct json_object *prev_result;/* NULL when absent */
	struct cni_bw bandwidth;        /* runtimeConfig.bandwidth's egress pair (cni_bw.h) */
	struct cni_attachment *valid;   /* GC: cni.dev/valid-attachments (malloc'ed) */
	size_t n_valid;
};

/* Parses and checks the configuration for command cmd. Errors: code 6
 * (not JSON), 1 (cniVersion not supported), 2 (unsupported field), 7
 * (a known field with a bad value, or one cmd needs missing). On error c
 * owns nothing. */
int cni_conf_parse(const char *text, size_t len, enum cni_cmd cmd, struct cni_conf *c,
		   struct cni_err *e);
void cni_conf_free(struct cni_conf *c);

#endif /* CNI_CONF_H */
