/* control_test_util.h - the fixture of the control tests (test_control_*.c):
 * a fake daemon, a struct control_ops table that records what it was asked
 * and fails when told to, and the dispatch of one request through it
 * (control_dispatch, no socket) with the checks of an accepted or a refused
 * one. The code is in control_test_util.c.
 *
 * One fixture for every command family, because every family's requests go
 * through the same table: the socket tests serve it too, and a refused
 * request is one the table never saw.
 */
#ifndef CONTROL_TEST_UTIL_H
#define CONTROL_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "ctlproto.h"

/* What the fake daemon was asked (ct_reset() clears it). */
struct ct_record {
	int route_add, route_del, port_add, port_del, reload;
	struct cfg_route r;
	uint32_t del_vni, del_prefix;
	uint8_t del_len;
	struct cfg_route del;
	struct cfg_port p;
	char ifname[CFG_IFNAMSIZ];
	int fail;              /* errno the next call fails with */
	size_t npeers;
};
extern struct ct_record ct_rec;

/* Two pods, given out of order: the reply sorts them by attachment. The
 * tests set their addresses. */
extern struct pod ct_pod_v[2];

/* The fake daemon: route and port edits and reload recorded in ct_rec;
 * peers (ct_rec.npeers of them), one uplink in tc mode (status), the pods
 * of ct_pod_v; no bgp.routes, no configuration. */
extern const struct control_ops ct_ops;
/* Its peers op, for tables of other tests' own ops: ct_rec.npeers peers,
 * filling at most max (like the daemon's). */
size_t ct_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max);

/* The daemon handed to control_dispatch and control_open_ops: never
 * dereferenced. */
extern struct daemon *const ct_daemon;
/* control_dispatch's count of malformed requests (ct_reset() clears it). */
extern uint64_t ct_errors;

/* Clears ct_rec and ct_errors. */
void ct_reset(void);

/* Dispatches msg through ct_ops; returns the parsed reply (the caller puts
 * it), ok in *ok. The reply must be one decodable line. */
struct json_object *ct_call(const char *msg, bool *ok, const char **error,
			    struct json_object **data);
/* The same through another operations table. */
struct json_object *ct_call_ops(const struct control_ops *ops, const char *msg, bool *ok,
				const char **error, struct json_object **data);
/* msg is refused with an error mentioning what, and counted. */
void ct_refused(const char *msg, const char *what);
/* msg is accepted. */
void ct_accepted(const char *msg);

#endif /* CONTROL_TEST_UTIL_H */
