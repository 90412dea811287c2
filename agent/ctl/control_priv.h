/* control_priv.h - the control module's insides, shared by control.c (the
 * socket server), control_dispatch.c (request validation and dispatch),
 * control_bgp.c (the peers and bgp.routes replies), control_status.c (the
 * status reply), control_pods.c (the pods reply) and control_args.c
 * (argument readers). They call one way: control.c -> control_dispatch.c
 * -> control_bgp.c, control_status.c, control_pods.c -> control_args.c.
 * The CNI socket (cnictl*.c) uses the request and the readers too. Nothing outside ctl/ includes this: the rest of vtepd
 * sees only control.h.
 */
#ifndef VTEP_CONTROL_PRIV_H
#define VTEP_CONTROL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "config.h"
#include "control.h"

/* One request on its way through control_dispatch(). */
struct req {
	struct daemon *d;
	const struct control_ops *ops;
	struct json_object *args;
	struct json_object *data;   /* reply data, owned */
	const char *note;
	char err[CFG_ERR_LEN];
	bool bad_request;           /* refused before reaching the daemon */
};

/* Argument readers (control_args.c): 0, or -EINVAL with r->err set and
 * r->bad_request true. control_bad() refuses the request with the message.
 * control_check_keys() refuses any argument not in allowed
 * (NULL-terminated). */
int control_bad(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int control_check_keys(struct req *r, const char *const *allowed);
int control_arg_vni(struct req *r, bool required, bool *present, uint32_t *vni);
/* A string without NUL characters; *s NULL when absent and not required. */
int control_arg_str(struct req *r, const char *key, bool required, const char **s);
/* A unicast host address: not 0.0.0.0, broadcast, multicast or loopback. */
int control_arg_host_ip(struct req *r, const char *key, bool required, bool *present,
			uint32_t *ip);
/* An IPv6 unicast host address: not ::, ::1, multicast, link-local or
 * IPv4-mapped (RFC 4291 2.5.2, 2.5.3, 2.5.5.2, 2.5.6, 2.7). */
int control_arg_host_ip6(struct req *r, const char *key, bool required, bool *present,
			 uint8_t ip[16]);
/* "prefix" into rt's prefix fields: A.B.C.D[/LEN] or X::Y[/LEN] without
 * host bits; an IPv6 /128 is a host address as control_arg_host_ip6 takes
 * it, a shorter IPv6 prefix neither multicast nor link-local. */
int control_arg_route_prefix(struct req *r, struct cfg_route *rt);
/* A workload or remote MAC (s, the "mac" argument): unicast and not all
 * zero. */
int control_parse_mac(struct req *r, const char *s, uint8_t mac[6]);
/* "ifname" as Linux's dev_valid_name() takes it: 1..15 bytes, not "." or
 * "..", no '/', ':' or whitespace. */
int control_arg_ifname(struct req *r, char out[CFG_IFNAMSIZ]);

/* s for a log line (control_args.c): every control character written as
 * \xNN, cut to fit buf (size >= 1). A request's command, and an error that
 * quotes its values, may hold "\n" or "\u001b": unescaped, a request could
 * forge log lines or send the terminal an escape (found by
 * tests/fuzz/fuzz_control.c). CONTROL_LOG_TEXT(n): the buffer for n bytes. */
#define CONTROL_LOG_TEXT(n) ((n) * 4 + 1)
const char *control_log_text(const char *s, char *buf, size_t size);

/* Handlers (control_bgp.c): 0 with r->data set, or -errno with r->err set. */
int control_do_peers(struct req *r);
int control_do_bgp_routes(struct req *r);
/* control_status.c */
int control_do_status(struct req *r);
/* control_pods.c: vtepctl pods */
int control_do_pods(struct req *r);

#endif /* VTEP_CONTROL_PRIV_H */
