/* metrics.h - GET /metrics in the Prometheus text format 0.0.4
 * (DESIGN.md "Maps, bpftool, metrics").
 *
 * Served by libmicrohttpd on its own internal polling thread, so a slow
 * scraper never stalls the daemon's event loop. The handler only reads:
 * datapath counters (vtep_stats, summed over CPUs), map occupancy and
 * capacity, routes per VNI and source, BGP peer states and counters, the
 * UPDATE-to-map latency histogram, build info and the process' own figures
 * (/proc/self), through the operations the daemon hands metrics_start_ops()
 * (struct metrics_ops) only. They are called from the metrics thread: the
 * daemon must make peers() thread safe (copy the peers under a lock) and
 * keep map fds open for as long as metrics runs (metrics_stop() first).
 */
#ifndef VTEP_METRICS_H
#define VTEP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "bgp_peer.h"

/* The daemon the operations act on: opaque here, only handed back to them. */
struct daemon;
struct rib_latency;
struct rib_stats;
struct uplink_status;
struct metrics;

/* What a scrape reads. The daemon owns its table (daemon.c) and passes it
 * to metrics_start_ops(); tests render with their own. */
struct metrics_ops {
	int (*map_fd)(const struct daemon *d, const char *map_name);
	size_t (*peers)(const struct daemon *d, struct bgp_peer_info *out, size_t max);
	/* NULL or non-zero: no vtepd_bgp_update_to_map_seconds histogram. */
	int (*rib_latency)(const struct daemon *d, struct rib_latency *out);
	/* NULL: no vtepd_datapath_feature / vtepd_uplink_mode families. */
	int (*status)(struct daemon *d, struct uplink_status *out);
	/* NULL or non-zero: no vtepd_bgp_duplicate_addresses(_total). */
	int (*rib_stats)(const struct daemon *d, struct rib_stats *out);
};

/* Serves GET /metrics on addr:port, reading through ops with d. addr is a
 * numeric IPv4 address ("127.0.0.1", "0.0.0.0"). Returns 0 or -errno
 * (-EADDRINUSE when the port is taken, -EINVAL for a bad address). */
int metrics_start_ops(struct daemon *d, const struct metrics_ops *ops, const char *addr,
		      uint16_t port, struct metrics **out);
/* The port actually bound (port 0 asks the kernel for a free one). */
uint16_t metrics_port(const struct metrics *m);
/* A request must be answered within this long of its connection's start
 * (default METRICS_CONN_DEADLINE_MS, 10 s; tests shorten it). At most
 * METRICS_CONN_MAX (16) connections are served; one more evicts the oldest
 * (agent/ctl/metrics_conn.h). */
void metrics_set_conn_deadline(struct metrics *m, unsigned deadline_ms);
/* Stops the thread and frees m; NULL is a no-op. */
void metrics_stop(struct metrics *m);

/* Renders the whole exposition into a malloc'ed string, walking the maps
 * every time (tests; the HTTP handler reuses a recent walk, see metrics.c).
 * Returns NULL on allocation failure. */
char *metrics_render(struct daemon *d, const struct metrics_ops *ops, size_t *len);

#endif /* VTEP_METRICS_H */
