/* metrics.c - GET /metrics (see metrics.h), Prometheus text format 0.0.4.
 *
 * Families:
 *   vtepd_build_info{version,layout_version}           gauge, always 1
 *   vtepd_datapath_packets_total{counter}              verdict counters of vtep_stats
 *   vtepd_datapath_drops_total{reason}                 its drop_* counters, "drop_" cut
 *   vtepd_map_entries{map}, vtepd_map_capacity{map}    occupancy of the pinned maps
 *   vtepd_bgp_peer_state{peer,asn}                     1 Idle .. 6 Established (RFC 4271 8.2.2)
 *   vtepd_bgp_peer_up{peer,asn}                        1 when Established
 *   vtepd_bgp_peer_uptime_seconds, vtepd_bgp_peer_prefixes_received
 *
 * Occupancy is counted on each scrape with BPF_MAP_LOOKUP_BATCH over
 * bounded chunks (lib/mapdump.c): one pass per map, no per-key syscalls, a
 * few tens of milliseconds for a million entries, and on the metrics thread,
 * never on the event loop.
 *
 * Threading: libmicrohttpd runs the handler on its one internal polling
 * thread, so scrapes never run concurrently with each other. From that
 * thread only daemon_map_fd() (map fds live as long as the daemon) and
 * daemon_peers() (the daemon must copy peer state under its own lock) are
 * called; daemon_config() is not.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "addr.h"
#include "counters.h"
#include "ctlproto.h"
#include "daemon.h"
#include "log.h"
#include "mapdump.h"

#define METRICS_MAX_PEERS 4096
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

const struct metrics_ops metrics_daemon_ops = {
	.map_fd = daemon_map_fd,
	.peers  = daemon_peers,
};

struct metrics {
	struct daemon *d;
	const struct metrics_ops *ops;
	struct MHD_Daemon *mhd;
	uint16_t port;
};

/* The maps whose occupancy is worth watching (the others are fixed-size). */
static const char *const occupancy_maps[] = {
	VTEP_MAP_VNIS, VTEP_MAP_PORTS, VTEP_MAP_ROUTES, VTEP_MAP_PREFIXES,
	VTEP_MAP_NEIGH, VTEP_MAP_FDB, VTEP_MAP_REMOTES,
};
#define N_OCC (sizeof(occupancy_maps) / sizeof(occupancy_maps[0]))

static const char *const bgp_states[] = {
	"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
};

static int state_number(const char *s)
{
	for (size_t i = 0; s && i < sizeof(bgp_states) / sizeof(bgp_states[0]); i++)
		if (!strcmp(s, bgp_states[i]))
			return (int)i + 1;
	return 0;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_counters(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	int fd = ops->map_fd(d, VTEP_MAP_STATS);
	struct vtep_stats s;

	if (fd < 0 || mapdump_stats(fd, &s))
		return;
	family(f, "vtepd_datapath_packets_total", "counter",
	       "Datapath verdicts and events by counter (vtepctl stats names).");
	for (size_t i = 0; i < counter_count; i++)
		if (strncmp(counter_descs[i].name, "drop_", 5))
			fprintf(f, "vtepd_datapath_packets_total{counter=\"%s\"} %llu\n",
				counter_descs[i].name,
				(unsigned long long)counter_value(&s, i));
	family(f, "vtepd_datapath_drops_total", "counter",
	       "Datapath drops by reason (vtepctl stats name without drop_).");
	for (size_t i = 0; i < counter_count; i++)
		if (!strncmp(counter_descs[i].name, "drop_", 5))
			fprintf(f, "vtepd_datapath_drops_total{reason=\"%s\"} %llu\n",
				counter_descs[i].name + 5,
				(unsigned long long)counter_value(&s, i));
}

static void render_maps(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	uint32_t cap[N_OCC];
	size_t used[N_OCC];
	int ok[N_OCC];

	for (size_t i = 0; i < N_OCC; i++) {
		int fd = ops->map_fd(d, occupancy_maps[i]);

		ok[i] = fd >= 0 && !mapdump_capacity(fd, &cap[i]) && !mapdump_count(fd, &used[i]);
	}
	family(f, "vtepd_map_entries", "gauge", "Entries in each pinned BPF map.");
	for (size_t i = 0; i < N_OCC; i++)
		if (ok[i])
			fprintf(f, "vtepd_map_entries{map=\"%s\"} %zu\n", occupancy_maps[i], used[i]);
	family(f, "vtepd_map_capacity", "gauge", "Capacity (max_entries) of each pinned BPF map.");
	for (size_t i = 0; i < N_OCC; i++)
		if (ok[i])
			fprintf(f, "vtepd_map_capacity{map=\"%s\"} %u\n", occupancy_maps[i], cap[i]);
}

static void render_peers(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	struct daemon_peer_info *p;
	size_t n;

	p = calloc(METRICS_MAX_PEERS, sizeof(*p));
	if (!p)
		return;
	n = ops->peers(d, p, METRICS_MAX_PEERS);
	if (n > METRICS_MAX_PEERS)
		n = METRICS_MAX_PEERS;
	family(f, "vtepd_bgp_peer_state", "gauge",
	       "BGP FSM state per configured neighbor: 1 Idle, 2 Connect, 3 Active, "
	       "4 OpenSent, 5 OpenConfirm, 6 Established.");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_state{peer=\"%s\",asn=\"%u\"} %d\n",
			addr_fmt_ip(p[i].address, a), p[i].asn, state_number(p[i].state));
	}
	family(f, "vtepd_bgp_peer_up", "gauge", "1 when the BGP session is Established.");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_up{peer=\"%s\",asn=\"%u\"} %d\n",
			addr_fmt_ip(p[i].address, a), p[i].asn, state_number(p[i].state) == 6);
	}
	family(f, "vtepd_bgp_peer_uptime_seconds", "gauge",
	       "Seconds the BGP session has been Established (0 otherwise).");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_uptime_seconds{peer=\"%s\",asn=\"%u\"} %llu\n",
			addr_fmt_ip(p[i].address, a), p[i].asn,
			(unsigned long long)p[i].uptime_s);
	}
	family(f, "vtepd_bgp_peer_prefixes_received", "gauge",
	       "EVPN routes currently received from the BGP neighbor.");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_IP_STRLEN];

		fprintf(f, "vtepd_bgp_peer_prefixes_received{peer=\"%s\",asn=\"%u\"} %llu\n",
			addr_fmt_ip(p[i].address, a), p[i].asn,
			(unsigned long long)p[i].prefixes_received);
	}
	free(p);
}

char *metrics_render(struct daemon *d, const struct metrics_ops *ops, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	family(f, "vtepd_build_info", "gauge", "vtepd version and BPF map layout version.");
	fprintf(f, "vtepd_build_info{version=\"%s\",layout_version=\"%d\"} 1\n",
		VTEP_VERSION, VTEP_LAYOUT_VERSION);
	render_counters(f, d, ops);
	render_maps(f, d, ops);
	render_peers(f, d, ops);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
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
	if (strcmp(url, "/metrics") || strcmp(method, MHD_HTTP_METHOD_GET))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     MHD_RESPMEM_PERSISTENT);
	body = metrics_render(m->d, m->ops, &len);
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
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
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
	free(m);
	return ret;
}

int metrics_start(struct daemon *d, const char *addr, uint16_t port, struct metrics **out)
{
	return metrics_start_ops(d, &metrics_daemon_ops, addr, port, out);
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
	free(m);
}
