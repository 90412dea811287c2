/* metrics.c - GET /metrics (see metrics.h), Prometheus text format 0.0.4.
 *
 * Families:
 *   vtepd_build_info{version,layout_version}           gauge, always 1
 *   vtepd_datapath_packets_total{counter}              verdict counters of vtep_stats
 *   vtepd_datapath_drops_total{reason}                 its drop_* counters, "drop_" cut
 *   vtepd_datapath_feature{feature}                    1 when the kernel runs it (probe.h)
 *   vtepd_uplink_mode{ifname,mode}                     1 for the mode each uplink runs
 *   vtepd_map_entries{map}, vtepd_map_capacity{map}    occupancy of the pinned maps
 *   vtepd_bgp_peer_state{peer,asn}                     1 Idle .. 6 Established (RFC 4271 8.2.2)
 *   vtepd_bgp_peer_up{peer,asn}                        1 when Established
 *   vtepd_bgp_peer_uptime_seconds, vtepd_bgp_peer_prefixes_received
 *   vtepd_bgp_peer_messages_received_total{peer,asn,type}   by message type
 *   vtepd_bgp_peer_messages_sent_total{peer,asn,type}       (RFC 4271 4.1, 2918)
 *   vtepd_bgp_peer_routes_received_total{peer,asn,kind}     NLRI: kind="reach" or
 *   vtepd_bgp_peer_routes_sent_total{peer,asn,kind}         "withdraw"
 *   vtepd_bgp_peer_routes_refused_total{peer,asn}  received reachable NLRI treated
 *                                                  as withdrawn (loop, own next hop)
 *   vtepd_bgp_peer_routes_rejected_total{peer,asn} received reachable NLRI that no
 *                                                  VNI imports (route targets), that
 *                                                  a VTEP cannot use, or that came
 *                                                  with malformed attributes (RFC
 *                                                  7606 treat-as-withdraw): not kept
 *   vtepd_bgp_peer_max_prefix_exceeded_total, vtepd_bgp_peer_flaps_total
 *   vtepd_bgp_update_to_map_seconds                    histogram: an UPDATE's arrival
 *                                                      to the map write of its routes
 *   vtepd_bgp_duplicate_addresses                      (VNI, IP) addresses held by two
 *                                                      MACs at different places now
 *   vtepd_bgp_duplicate_addresses_total                such duplicates detected
 *   vtepd_routes{vni,source}                           routes installed (host routes
 *                                                      and prefixes, IPv4 and IPv6) per
 *                                                      VNI and source
 *   vtepd_process_cpu_seconds_total, _resident_memory_bytes,
 *   _virtual_memory_bytes, _start_time_seconds, _open_fds   from /proc/self
 *   vtepd_scrape_duration_seconds                      time to collect this scrape
 *   vtepd_metrics_connections_closed_total{reason}     connections this server cut:
 *                                                      "deadline" or "evicted"
 *
 * Occupancy is counted with BPF_MAP_LOOKUP_BATCH over bounded chunks
 * (lib/mapdump.c): one pass per map, no per-key syscalls, on the metrics
 * thread, never on the event loop. That pass is the cost of a scrape: about
 * 0.3 s of one CPU per million routes on a 2-core VM. So that a scrape flood
 * cannot turn it into a busy CPU, the server reuses the last walk's output
 * while it is younger than METRICS_WALK_REUSE times what the walk took (a
 * walk of 0.3 s is reused for 3 s, one of a millisecond for 10 ms): the walks
 * take at most a tenth of a CPU whatever the request rate. Counters, peers and
 * process figures are read fresh for every scrape. vtep_routes and vtep_prefixes are read once for
 * both their occupancy and the per-VNI/source tally (lib/mapwalk.h: one
 * chunk of memory whatever the map holds; the LPM trie, which has no batch
 * lookup, by get_next_key). The tally reads the maps, not the daemon's
 * memory, so it shows what the datapath really forwards with, and it needs
 * no lock against the event loop. Its label set is bounded by the VNIs
 * (vtep_vnis holds at most VTEP_MAX_VNIS) times three sources; series past
 * METRICS_MAX_ROUTE_SERIES are left out (they cannot occur with our maps).
 *
 * Slow clients: MHD's own timeout only counts inactivity, so a client that
 * trickles its request a byte at a time would hold a connection forever;
 * metrics_conn.c bounds every request by an absolute deadline and lets a
 * new connection past the limit evict the oldest (see metrics_conn.h).
 *
 * Threading: libmicrohttpd runs the handler on its one internal polling
 * thread, so scrapes never run concurrently with each other. From that
 * thread only the daemon's metrics operations are called: map_fd (map fds
 * live as long as the daemon), peers (the daemon copies peer state under
 * its own lock), rib_latency and rib_stats (relaxed atomics) and status (under the
 * daemon's lock).
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>

#include "addr.h"
#include "counters.h"
#include "ctlproto.h"
#include "hashmap.h"
#include "log.h"
#include "mapdump.h"
#include "mapwalk.h"
#include "metrics_conn.h"
#include "metrics_priv.h"
#include "rib.h"

#define METRICS_MAX_PEERS 4096
#define METRICS_MAX_ROUTE_SERIES (3 * VTEP_MAX_VNIS)
#define METRICS_WALK_REUSE 10
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The last map walk's rendered text (the HTTP server's; see above). */
struct metrics_cache {
	char *text;
	size_t len;
	double at, cost;        /* when it was taken and what it took, seconds */
};

struct metrics {
	struct daemon *d;
	const struct metrics_ops *ops;
	struct MHD_Daemon *mhd;
	uint16_t port;
	struct metrics_cache cache;  /* only the MHD thread touches it */
	struct metrics_conn *conns;  /* deadline and eviction (metrics_conn.h) */
};

/* The maps whose occupancy is worth watching (the others are fixed-size). */
static const char *const occupancy_maps[] = {
	VTEP_MAP_VNIS, VTEP_MAP_PORTS, VTEP_MAP_ROUTES, VTEP_MAP_PREFIXES,
	VTEP_MAP_ROUTES6, VTEP_MAP_PREFIXES6, VTEP_MAP_FDB, VTEP_MAP_REMOTES,
};
#define N_OCC (sizeof(occupancy_maps) / sizeof(occupancy_maps[0]))

/* Message types by enum bgp_msg_type - 1 (bgp_peer_info.msgs_in). */
static const char *const bgp_msg_types[BGP_PEER_MSG_TYPES] = {
	"open", "update", "notification", "keepalive", "route_refresh",
};

/* The peer counters bgp_peer.h lists, with where each one is in
 * struct bgp_peer_info. */
struct peer_counter {
	const char *family, *kind, *help;
	size_t off;
};
static const struct peer_counter peer_counters[] = {
#define PEER_COUNTER(field, family, kind, help) \
	{ family, kind, help, offsetof(struct bgp_peer_info, field) },
	BGP_PEER_COUNTERS(PEER_COUNTER)
#undef PEER_COUNTER
};
#define N_PEER_COUNTERS (sizeof(peer_counters) / sizeof(peer_counters[0]))

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 Idle .. 6 Established; 0 for a state that is none of them. */
static int state_number(enum bgp_state s)
{
	return s >= BGP_ST_IDLE && s <= BGP_ST_ESTABLISHED ? (int)s : 0;
}

static void render_counters(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	int fd = ops->map_fd(d, VTEP_MAP_STATS);
	struct vtep_stats s;

	if (fd < 0 || mapdump_stats(fd, &s))
		return;
	metrics_family(f, "vtepd_datapath_packets_total", "counter",
	       "Datapath verdicts and events by counter (vtepctl stats names).");
	for (size_t i = 0; i < counter_count; i++)
		if (strncmp(counter_descs[i].name, "drop_", 5))
			fprintf(f, "vtepd_datapath_packets_total{counter=\"%s\"} %llu\n",
				counter_descs[i].name,
				(unsigned long long)counter_value(&s, i));
	metrics_family(f, "vtepd_datapath_drops_total", "counter",
	       "Datapath drops by reason (vtepctl stats name without drop_).");
	for (size_t i = 0; i < counter_count; i++)
		if (!strncmp(counter_descs[i].name, "drop_", 5))
			fprintf(f, "vtepd_datapath_drops_total{reason=\"%s\"} %llu\n",
				counter_descs[i].name + 5,
				(unsigned long long)counter_value(&s, i));
}

/* ---- routes per VNI and source ---------------------------------------------- */

struct route_tally {
	struct hashmap series;   /* key: uint64_t vni << 8 | source; value: uint64_t */
	size_t total;            /* entries seen in the map walked last */
	size_t vni_off;          /* where the VNI sits in the key */
	bool vni_be;             /* ... in network order (the LPM key) */
	size_t ks;
};

static int tally_chunk(void *ctx, const void *keys, const void *vals, size_t n)
{
	struct route_tally *t = ctx;

	for (size_t i = 0; i < n; i++) {
		const struct vtep_route *v = (const struct vtep_route *)vals + i;
		uint32_t vni;
		uint64_t key, *cnt;

		memcpy(&vni, (const char *)keys + i * t->ks + t->vni_off, sizeof(vni));
		key = (uint64_t)(t->vni_be ? ntohl(vni) : vni) << 8 | v->source;
		t->total++;
		cnt = hashmap_get(&t->series, &key);
		if (!cnt && hashmap_count(&t->series) < METRICS_MAX_ROUTE_SERIES)
			cnt = hashmap_put(&t->series, &key, NULL, NULL);
		if (cnt)
			(*cnt)++;
	}
	return 0;
}

/* The route maps, both families: their keys' size and where the VNI is
 * (in network order in the LPM tries' keys). */
static const struct {
	const char *name;
	size_t ks, vni_off;
	bool vni_be;
} route_maps[] = {
	{ VTEP_MAP_ROUTES, sizeof(struct vtep_route_key), offsetof(struct vtep_route_key, vni),
	  false },
	{ VTEP_MAP_PREFIXES, sizeof(struct vtep_prefix_key), offsetof(struct vtep_prefix_key, vni),
	  true },
	{ VTEP_MAP_ROUTES6, sizeof(struct vtep_route6_key), offsetof(struct vtep_route6_key, vni),
	  false },
	{ VTEP_MAP_PREFIXES6, sizeof(struct vtep_prefix6_key),
	  offsetof(struct vtep_prefix6_key, vni), true },
};
#define N_ROUTE_MAPS (sizeof(route_maps) / sizeof(route_maps[0]))

/* The index of a route map in route_maps, or -1. */
static int route_map(const char *name)
{
	for (size_t i = 0; i < N_ROUTE_MAPS; i++)
		if (!strcmp(route_maps[i].name, name))
			return (int)i;
	return -1;
}

/* Walks route map r (route_maps) into t; *n is the map's entry count.
 * Returns 0 or -errno (then the map's count is not shown). */
static int tally_map(int fd, int r, struct route_tally *t, size_t *n)
{
	int ret;

	t->total = 0;
	t->ks = route_maps[r].ks;
	t->vni_off = route_maps[r].vni_off;
	t->vni_be = route_maps[r].vni_be;
	ret = mapwalk(fd, t->ks, sizeof(struct vtep_route), tally_chunk, t);
	*n = t->total;
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void render_routes(FILE *f, const struct route_tally *t)
{
	size_t n = hashmap_count(&t->series), pos = 0, i = 0;
	uint64_t *keys = n ? calloc(n, sizeof(*keys)) : NULL;
	const uint64_t *k;

	metrics_family(f, "vtepd_routes", "gauge",
	       "Routes installed in the datapath (host routes and prefixes) per VNI and "
	       "source (local, static, bgp).");
	if (n && !keys)
		return;
	while (i < n && (k = hashmap_next(&t->series, &pos, NULL)))
		keys[i++] = *k;
	if (i)
		qsort(keys, i, sizeof(*keys), cmp_u64);
	for (size_t j = 0; j < i; j++) {
		const uint64_t *cnt = hashmap_get(&t->series, &keys[j]);

		fprintf(f, "vtepd_routes{vni=\"%u\",source=\"%s\"} %llu\n",
			(unsigned)(keys[j] >> 8), mapdump_source_name((uint8_t)keys[j]),
			(unsigned long long)(cnt ? *cnt : 0));
	}
	free(keys);
}

/* ---- map occupancy ------------------------------------------------------------ */

static void render_maps(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	struct route_tally t = { 0 };
	uint32_t cap[N_OCC];
	size_t used[N_OCC];
	int ok[N_OCC];

	if (hashmap_init(&t.series, sizeof(uint64_t), sizeof(uint64_t), 0))
		return;
	for (size_t i = 0; i < N_OCC; i++) {
		int fd = ops->map_fd(d, occupancy_maps[i]);
		int r = route_map(occupancy_maps[i]);

		ok[i] = fd >= 0 && !mapdump_capacity(fd, &cap[i]);
		/* The route maps (IPv4 and IPv6): one walk gives the count and
		 * the tally. */
		if (ok[i] && r >= 0)
			ok[i] = !tally_map(fd, r, &t, &used[i]);
		else if (ok[i])
			ok[i] = !mapdump_count(fd, &used[i]);
	}
	metrics_family(f, "vtepd_map_entries", "gauge", "Entries in each pinned BPF map.");
	for (size_t i = 0; i < N_OCC; i++)
		if (ok[i])
			fprintf(f, "vtepd_map_entries{map=\"%s\"} %zu\n", occupancy_maps[i], used[i]);
	metrics_family(f, "vtepd_map_capacity", "gauge", "Capacity (max_entries) of each pinned BPF map.");
	for (size_t i = 0; i < N_OCC; i++)
		if (ok[i])
			fprintf(f, "vtepd_map_capacity{map=\"%s\"} %u\n", occupancy_maps[i], cap[i]);
	render_routes(f, &t);
	hashmap_free(&t.series);
}

/* ---- the process (/proc/self), as Prometheus' own process collector -------- */

static void render_process(FILE *f)
{
	long page = sysconf(_SC_PAGESIZE), tck = sysconf(_SC_CLK_TCK);
	unsigned long long vsz = 0, rss = 0, utime = 0, stime = 0, start = 0, btime = 0;
	char buf[1024], *p;
	size_t n, fds = 0;
	FILE *in;
	DIR *dir;

	if ((in = fopen("/proc/self/statm", "re"))) {
		if (fscanf(in, "%llu %llu", &vsz, &rss) != 2)
			vsz = rss = 0;
		fclose(in);
	}
	/* /proc/self/stat: the command name is in parentheses and may hold
	 * spaces, so fields are counted from the last ')': utime and stime are
	 * fields 14 and 15, starttime 22 (proc(5)), in clock ticks. */
	if ((in = fopen("/proc/self/stat", "re"))) {
		n = fread(buf, 1, sizeof(buf) - 1, in);
		buf[n] = '\0';
		fclose(in);
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
				 "%*d %*d %*d %*d %*d %*d %llu", &utime, &stime, &start) != 3)
			utime = stime = start = 0;
	}
	/* btime: the boot time, which starttime counts from (proc(5)). */
	if ((in = fopen("/proc/stat", "re"))) {
		while (fgets(buf, sizeof(buf), in))
			if (sscanf(buf, "btime %llu", &btime) == 1)
				break;
		fclose(in);
	}
	if ((dir = opendir("/proc/self/fd"))) {
		struct dirent *de;

		while ((de = readdir(dir)))
			fds += de->d_name[0] != '.';
		closedir(dir);
		fds -= fds > 0;   /* the directory's own fd */
	}
	if (page <= 0 || tck <= 0)
		return;
	metrics_family(f, "vtepd_process_cpu_seconds_total", "counter",
	       "User and system CPU time spent by vtepd.");
	fprintf(f, "vtepd_process_cpu_seconds_total %.2f\n", (double)(utime + stime) / (double)tck);
	metrics_family(f, "vtepd_process_resident_memory_bytes", "gauge",
	       "Resident memory of vtepd (BPF maps are kernel memory, not counted here).");
	fprintf(f, "vtepd_process_resident_memory_bytes %llu\n", rss * (unsigned long long)page);
	metrics_family(f, "vtepd_process_virtual_memory_bytes", "gauge", "Virtual memory size of vtepd.");
	fprintf(f, "vtepd_process_virtual_memory_bytes %llu\n", vsz * (unsigned long long)page);
	if (btime && start) {
		metrics_family(f, "vtepd_process_start_time_seconds", "gauge",
		       "Start time of vtepd since the Unix epoch.");
		fprintf(f, "vtepd_process_start_time_seconds %.2f\n",
			(double)btime + (double)start / (double)tck);
	}
	metrics_family(f, "vtepd_process_open_fds", "gauge", "File descriptors vtepd holds open.");
	fprintf(f, "vtepd_process_open_fds %zu\n", fds);
}

/* One series per peer of the counter at offset off in bgp_peer_info. */
static void peer_counter(FILE *f, const struct bgp_peer_info *p, size_t n, const char *name,
			 const char *help, size_t off)
{
	metrics_family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];
		uint64_t v;

		memcpy(&v, (const char *)&p[i] + off, sizeof(v));
		fprintf(f, "%s{peer=\"%s\",asn=\"%u\"} %llu\n", name,
			addr_fmt_ip(p[i].address, a), p[i].asn, (unsigned long long)v);
	}
}

/* The same with a second label: k values from offsets off[] under label. */
static void peer_counter_by(FILE *f, const struct bgp_peer_info *p, size_t n,
			    const char *name, const char *help, const char *label,
			    const char *const *vals, const size_t *off, size_t k)
{
	metrics_family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		addr_fmt_ip(p[i].address, a);
		for (size_t j = 0; j < k; j++) {
			uint64_t v;

			memcpy(&v, (const char *)&p[i] + off[j], sizeof(v));
			fprintf(f, "%s{peer=\"%s\",asn=\"%u\",%s=\"%s\"} %llu\n", name, a,
				p[i].asn, label, vals[j], (unsigned long long)v);
		}
	}
}

/* Counters since vtepd started, kept across the peer's sessions: messages
 * by type, then the families of bgp_peer.h's list in its order. */
static void render_peer_counters(FILE *f, const struct bgp_peer_info *p, size_t n)
{
	size_t in[BGP_PEER_MSG_TYPES], out[BGP_PEER_MSG_TYPES];

	for (size_t j = 0; j < BGP_PEER_MSG_TYPES; j++) {
		in[j] = offsetof(struct bgp_peer_info, msgs_in) + j * sizeof(uint64_t);
		out[j] = offsetof(struct bgp_peer_info, msgs_out) + j * sizeof(uint64_t);
	}
	peer_counter_by(f, p, n, "vtepd_bgp_peer_messages_received_total",
			"BGP messages received from the neighbor, by type.", "type",
			bgp_msg_types, in, BGP_PEER_MSG_TYPES);
	peer_counter_by(f, p, n, "vtepd_bgp_peer_messages_sent_total",
			"BGP messages queued to the neighbor, by type.", "type",
			bgp_msg_types, out, BGP_PEER_MSG_TYPES);
	for (size_t i = 0, j; i < N_PEER_COUNTERS; i = j) {
		const struct peer_counter *c = &peer_counters[i];
		const char *kinds[N_PEER_COUNTERS];
		size_t offs[N_PEER_COUNTERS], k = 0;

		j = i + 1;
		if (!c->family)
			continue;
		if (!c->kind) {
			peer_counter(f, p, n, c->family, c->help, c->off);
			continue;
		}
		/* The entries that follow with the same family: one value
		 * of its "kind" label each. */
		for (j = i; j < N_PEER_COUNTERS && peer_counters[j].family && peer_counters[j].kind &&
			    !strcmp(peer_counters[j].family, c->family); j++, k++) {
			kinds[k] = peer_counters[j].kind;
			offs[k] = peer_counters[j].off;
		}
		peer_counter_by(f, p, n, c->family, c->help, "kind", kinds, offs, k);
	}
}

/* Cumulative buckets from rib_latency's per-bucket counts; _count is their
 * sum (not l.count), so that the +Inf bucket equals it even when the
 * relaxed counters were read mid-update. */
static void render_latency(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	static const char name[] = "vtepd_bgp_update_to_map_seconds";
	struct rib_latency l;
	uint64_t cum = 0;

	memset(&l, 0, sizeof(l));
	if (!ops->rib_latency || ops->rib_latency(d, &l))
		return;
	metrics_family(f, name, "histogram",
	       "Time from a BGP UPDATE's arrival to the write of its routes to the maps.");
	for (size_t i = 0; i < RIB_LAT_BUCKETS; i++) {
		cum += l.counts[i];
		fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, rib_lat_bounds_s[i],
			(unsigned long long)cum);
	}
	cum += l.counts[RIB_LAT_BUCKETS];
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	fprintf(f, "%s_sum %.9f\n", name, (double)l.sum_ns / 1e9);
	fprintf(f, "%s_count %llu\n", name, (unsigned long long)cum);
}

/* Duplicate addresses (agent/rib/rib_dup.c): two workloads with one IP in
 * a VNI, which EVPN makes reachable wherever each is, so only one of them
 * gets the traffic. The gauge is what to alert on, the counter shows
 * short-lived ones a scrape missed. */
static void render_rib_stats(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	struct rib_stats st;

	memset(&st, 0, sizeof(st));
	if (!ops->rib_stats || ops->rib_stats(d, &st))
		return;
	metrics_family(f, "vtepd_bgp_duplicate_addresses", "gauge",
	       "Addresses (VNI, IP) held by two or more MACs at different places (this host, "
	       "remote VTEPs) now: two workloads with one address.");
	fprintf(f, "vtepd_bgp_duplicate_addresses %llu\n", (unsigned long long)st.dup_addrs);
	metrics_family(f, "vtepd_bgp_duplicate_addresses_total", "counter",
	       "Duplicate addresses detected (each counted once when it starts).");
	fprintf(f, "vtepd_bgp_duplicate_addresses_total %llu\n",
		(unsigned long long)st.dup_detected);
}

static void render_peers(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	struct bgp_peer_info *p;
	size_t n;

	p = calloc(METRICS_MAX_PEERS, sizeof(*p));
	if (!p)
		return;
	n = ops->peers(d, p, METRICS_MAX_PEERS);
	if (n > METRICS_MAX_PEERS)
		n = METRICS_MAX_PEERS;
	metrics_family(f, "vtepd_bgp_peer_state", "gauge",
	       "BGP FSM state per configured neighbor: 1 Idle, 2 Connect, 3 Active, "
	       "4 OpenSent, 5 OpenConfirm, 6 Established.");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_state{peer=\"%s\",asn=\"%u\"} %d\n",
			addr_fmt_ip(p[i].address, a), p[i].asn, state_number(p[i].state));
	}
	metrics_family(f, "vtepd_bgp_peer_up", "gauge", "1 when the BGP session is Established.");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_up{peer=\"%s\",asn=\"%u\"} %d\n",
			addr_fmt_ip(p[i].address, a), p[i].asn, state_number(p[i].state) == 6);
	}
	metrics_family(f, "vtepd_bgp_peer_uptime_seconds", "gauge",
	       "Seconds the BGP session has been Established (0 otherwise).");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_uptime_seconds{peer=\"%s\",asn=\"%u\"} %llu\n",
			addr_fmt_ip(p[i].address, a), p[i].asn,
			(unsigned long long)p[i].uptime_s);
	}
	metrics_family(f, "vtepd_bgp_peer_prefixes_received", "gauge",
	       "EVPN routes currently received from the BGP neighbor.");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_prefixes_received{peer=\"%s\",asn=\"%u\"} %llu\n",
			addr_fmt_ip(p[i].address, a), p[i].asn,
			(unsigned long long)p[i].prefixes_received);
	}
	render_peer_counters(f, p, n);
	free(p);
}

/* The map section, from the cache when it is fresh enough (c may be NULL:
 * always walk). */
static void render_maps_cached(FILE *f, struct daemon *d, const struct metrics_ops *ops,
			       struct metrics_cache *c)
{
	double t0 = now_s();
	char *text = NULL;
	size_t len = 0;
	FILE *mf;

	if (c && c->text && t0 - c->at < METRICS_WALK_REUSE * c->cost) {
		fwrite(c->text, 1, c->len, f);
		return;
	}
	mf = open_memstream(&text, &len);
	if (!mf)
		return;
	render_maps(mf, d, ops);
	if (fclose(mf)) {
		free(text);
		return;
	}
	fwrite(text, 1, len, f);
	if (!c) {
		free(text);
		return;
	}
	free(c->text);
	c->text = text;
	c->len = len;
	c->at = t0;
	c->cost = now_s() - t0;
}

static char *render(struct daemon *d, const struct metrics_ops *ops, struct metrics_cache *c,
		    struct metrics_conn *conns, size_t *len)
{
	double t0 = now_s();
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	metrics_family(f, "vtepd_build_info", "gauge", "vtepd version and BPF map layout version.");
	fprintf(f, "vtepd_build_info{version=\"%s\",layout_version=\"%d\"} 1\n",
		VTEP_VERSION, VTEP_LAYOUT_VERSION);
	render_counters(f, d, ops);
	metrics_render_status(f, d, ops);
	render_maps_cached(f, d, ops, c);
	render_peers(f, d, ops);
	render_latency(f, d, ops);
	render_rib_stats(f, d, ops);
	render_process(f);
	if (conns) {
		uint64_t dl, ev;

		metrics_conn_stats(conns, &dl, &ev);
		metrics_family(f, "vtepd_metrics_connections_closed_total", "counter",
		       "Connections to this server that vtepd closed: request not answered "
		       "within the deadline, or evicted by a newer one past the limit.");
		fprintf(f, "vtepd_metrics_connections_closed_total{reason=\"deadline\"} %llu\n",
			(unsigned long long)dl);
		fprintf(f, "vtepd_metrics_connections_closed_total{reason=\"evicted\"} %llu\n",
			(unsigned long long)ev);
	}
	/* Last, so that it covers everything above: the map walks dominate. */
	metrics_family(f, "vtepd_scrape_duration_seconds", "gauge",
	       "Time vtepd took to collect this scrape (map walks included).");
	fprintf(f, "vtepd_scrape_duration_seconds %.6f\n", now_s() - t0);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

char *metrics_render(struct daemon *d, const struct metrics_ops *ops, size_t *len)
{
	return render(d, ops, NULL, NULL, len);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? METRICS_CONTENT_TYPE : "text/plain");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static char not_found[] = "not found: only GET /metrics is served\n";
	struct metrics *m = cls;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	metrics_conn_request(m->conns, conn);
	if (strcmp(url, "/metrics") || strcmp(method, MHD_HTTP_METHOD_GET))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     MHD_RESPMEM_PERSISTENT);
	body = render(m->d, m->ops, &m->cache, m->conns, &len);
	if (!body)
		return MHD_NO;
	return reply(conn, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE);
}

int metrics_start_ops(struct daemon *d, const struct metrics_ops *ops, const char *addr,
		      uint16_t port, struct metrics **out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct metrics *m;
	int fd = -1, one = 1, ret;

	*out = NULL;
	if (!addr || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->d = d;
	m->ops = ops;
	if ((ret = metrics_conn_new(METRICS_CONN_MAX, METRICS_CONN_DEADLINE_MS, &m->conns)))
		goto fail;
	/* Our own listening socket, so a taken port is reported as such
	 * (MHD_start_daemon only says NULL). */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		ret = -errno;
		log_err("metrics: cannot listen on %s:%u: %s", addr, port, strerror(errno));
		goto fail;
	}
	{
		socklen_t sl = sizeof(sa);

		getsockname(fd, (struct sockaddr *)&sa, &sl);
		m->port = ntohs(sa.sin_port);
	}
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0,
				  NULL, NULL, handle, m,
				  MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_LIMIT, metrics_conn_mhd_limit(m->conns),
				  /* Inactivity only: metrics_conn adds the
				   * absolute deadline slow clients cannot dodge. */
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				  MHD_OPTION_NOTIFY_CONNECTION, metrics_conn_notify, m->conns,
				  MHD_OPTION_NOTIFY_COMPLETED, metrics_conn_completed, m->conns,
				  MHD_OPTION_END);
	if (!m->mhd) {
		ret = -EIO;
		log_err("metrics: libmicrohttpd failed to start on %s:%u", addr, port);
		goto fail;
	}
	log_info("metrics: serving http://%s:%u/metrics", addr, m->port);
	*out = m;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	metrics_conn_free(m->conns);
	free(m);
	return ret;
}

void metrics_set_conn_deadline(struct metrics *m, unsigned deadline_ms)
{
	metrics_conn_set_deadline(m->conns, deadline_ms);
}

uint16_t metrics_port(const struct metrics *m)
{
	return m->port;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	/* MHD_stop_daemon() joins the thread and closes the listening socket. */
	MHD_stop_daemon(m->mhd);
	metrics_conn_free(m->conns);
	free(m->cache.text);
	free(m);
}
