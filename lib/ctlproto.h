/* ctlproto.h - the control socket's wire protocol, shared by vtepd
 * (agent/ctl/control.c) and vtepctl.
 *
 * Transport: a Unix stream socket. Each message is one JSON object on one
 * line, terminated by '\n' (JSON text never contains a raw newline, so no
 * escaping is needed). A message, newline included, is at most
 * CTLPROTO_MAX_MSG bytes; the server answers a longer one with an error and
 * closes the connection. A client may send several requests on one
 * connection; each gets exactly one reply, in order. A final request not
 * terminated by '\n' is still read when the client shuts down its write side.
 *
 *   request: {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.1.0.22/32",
 *             "vtep": "192.0.2.2", "mac": "02:00:00:00:00:22"}}
 *   reply:   {"ok": true, "data": <any JSON>}     (data null when nothing to say)
 *            {"ok": false, "error": "one line for the user"}
 *
 * "args" is optional (an empty object when absent). Numbers are JSON
 * integers, addresses are their usual text forms (lib/addr.h). The commands
 * are listed in CTLPROTO_CMDS below with their arguments.
 */
#ifndef VTEP_CTLPROTO_H
#define VTEP_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#ifndef VTEP_VERSION
#define VTEP_VERSION "0.1.0"
#endif

#define CTLPROTO_MAX_MSG     65536  /* bytes, including the '\n' */
#define CTLPROTO_DEFAULT_SOCK "/run/vtepd/vtepd.sock"
#define CTLPROTO_TIMEOUT_MS  10000  /* vtepctl's wait for a reply */

/* Commands (cmd string - args):
 *   routes.add  - vni, prefix, vtep, mac          (all required)
 *   routes.del  - vni, prefix
 *   ports.add   - ifname, vni, ip, [mac | "auto"]
 *   ports.del   - ifname
 *   reload      - none
 *   peers       - none; data: [{address, asn, state, uptime_s, prefixes_received}]
 *   bgp.routes  - [vni], [peer], [prefix]; data: [] (no BGP RIB yet), plus "note"
 *   version     - none; data: {version, layout_version}
 *   status      - none; data: {version, features: {NAME: bool}, feature_notes:
 *                 {NAME: why}, xdp_program, test_override, uplinks: [{ifname,
 *                 ifindex, attached, mode ("xdp"|"tc"), generic, reason}]}
 *   pods        - none; data: [{container_id, netns, ifname, host_ifname, vni,
 *                 ip, mac, mtu, network, k8s_namespace, k8s_name, k8s_uid}]
 *                 (the CNI service's pods, docs/kubernetes.md)
 */
#define CTLPROTO_CMD_ROUTES_ADD "routes.add"
#define CTLPROTO_CMD_ROUTES_DEL "routes.del"
#define CTLPROTO_CMD_PORTS_ADD  "ports.add"
#define CTLPROTO_CMD_PORTS_DEL  "ports.del"
#define CTLPROTO_CMD_RELOAD     "reload"
#define CTLPROTO_CMD_PEERS      "peers"
#define CTLPROTO_CMD_BGP_ROUTES "bgp.routes"
#define CTLPROTO_CMD_VERSION    "version"
#define CTLPROTO_CMD_STATUS     "status"
#define CTLPROTO_CMD_PODS       "pods"

/* json_object_to_json_string_ext() flags for everything we emit: no "\/"
 * (prefixes contain slashes), no pretty printing. */
#define CTLPROTO_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Encoders return a malloc'ed, '\n'-terminated line (*len excludes the NUL)
 * or NULL with errno set (-EMSGSIZE when over CTLPROTO_MAX_MSG). They take
 * no ownership of args/data. */
char *ctlproto_encode_request(const char *cmd, struct json_object *args, size_t *len);
char *ctlproto_encode_ok(struct json_object *data, size_t *len);
/* note: optional extra top-level "note" string (NULL for none). */
char *ctlproto_encode_ok_note(struct json_object *data, const char *note, size_t *len);
char *ctlproto_encode_error(const char *msg, size_t *len);
/* An error with a number for programs: {"ok": false, "error": msg, "code":
 * code}. The CNI socket sends the CNI spec's error code this way
 * (agent/ctl/cnictl.h); clients that do not know "code" ignore it. */
char *ctlproto_encode_error_code(const char *msg, int code, size_t *len);

/* Decodes one message (with or without its trailing '\n'). On success
 * *cmd points into *root's storage and *args is the args object (a new empty
 * object held by *root when absent); the caller puts *root. Returns 0 or
 * -EMSGSIZE, -EPROTO (invalid or truncated JSON, err says which),
 * -EINVAL (not an object, cmd missing or not a string, args not an object). */
int ctlproto_decode_request(const char *buf, size_t len, struct json_object **root,
			    const char **cmd, struct json_object **args,
			    char *err, size_t errlen);

/* Decodes a reply. *ok tells which kind; *data (ok) or *error (not ok)
 * point into *root, which the caller puts. *note may be NULL. Returns 0 or
 * -EMSGSIZE / -EPROTO / -EINVAL as above. */
int ctlproto_decode_reply(const char *buf, size_t len, struct json_object **root,
			  bool *ok, struct json_object **data, const char **error,
			  const char **note, char *err, size_t errlen);

/* Client side: connects to path, sends one request, waits (at most
 * timeout_ms) for the reply. Returns:
 *   0          reply received (check *ok); caller puts *root
 *   -ENOENT, -ECONNREFUSED, -EACCES, -ETIMEDOUT, ...  vtepd not reachable
 *   -EPROTO    the reply was not a valid message
 * err holds one line describing any failure. */
int ctlproto_call(const char *path, const char *cmd, struct json_object *args,
		  int timeout_ms, struct json_object **root, bool *ok,
		  struct json_object **data, const char **error, const char **note,
		  char *err, size_t errlen);

/* Strict integer argument parsing shared by both sides: decimal only, no
 * sign, no trailing garbage, within [min, max]. Returns 0 or -EINVAL. */
int ctlproto_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

#define CTLPROTO_VNI_MAX 16777215u  /* 24-bit VXLAN Network Identifier (RFC 7348) */

#endif /* VTEP_CTLPROTO_H */
