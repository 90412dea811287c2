/* control.h - vtepctl's control socket (DESIGN.md "Interfaces", vtepctl).
 *
 * A Unix stream socket, mode 0600, at config.control_socket. The wire
 * protocol is lib/ctlproto.h: newline-delimited JSON requests
 * {"cmd":"routes.add","args":{...}} answered by {"ok":true,"data":...} or
 * {"ok":false,"error":"..."}; a message longer than CTLPROTO_MAX_MSG is
 * refused and the connection closed.
 *
 * The module never blocks the daemon's event loop: the listening socket and
 * every client are non-blocking, each client has its own input and output
 * buffer, partial reads and writes resume on the next call.
 *
 * Use from the epoll loop:
 *	control_open_ops(d, &ops, cfg->control_socket, &ctl);
 *	epoll_ctl(ep, EPOLL_CTL_ADD, control_fd(ctl), EPOLLIN);
 *	on EPOLLIN of control_fd(ctl): control_handle(ctl);
 *	control_close(ctl);
 * control_fd() is itself an epoll fd that watches the listener and the
 * clients, so the daemon registers one fd and never sees client fds.
 */
#ifndef VTEP_CONTROL_H
#define VTEP_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bgp_peer.h"
#include "config.h"
#include "pods.h"
#include "uplink_mode.h"

struct control;
/* The daemon the operations act on: opaque here, only handed back to them. */
struct daemon;

/* `vtepctl bgp routes`: one RIB path (rib.h) with the address of the peer
 * it came from (0: ours). Returns non-zero to stop the walk. */
struct rib_route_info;
typedef int (*control_bgp_route_fn)(void *ctx, const struct rib_route_info *ri,
				    uint32_t peer_address);

/* What a request may do to the daemon. The daemon owns its table (daemon.c)
 * and passes it to control_open_ops(); tests pass their own, so the
 * dispatch can be exercised without a running datapath. Every call returns
 * 0 or -errno; on error err holds one line for the user (vtepctl prints it
 * and exits 1). */
struct control_ops {
	/* Run-time edits: applied to the maps at once and persisted in
	 * state_dir. p->mac_auto selects "auto"; the port need not exist yet
	 * (attached when it appears). */
	int (*route_add)(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN]);
	/* key: the route's vni and prefix (either family: key->v6). */
	int (*route_del)(struct daemon *d, const struct cfg_route *key, char err[CFG_ERR_LEN]);
	int (*port_add)(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN]);
	int (*port_del)(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN]);
	/* Re-reads the config file and applies the difference (as SIGHUP). */
	int (*reload)(struct daemon *d, char err[CFG_ERR_LEN]);
	/* BGP neighbours (bgp_peer.h): fills up to max, returns how many
	 * there are. */
	size_t (*peers)(const struct daemon *d, struct bgp_peer_info *out, size_t max);
	/* Every path the RIB holds (each peer's Adj-RIB-In and our own
	 * routes); vni 0 and peer_address 0 select all. 0, or -ENOTSUP when
	 * BGP is not configured. NULL (tests): bgp.routes answers an empty
	 * table with a note. */
	int (*bgp_routes)(struct daemon *d, uint32_t vni, uint32_t peer_address,
			  control_bgp_route_fn fn, void *ctx);
	/* The running configuration: the route targets our own routes carry
	 * (evpn_export attaches config_vni_rt() of their VNI). NULL (tests):
	 * our routes show the targets the RIB holds for them. */
	const struct vtep_config *(*config)(const struct daemon *d);
	/* NULL (tests): status answers "not available". */
	int (*status)(struct daemon *d, struct uplink_status *out);
	/* The CNI service's pods (vtepctl pods). NULL (tests): none. */
	const struct pods *(*pods)(const struct daemon *d);
};

/* The status reply's data (also vtepd --probe -j): {version, features,
 * feature_notes, xdp_program, test_override, uplinks}. NULL when out of
 * memory. */
struct json_object;
struct json_object *control_status_json(const struct uplink_status *st);

/* Creates the socket's directory (0700) if missing, removes a stale socket,
 * binds, chmods 0600 and listens; requests go to ops with d. Returns 0 or
 * -errno. */
int control_open_ops(struct daemon *d, const struct control_ops *ops, const char *path,
		     struct control **out);
/* The same server for another protocol on the same framing (the CNI
 * socket, cnictl.h): each complete message goes to serve(d, ops, ...),
 * which returns the malloc'ed reply line (NULL: out of memory, the client
 * is closed) and counts refused requests in *errors. peer_fd is the
 * client's socket, for control_peer_gone(). At most max_clients at once;
 * the listen backlog is as deep. */
typedef char *(*control_serve_fn)(struct daemon *d, const void *ops, const char *msg,
				  size_t len, uint64_t *errors, int peer_fd);
int control_open_server(struct daemon *d, const void *ops, control_serve_fn serve,
			size_t max_clients, const char *path, struct control **out);

/* True when the client on peer_fd has closed its socket: nobody will read
 * a reply. A client that only shut down its write side (one request, then
 * SHUT_WR) is not gone: AF_UNIX reports EPOLLHUP only once both directions
 * are shut down, which the peer's close() does (net/unix/af_unix.c,
 * unix_release_sock). */
bool control_peer_gone(int peer_fd);

/* One fd to watch for EPOLLIN (level-triggered is fine). */
int control_fd(const struct control *c);
/* Accepts, reads, dispatches and writes whatever is ready; never blocks. */
void control_handle(struct control *c);
/* Closes every client and the listener and unlinks the socket path. */
void control_close(struct control *c);

/* Requests refused (oversized, truncated, invalid JSON, unknown command,
 * bad arguments) since control_open: for /metrics and tests. */
uint64_t control_errors(const struct control *c);

/* Handles one complete message (no socket): returns the malloc'ed reply
 * line, or NULL when out of memory. Counts refused requests in *errors. */
char *control_dispatch(struct daemon *d, const struct control_ops *ops,
		       const char *msg, size_t len, uint64_t *errors);

#endif /* VTEP_CONTROL_H */
