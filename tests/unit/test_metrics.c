/* test_metrics.c - agent/ctl/metrics.c: the exposition rendered from real maps
 * (counters summed over CPUs, occupancy and capacity, peer states, BGP
 * per-peer counters, the UPDATE-to-map histogram), checked
 * line by line and with `promtool check metrics`; routes per VNI and source
 * (host routes and LPM prefixes), the process metrics and the scrape
 * duration; and the HTTP side: GET /metrics served from libmicrohttpd's
 * thread, anything else 404, and a scrape still answered while slow
 * clients hold every connection, which are then closed (deadline). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "log.h"
#include "metrics.h"
#include "rib.h"
#include "uplink_mode.h"
#include "vtep_maps.h"

static int stats_fd = -1, routes_fd = -1, fdb_fd = -1;
static size_t npeers;

static int f_map_fd(const struct daemon *d, const char *name)
{
	(void)d;
	if (!strcmp(name, VTEP_MAP_STATS))
		return stats_fd;
	if (!strcmp(name, VTEP_MAP_ROUTES))
		return routes_fd;
	if (!strcmp(name, VTEP_MAP_FDB))
		return fdb_fd;
	return -ENOENT;  /* the other maps: absent, their series left out */
}

static size_t f_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{
	static const enum bgp_state st[] = { BGP_ST_ESTABLISHED, BGP_ST_ACTIVE };

	(void)d;
	for (size_t i = 0; i < npeers && i < max; i++)
		out[i] = (struct bgp_peer_info){ .address = htonl(0xc6336401 + (uint32_t)i),
						 .asn = 65001, .state = st[i & 1],
						 .uptime_s = 42, .prefixes_received = 9,
						 .flaps = 2, .msgs_in = { 1, 30, 0, 7, 0 },
						 .msgs_out = { 1, 5, 1, 8, 2 },
						 .routes_in = 40, .withdraws_in = 3,
						 .routes_out = 11, .withdraws_out = 4,
						 .routes_refused = 6, .routes_rejected = 12,
						 .max_prefix_trips = 1 };
	return npeers;
}

/* Two observations of 0.3 ms and 2 ms, one past the last bound. */
static int f_latency(const struct daemon *d, struct rib_latency *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
	out->counts[3] = 2;
	out->counts[5] = 1;
	out->counts[RIB_LAT_BUCKETS] = 1;
	out->count = 4;
	out->sum_ns = 7500000000ULL;
	return 0;
}

/* Two uplinks: one in xdp mode, one in tc; the kernel lacks redirect_peer. */
static int f_status(struct daemon *d, struct uplink_status *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
	for (int f = 0; f < PROBE_F_COUNT; f++)
		out->features.have[f] = f != PROBE_F_redirect_peer;
	out->n_uplinks = 2;
	strcpy(out->uplinks[0].ifname, "eth0");
	out->uplinks[0].mode = UPLINK_MODE_XDP;
	strcpy(out->uplinks[1].ifname, "veth1");
	out->uplinks[1].mode = UPLINK_MODE_TC;
	return 0;
}

/* One duplicate address now, three detected so far (rib_dup.c). */
static int f_rib_stats(const struct daemon *d, struct rib_stats *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
	out->dup_addrs = 1;
	out->dup_detected = 3;
	return 0;
}

static const struct metrics_ops ops = { f_map_fd, f_peers, f_latency, f_status, f_rib_stats };

static void setup(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *pc = calloc((size_t)ncpu, sizeof(*pc));
	struct vtep_route v = { 0 };
	uint32_t k0 = 0;

	stats_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "vtep_stats", 4, sizeof(*pc), 1, NULL);
	routes_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_routes", 8, 20, 5000, NULL);
	fdb_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_fdb", 12, 16, 77, NULL);
	ck_assert(stats_fd >= 0 && routes_fd >= 0 && fdb_fd >= 0);
	for (int c = 0; c < ncpu; c++) {
		pc[c].fwd_encap = 3;
		pc[c].drop_no_route = 1;
		pc[c].drop_rate_limit = 2;
	}
	ck_assert_int_eq(bpf_map_update_elem(stats_fd, &k0, pc, BPF_ANY), 0);
	for (uint32_t i = 0; i < 4321; i++) {
		struct vtep_route_key k = { 100, htonl(i) };

		ck_assert_int_eq(bpf_map_update_elem(routes_fd, &k, &v, BPF_ANY), 0);
	}
	npeers = 2;
	free(pc);
}

static void teardown(void)
{
	close(stats_fd);
	close(routes_fd);
	close(fdb_fd);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

START_TEST(render_content)
{
	int ncpu = libbpf_num_possible_cpus();
	char line[128], *t;
	size_t len;

	setup();
	t = metrics_render(NULL, &ops, &len);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(strlen(t), len);
	ck_assert(has_line(t, "# TYPE vtepd_datapath_packets_total counter"));
	snprintf(line, sizeof(line), "vtepd_datapath_packets_total{counter=\"fwd_encap\"} %d", 3 * ncpu);
	ck_assert_msg(has_line(t, line), "missing %s in\n%s", line, t);
	snprintf(line, sizeof(line), "vtepd_datapath_drops_total{reason=\"no_route\"} %d", ncpu);
	ck_assert(has_line(t, line));
	/* the policer's drops (bpf/police.h) */
	snprintf(line, sizeof(line), "vtepd_datapath_drops_total{reason=\"rate_limit\"} %d", 2 * ncpu);
	ck_assert_msg(has_line(t, line), "missing %s", line);
	ck_assert(has_line(t, "vtepd_datapath_packets_total{counter=\"port_rx\"} 0"));
	/* drops are not double counted as packets */
	ck_assert_ptr_null(strstr(t, "counter=\"drop_"));
	ck_assert(has_line(t, "vtepd_map_entries{map=\"vtep_routes\"} 4321"));
	ck_assert(has_line(t, "vtepd_map_capacity{map=\"vtep_routes\"} 5000"));
	ck_assert(has_line(t, "vtepd_map_entries{map=\"vtep_fdb\"} 0"));
	ck_assert(has_line(t, "vtepd_map_capacity{map=\"vtep_fdb\"} 77"));
	ck_assert_ptr_null(strstr(t, "map=\"vtep_neigh\"")); /* gone in layout 2 */
	ck_assert(has_line(t, "vtepd_bgp_peer_state{peer=\"198.51.100.1\",asn=\"65001\"} 6"));
	ck_assert(has_line(t, "vtepd_bgp_peer_state{peer=\"198.51.100.2\",asn=\"65001\"} 3"));
	ck_assert(has_line(t, "vtepd_bgp_peer_up{peer=\"198.51.100.1\",asn=\"65001\"} 1"));
	ck_assert(has_line(t, "vtepd_bgp_peer_up{peer=\"198.51.100.2\",asn=\"65001\"} 0"));
	/* Per-peer BGP counters (issue 4 point 3). */
	ck_assert(has_line(t, "# TYPE vtepd_bgp_peer_messages_received_total counter"));
	ck_assert(has_line(t, "vtepd_bgp_peer_messages_received_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",type=\"update\"} 30"));
	ck_assert(has_line(t, "vtepd_bgp_peer_messages_received_total{peer=\"198.51.100.2\","
			      "asn=\"65001\",type=\"keepalive\"} 7"));
	ck_assert(has_line(t, "vtepd_bgp_peer_messages_sent_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",type=\"route_refresh\"} 2"));
	ck_assert(has_line(t, "vtepd_bgp_peer_messages_sent_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",type=\"notification\"} 1"));
	ck_assert(has_line(t, "vtepd_bgp_peer_routes_received_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",kind=\"reach\"} 40"));
	ck_assert(has_line(t, "vtepd_bgp_peer_routes_received_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",kind=\"withdraw\"} 3"));
	ck_assert(has_line(t, "vtepd_bgp_peer_routes_sent_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",kind=\"reach\"} 11"));
	ck_assert(has_line(t, "vtepd_bgp_peer_routes_sent_total{peer=\"198.51.100.1\","
			      "asn=\"65001\",kind=\"withdraw\"} 4"));
	ck_assert(has_line(t, "vtepd_bgp_peer_routes_refused_total{peer=\"198.51.100.1\","
			      "asn=\"65001\"} 6"));
	ck_assert(has_line(t, "# TYPE vtepd_bgp_peer_routes_rejected_total counter"));
	ck_assert(has_line(t, "vtepd_bgp_peer_routes_rejected_total{peer=\"198.51.100.2\","
			      "asn=\"65001\"} 12"));
	ck_assert(has_line(t, "vtepd_bgp_peer_max_prefix_exceeded_total{peer=\"198.51.100.1\","
			      "asn=\"65001\"} 1"));
	ck_assert(has_line(t, "vtepd_bgp_peer_flaps_total{peer=\"198.51.100.2\",asn=\"65001\"} 2"));
	/* The histogram: cumulative buckets, +Inf == _count, sum in seconds. */
	ck_assert(has_line(t, "# TYPE vtepd_bgp_update_to_map_seconds histogram"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_bucket{le=\"0.0001\"} 0"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_bucket{le=\"0.0005\"} 2"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_bucket{le=\"0.001\"} 2"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_bucket{le=\"0.0025\"} 3"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_bucket{le=\"5\"} 3"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_bucket{le=\"+Inf\"} 4"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_sum 7.500000000"));
	ck_assert(has_line(t, "vtepd_bgp_update_to_map_seconds_count 4"));
	/* Duplicate addresses: a gauge and a counter, with HELP. */
	ck_assert(has_line(t, "# TYPE vtepd_bgp_duplicate_addresses gauge"));
	ck_assert_ptr_nonnull(strstr(t, "# HELP vtepd_bgp_duplicate_addresses Addresses"));
	ck_assert(has_line(t, "vtepd_bgp_duplicate_addresses 1"));
	ck_assert(has_line(t, "# TYPE vtepd_bgp_duplicate_addresses_total counter"));
	ck_assert(has_line(t, "vtepd_bgp_duplicate_addresses_total 3"));
	ck_assert_ptr_nonnull(strstr(t, "vtepd_build_info{version=\""));
	ck_assert(has_line(t, "vtepd_datapath_feature{feature=\"redirect_peer\"} 0"));
	ck_assert(has_line(t, "vtepd_datapath_feature{feature=\"ringbuf\"} 1"));
	ck_assert(has_line(t, "vtepd_uplink_mode{ifname=\"eth0\",mode=\"xdp\"} 1"));
	ck_assert(has_line(t, "vtepd_uplink_mode{ifname=\"veth1\",mode=\"tc\"} 1"));
	/* every sample line is vtepd_* */
	for (char *p = t; *p; p = strchr(p, '\n') + 1)
		ck_assert(*p == '#' || !strncmp(p, "vtepd_", 6));
	free(t);
	teardown();
}
END_TEST

/* `promtool check metrics` (Prometheus' own linter) on text. */
static void promtool_ok(const char *t)
{
	char path[] = "/tmp/vtepd-unit-metrics-XXXXXX", cmd[128];
	FILE *f;
	int fd, rc;

	if (access("/usr/bin/promtool", X_OK))
		ck_abort_msg("promtool is not installed (Debian: prometheus)");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(t, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	ck_assert_msg(rc == 0, "promtool check metrics failed:\n%s", t);
}

START_TEST(render_passes_promtool)
{
	char *t;

	setup();
	npeers = 3;
	t = metrics_render(NULL, &ops, NULL);
	promtool_ok(t);
	free(t);
	teardown();
}
END_TEST

START_TEST(render_without_maps)
{
	static const struct metrics_ops none = { f_map_fd, f_peers, NULL, NULL, NULL };
	char *t;

	/* fds of -ENOENT everywhere: no counter or map series, still valid. */
	stats_fd = routes_fd = fdb_fd = -ENOENT;
	npeers = 0;
	t = metrics_render(NULL, &none, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(strstr(t, "vtepd_datapath_packets_total{"));
	ck_assert_ptr_nonnull(strstr(t, "vtepd_build_info{"));
	ck_assert_ptr_null(strstr(t, "vtepd_uplink_mode"));
	/* No RIB (BGP off): no histogram at all. */
	ck_assert_ptr_null(strstr(t, "vtepd_bgp_update_to_map_seconds"));
	ck_assert_ptr_null(strstr(t, "vtepd_bgp_duplicate_addresses"));
	promtool_ok(t);
	free(t);
}
END_TEST

/* ---- routes per VNI and source, process metrics, scrape duration ---- */

static int r_routes = -1, r_prefixes = -1, r_routes6 = -1, r_prefixes6 = -1;

static int r_map_fd(const struct daemon *d, const char *name)
{
	(void)d;
	if (!strcmp(name, VTEP_MAP_ROUTES))
		return r_routes;
	if (!strcmp(name, VTEP_MAP_PREFIXES))
		return r_prefixes;
	if (!strcmp(name, VTEP_MAP_ROUTES6))
		return r_routes6;
	if (!strcmp(name, VTEP_MAP_PREFIXES6))
		return r_prefixes6;
	return -ENOENT;
}

static size_t r_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{
	(void)d;
	(void)out;
	(void)max;
	return 0;
}

/* The value after "NAME " on its own line, or -1. */
static double sample(const char *t, const char *name)
{
	char pat[160];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s ", name);
	p = strstr(t, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

START_TEST(render_routes_process)
{
	static const struct metrics_ops rops = { r_map_fd, r_peers, NULL, NULL, NULL };
	static const struct { uint32_t vni; uint8_t source; int n; } want[] = {
		{ 100, VTEP_SRC_LOCAL, 2 }, { 100, VTEP_SRC_STATIC, 3 }, { 200, VTEP_SRC_BGP, 5 },
	};
	LIBBPF_OPTS(bpf_map_create_opts, lpm, .map_flags = BPF_F_NO_PREALLOC);
	struct vtep_prefix_key pk = { 32 + 24, htonl(200), htonl(0x0a020000) };
	struct vtep_route v = { .source = VTEP_SRC_STATIC };
	uint32_t ip = 0;
	double start, now = (double)time(NULL);
	char *t;

	r_routes = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_routes", 8, 20, 64, NULL);
	r_prefixes = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "vtep_prefixes", 12, 20, 64, &lpm);
	r_routes6 = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_routes6", 20, 20, 64, NULL);
	r_prefixes6 = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "vtep_prefixes6", 24, 20, 64, &lpm);
	ck_assert(r_routes >= 0 && r_prefixes >= 0 && r_routes6 >= 0 && r_prefixes6 >= 0);
	/* IPv6: two BGP host routes in VNI 300, a static prefix in VNI 100 */
	for (int j = 0; j < 2; j++) {
		struct vtep_route6_key k6 = { .vni = 300, .ip = { 0x20, 0x01, [15] = (uint8_t)(j + 1) } };

		v.source = VTEP_SRC_BGP;
		ck_assert_int_eq(bpf_map_update_elem(r_routes6, &k6, &v, BPF_ANY), 0);
	}
	{
		struct vtep_prefix6_key p6 = { .prefixlen = 32 + 48, .vni = htonl(100),
					       .ip = { 0x20, 0x01, 0x0d, 0xb8 } };

		v.source = VTEP_SRC_STATIC;
		ck_assert_int_eq(bpf_map_update_elem(r_prefixes6, &p6, &v, BPF_ANY), 0);
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		for (int j = 0; j < want[i].n; j++) {
			struct vtep_route_key k = { want[i].vni, htonl(++ip) };

			v.source = want[i].source;
			ck_assert_int_eq(bpf_map_update_elem(r_routes, &k, &v, BPF_ANY), 0);
		}
	v.source = VTEP_SRC_STATIC;
	ck_assert_int_eq(bpf_map_update_elem(r_prefixes, &pk, &v, BPF_ANY), 0);

	t = metrics_render(NULL, &rops, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert(has_line(t, "# TYPE vtepd_routes gauge"));
	ck_assert_msg(has_line(t, "vtepd_routes{vni=\"100\",source=\"local\"} 2"), "%s", t);
	/* IPv4 and IPv6 together: 3 static host routes and a static IPv6
	 * prefix in VNI 100 */
	ck_assert(has_line(t, "vtepd_routes{vni=\"100\",source=\"static\"} 4"));
	ck_assert(has_line(t, "vtepd_routes{vni=\"200\",source=\"bgp\"} 5"));
	/* the prefix counts with its VNI (network order in the LPM key) */
	ck_assert(has_line(t, "vtepd_routes{vni=\"200\",source=\"static\"} 1"));
	ck_assert(has_line(t, "vtepd_routes{vni=\"300\",source=\"bgp\"} 2"));
	ck_assert(has_line(t, "vtepd_map_entries{map=\"vtep_routes\"} 10"));
	ck_assert(has_line(t, "vtepd_map_entries{map=\"vtep_prefixes\"} 1"));
	ck_assert(has_line(t, "vtepd_map_entries{map=\"vtep_routes6\"} 2"));
	ck_assert(has_line(t, "vtepd_map_entries{map=\"vtep_prefixes6\"} 1"));
	/* this very process */
	ck_assert(sample(t, "vtepd_process_resident_memory_bytes") > 100000);
	ck_assert(sample(t, "vtepd_process_virtual_memory_bytes") > 100000);
	ck_assert(sample(t, "vtepd_process_open_fds") >= 3);
	ck_assert(sample(t, "vtepd_process_cpu_seconds_total") >= 0);
	start = sample(t, "vtepd_process_start_time_seconds");
	ck_assert_msg(start > now - 86400 && start <= now + 1, "start %f now %f", start, now);
	ck_assert(sample(t, "vtepd_scrape_duration_seconds") >= 0);
	promtool_ok(t);
	free(t);

	/* A route deleted is gone from the next scrape (no stale series). */
	{
		struct vtep_route_key k = { 200, htonl(ip) };

		ck_assert_int_eq(bpf_map_delete_elem(r_routes, &k), 0);
	}
	t = metrics_render(NULL, &rops, NULL);
	ck_assert(has_line(t, "vtepd_routes{vni=\"200\",source=\"bgp\"} 4"));
	free(t);
	close(r_routes);
	close(r_prefixes);
	close(r_routes6);
	close(r_prefixes6);
}
END_TEST

/* A bare HTTP/1.0 request; returns the whole response. */
static char *http(uint16_t port, const char *req)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { 5, 0 };
	size_t cap = 1 << 20, got = 0;
	char *buf = calloc(1, cap);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	while ((r = recv(fd, buf + got, cap - 1 - got, 0)) > 0)
		got += (size_t)r;
	close(fd);
	return buf;
}

START_TEST(http_get)
{
	struct metrics *m;
	char *r;

	setup();
	ck_assert_int_eq(metrics_start_ops(NULL, &ops, "127.0.0.1", 0, &m), 0);
	ck_assert_uint_ne(metrics_port(m), 0);
	r = http(metrics_port(m), "GET /metrics HTTP/1.0\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.0 200", 12) || !strncmp(r, "HTTP/1.1 200", 12), "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(r, "vtepd_map_entries{map=\"vtep_routes\"} 4321"));
	free(r);
	r = http(metrics_port(m), "GET / HTTP/1.0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 404 "));
	free(r);
	r = http(metrics_port(m), "GET /metricsx HTTP/1.0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 404 "));
	free(r);
	r = http(metrics_port(m), "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 404 "));
	free(r);
	r = http(metrics_port(m), "garbage\r\n\r\n");
	ck_assert_ptr_null(strstr(r, " 200 "));
	free(r);
	/* A port in use is reported as such. */
	{
		struct metrics *two;

		ck_assert_int_eq(metrics_start_ops(NULL, &ops, "127.0.0.1", metrics_port(m), &two),
				 -EADDRINUSE);
		ck_assert_ptr_null(two);
		/* numeric addresses only */
		ck_assert_int_eq(metrics_start_ops(NULL, &ops, "localhost", 0, &two), -EINVAL);
	}
	metrics_stop(m);
	metrics_stop(NULL);
	teardown();
}
END_TEST

/* Slowloris: clients that send a byte of their request every 100 ms never
 * trip libmicrohttpd's inactivity timeout. With more of them than the
 * server has slots, a normal scrape must still be answered, and every
 * trickler must be closed (deadline or eviction); a generous deadline for
 * the test itself, no timing asserted. */
#define N_TRICKLERS 24

static int trickler(uint16_t port)
{
	static const char head[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL);
	return fd;
}

/* One more byte from every open trickler; closes (fd = -1) those the
 * server closed. Returns how many are still open. */
static int trickle(int *fds, int n)
{
	int open_ = 0;

	for (int i = 0; i < n; i++) {
		char c;
		ssize_t r;

		if (fds[i] < 0)
			continue;
		r = recv(fds[i], &c, 1, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
		    (r > 0) || send(fds[i], "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			/* r > 0: the server answered (an error page): done too. */
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		open_++;
	}
	return open_;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct timespec tick = { 0, 100 * 1000 * 1000 };

START_TEST(http_slow_clients)
{
	int fds[N_TRICKLERS], open_ = N_TRICKLERS;
	unsigned long long closed = 0;
	struct metrics *m;
	double until;
	char *r = NULL, *p;
	bool served = false;

	setup();
	ck_assert_int_eq(metrics_start_ops(NULL, &ops, "127.0.0.1", 0, &m), 0);
	metrics_set_conn_deadline(m, 1500);
	for (int i = 0; i < N_TRICKLERS; i++)
		fds[i] = trickler(metrics_port(m));
	for (int i = 0; i < 3; i++) {
		nanosleep(&tick, NULL);
		trickle(fds, N_TRICKLERS);
	}
	/* A normal scrape is answered while the tricklers hold the slots
	 * (retried: a slot being freed may be counted by MHD a moment). */
	until = mono_s() + 10;
	while (!served && mono_s() < until) {
		free(r);
		r = http(metrics_port(m), "GET /metrics HTTP/1.0\r\n\r\n");
		served = strstr(r, " 200 ") && strstr(r, "vtepd_build_info");
		trickle(fds, N_TRICKLERS);
		if (!served)
			nanosleep(&tick, NULL);
	}
	ck_assert_msg(served, "no scrape answered while slow clients were connected: %.200s", r);
	free(r);
	/* Every trickler is closed, although each keeps sending. */
	until = mono_s() + 20;
	while (open_ && mono_s() < until) {
		nanosleep(&tick, NULL);
		open_ = trickle(fds, N_TRICKLERS);
	}
	ck_assert_msg(open_ == 0, "%d slow clients still connected", open_);
	/* And they are counted. */
	r = http(metrics_port(m), "GET /metrics HTTP/1.0\r\n\r\n");
	p = strstr(r, "vtepd_metrics_connections_closed_total{reason=\"deadline\"} ");
	ck_assert_ptr_nonnull(p);
	closed = strtoull(strchr(p, '}') + 2, NULL, 10);
	ck_assert_uint_ge(closed, 1);
	free(r);
	metrics_stop(m);
	teardown();
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	log_level = LOG_LVL_ERR;
	tcase_add_test(tc, render_content);
	tcase_add_test(tc, render_passes_promtool);
	tcase_add_test(tc, render_without_maps);
	tcase_add_test(tc, render_routes_process);
	tcase_add_test(tc, http_get);
	tcase_add_test(tc, http_slow_clients);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
