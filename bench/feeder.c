/* feeder.c - the bench's BGP EVPN route feeder: one session, N type-2
 * routes, then (optionally) a workload moving between two VTEPs.
 *
 *   feeder (--connect A[:P] [--bind A] | --listen A[:P]) --asn N [--peer-asn N]
 *          [--router-id A] [--hold S] [-n N] [--start I] [--vni N] [--base A]
 *          [--mac-base M] [--nexthop A] [--rd RD] [--rt RT] [--wait-map BPFFS]
 *          [--moves K --nexthop2 A --move-ip A --move-mac M [--move-gap-ms G]
 *           [--move-map BPFFS] [--move-start-file F]]
 *          [--withdraw-file F [--withdraw-n K]] [--stay S] [--timeout S]
 *
 * Routes: for i in [START, START + N): MAC/IP Advertisement (RFC 7432 7.2)
 * with RD (default NEXTHOP:VNI), ESI 0, Ethernet tag 0, MAC mac-base + i,
 * IPv4 base + i, one label = the VNI (RFC 8365 5.1.3); attributes ORIGIN
 * IGP, AS_PATH (our AS on eBGP), MP_REACH_NLRI with the IPv4 next hop, the
 * route target (default ASN:VNI) and the VXLAN encapsulation community
 * (RFC 9012 4.1). As many routes per UPDATE as fit in 4096 octets, then
 * End-of-RIB (RFC 4724 2). The numbering is bench/fill's, so fill's count
 * and del work on what the feeder installed through a vtepd.
 *
 * --wait-map BPFFS: after End-of-RIB, wait until every route is in the
 * vtep_routes map pinned there (a vtepd's): the last key first (polled every
 * 100 us), then every key.
 *
 * --moves K: a workload (--move-ip, --move-mac) announced first from
 * --nexthop; move k (1..K) announces it from the other next hop with RD
 * NEXTHOP_k:VNI and MAC mobility sequence k (RFC 7432 7.7, 15), then
 * withdraws the route of the VTEP it left, as that host would. With
 * --move-map, each move's time from the UPDATE's write to the map entry
 * (vtep, seq) changing is measured by polling the map every
 * --move-poll-us P microseconds (default 20; 0 = a tight loop). The
 * sleeps leave the CPU to the receiver: on a 2-vCPU machine a tight loop
 * took one of the two from vtepd and from the rest, which then showed as
 * milliseconds in the tail. A move's time is taken at the first check that
 * sees the entry, so it overstates by up to one poll interval plus the
 * wake-up latency; the previous check's time (the lower bound) is
 * reported too (p50_lo_us, p99_lo_us).
 * --move-start-file F holds the first move until F exists (a script starts
 * its ping first).
 *
 * --withdraw-file F: once F exists (a script measures the installed state
 * first), withdraw the first K routes of the feed (--withdraw-n, default
 * all) in as few UPDATEs as fit (MP_UNREACH_NLRI, RFC 4760 4): event
 * "withdrawn_sent". With --wait-map, then wait until none of them is in
 * vtep_routes (the last one withdrawn first, then every one): event
 * "removed".
 *
 * Then keeps the session up with KEEPALIVEs for --stay S seconds (default:
 * until SIGTERM/SIGINT), and ends it with a Cease NOTIFICATION.
 *
 * Prints one JSON object per line (events: established, sent, installed,
 * moves, withdrawn_sent, removed, done), times in CLOCK_REALTIME seconds so scripts can line them up
 * with their own polls. Exit status 0, 1 when the session failed, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "bgp_msg.h"
#include "evpn_nlri.h"
#include "feeder_sess.h"
#include "vtep_maps.h"

#define FEED_CHUNK     (1u << 16)  /* octets of UPDATEs per write */
#define FEED_ROUTES    256         /* routes built per bgp_msg_build_update call */
#define FEED_MAX_MOVES 100000

struct feed_opts {
	struct fsess_cfg sess;
	unsigned long n, start;
	uint32_t vni;
	uint32_t base;           /* host order */
	uint8_t  mac_base[6];
	uint32_t nexthop;        /* network order */
	uint8_t  rd[8];
	bool     rd_set;
	uint8_t  rt[8];
	bool     rt_set;
	const char *wait_map;
	unsigned long moves;
	uint32_t nexthop2;       /* network order */
	uint32_t move_ip;        /* network order */
	uint8_t  move_mac[6];
	unsigned long move_gap_ms;
	unsigned long move_poll_us;
	const char *move_map;
	const char *move_start;  /* moves begin once this file exists */
	const char *wd_file;     /* withdrawals begin once this file exists */
	unsigned long wd_n;      /* routes to withdraw (0: all) */
	double   stay_s;         /* < 0: until a signal */
	double   timeout_s;
};

static volatile sig_atomic_t feed_stop;

static void on_signal(int sig)
{
	(void)sig;
	feed_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: feeder (--connect A[:P] [--bind A] | --listen A[:P]) --asn N [--peer-asn N]\n"
"              [--router-id A] [--hold S] [-n N] [--start I] [--vni N] [--base A]\n"
"              [--mac-base M] [--nexthop A] [--rd RD] [--rt RT] [--wait-map BPFFS]\n"
"              [--moves K --nexthop2 A --move-ip A --move-mac M [--move-gap-ms G]\n"
"              [--move-poll-us P]\n"
"               [--move-map BPFFS] [--move-start-file F]]\n"
"              [--withdraw-file F [--withdraw-n K]] [--stay S] [--timeout S]\n"
"Sends N EVPN type-2 routes (MAC mac-base+i, IP base+i, i from START) over one\n"
"BGP session, then End-of-RIB; optionally moves one workload K times between\n"
"two next hops. RD: A.B.C.D:N or ASN:N (default NEXTHOP:VNI); RT: ASN:N or\n"
"A.B.C.D:N (default ASN:VNI). Defaults: -n 1000 --vni 100 --base 10.16.0.0\n"
"--mac-base 02:b0:00:00:00:00 --nexthop 192.0.2.2 --hold 90, port 179.\n");
}

static int parse_ul(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "A.B.C.D[:PORT]" */
static int parse_sockaddr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strchr(s, ':');
	unsigned long port = 179;
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n >= sizeof(host) || (colon && parse_ul(colon + 1, 65535, &port)))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -EINVAL;
}

/* "GLOBAL:LOCAL" with GLOBAL an IPv4 address or an AS number. */
static int parse_pair(const char *s, bool *is_ip, uint32_t *global, unsigned long *local)
{
	char g[64];
	const char *colon = strrchr(s, ':');
	unsigned long as;
	size_t n;

	if (!colon || (n = (size_t)(colon - s)) >= sizeof(g) ||
	    parse_ul(colon + 1, 0xffffffff, local))
		return -EINVAL;
	memcpy(g, s, n);
	g[n] = 0;
	*is_ip = strchr(g, '.') != NULL;
	if (*is_ip)
		return inet_pton(AF_INET, g, global) == 1 && *local <= 0xffff ? 0 : -EINVAL;
	if (parse_ul(g, 0xffffffff, &as))
		return -EINVAL;
	*global = (uint32_t)as;
	return 0;
}

static int parse_rd(const char *s, uint8_t rd[8])
{
	unsigned long local;
	uint32_t global;
	bool ip;

	if (parse_pair(s, &ip, &global, &local))
		return -EINVAL;
	if (ip)
		evpn_rd_make_ip(rd, global, (uint16_t)local);
	else if (global > 0xffff && local > 0xffff)
		return -EINVAL;
	else
		evpn_rd_make_as(rd, global, (uint32_t)local);
	return 0;
}

/* RFC 4360 4 / RFC 5668 3: the 2-octet AS form when it fits. */
static int parse_rt(const char *s, uint8_t rt[8])
{
	unsigned long local;
	uint32_t global;
	bool ip;

	if (parse_pair(s, &ip, &global, &local))
		return -EINVAL;
	if (ip)
		bgp_ext_rt_ip4(rt, global, (uint16_t)local);
	else if (global <= 0xffff)
		bgp_ext_rt_as2(rt, (uint16_t)global, (uint32_t)local);
	else if (local <= 0xffff)
		bgp_ext_rt_as4(rt, global, (uint16_t)local);
	else
		return -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct feed_opts *o)
{
	enum { O_CONNECT = 256, O_BIND, O_LISTEN, O_ASN, O_PEER_AS, O_RID, O_HOLD, O_START,
	       O_VNI, O_BASE, O_MAC, O_NH, O_RD, O_RT, O_WAIT, O_MOVES, O_NH2, O_MIP, O_MMAC,
	       O_GAP, O_MMAP, O_MSTART, O_STAY, O_TIMEOUT, O_POLL, O_WDFILE, O_WDN };
	static const struct option lo[] = {
		{ "connect", 1, 0, O_CONNECT }, { "bind", 1, 0, O_BIND },
		{ "listen", 1, 0, O_LISTEN }, { "asn", 1, 0, O_ASN },
		{ "peer-asn", 1, 0, O_PEER_AS }, { "router-id", 1, 0, O_RID },
		{ "hold", 1, 0, O_HOLD }, { "start", 1, 0, O_START }, { "vni", 1, 0, O_VNI },
		{ "base", 1, 0, O_BASE }, { "mac-base", 1, 0, O_MAC },
		{ "nexthop", 1, 0, O_NH }, { "rd", 1, 0, O_RD }, { "rt", 1, 0, O_RT },
		{ "wait-map", 1, 0, O_WAIT }, { "moves", 1, 0, O_MOVES },
		{ "nexthop2", 1, 0, O_NH2 }, { "move-ip", 1, 0, O_MIP },
		{ "move-mac", 1, 0, O_MMAC }, { "move-gap-ms", 1, 0, O_GAP },
		{ "move-map", 1, 0, O_MMAP }, { "move-start-file", 1, 0, O_MSTART },
		{ "stay", 1, 0, O_STAY }, { "move-poll-us", 1, 0, O_POLL },
		{ "timeout", 1, 0, O_TIMEOUT }, { "withdraw-file", 1, 0, O_WDFILE },
		{ "withdraw-n", 1, 0, O_WDN }, { "help", 0, 0, 'h' }, { 0 },
	};
	bool have_addr = false;
	unsigned long v;
	uint32_t ip;
	int c, err = 0;

	memset(o, 0, sizeof(*o));
	o->n = 1000;
	o->vni = 100;
	o->base = 0x0a100000;                  /* 10.16.0.0, bench/fill's */
	memcpy(o->mac_base, (uint8_t[6]){ 0x02, 0xb0, 0, 0, 0, 0 }, 6);
	o->nexthop = htonl(0xc0000202);        /* 192.0.2.2 */
	o->sess.hold_time = 90;
	o->sess.router_id = htonl(0x0afffe01); /* 10.255.254.1 */
	o->sess.timeout_s = 30;
	o->move_gap_ms = 10;
	o->move_poll_us = 20;
	o->stay_s = -1;
	o->timeout_s = 600;
	while ((c = getopt_long(argc, argv, "n:h", lo, NULL)) != -1) {
		switch (c) {
		case O_CONNECT: err = parse_sockaddr(optarg, &o->sess.addr); have_addr = true; break;
		case O_LISTEN: err = parse_sockaddr(optarg, &o->sess.addr); have_addr = true;
			o->sess.passive = true; break;
		case O_BIND: err = parse_sockaddr(optarg, &o->sess.bind);
			o->sess.bind.sin_port = 0; break;
		case O_ASN: err = parse_ul(optarg, 0xffffffff, &v); o->sess.local_as = (uint32_t)v; break;
		case O_PEER_AS: err = parse_ul(optarg, 0xffffffff, &v); o->sess.peer_as = (uint32_t)v; break;
		case O_RID: err = addr_parse_ip(optarg, &o->sess.router_id); break;
		case O_HOLD: err = parse_ul(optarg, 65535, &v); o->sess.hold_time = (uint16_t)v;
			err = err ?: (v && v < 3 ? -EINVAL : 0); break;
		case 'n': err = parse_ul(optarg, 1ul << 24, &o->n); break;
		case O_START: err = parse_ul(optarg, 1ul << 24, &o->start); break;
		case O_VNI: err = parse_ul(optarg, 0xffffff, &v); o->vni = (uint32_t)v; break;
		case O_BASE: err = addr_parse_ip(optarg, &ip); o->base = ntohl(ip); break;
		case O_MAC: err = addr_parse_mac(optarg, o->mac_base); break;
		case O_NH: err = addr_parse_ip(optarg, &o->nexthop); break;
		case O_RD: err = parse_rd(optarg, o->rd); o->rd_set = true; break;
		case O_RT: err = parse_rt(optarg, o->rt); o->rt_set = true; break;
		case O_WAIT: o->wait_map = optarg; break;
		case O_MOVES: err = parse_ul(optarg, FEED_MAX_MOVES, &o->moves); break;
		case O_NH2: err = addr_parse_ip(optarg, &o->nexthop2); break;
		case O_MIP: err = addr_parse_ip(optarg, &o->move_ip); break;
		case O_MMAC: err = addr_parse_mac(optarg, o->move_mac); break;
		case O_GAP: err = parse_ul(optarg, 60000, &o->move_gap_ms); break;
		case O_POLL: err = parse_ul(optarg, 100000, &o->move_poll_us); break;
		case O_MMAP: o->move_map = optarg; break;
		case O_MSTART: o->move_start = optarg; break;
		case O_WDFILE: o->wd_file = optarg; break;
		case O_WDN: err = parse_ul(optarg, 1ul << 24, &o->wd_n); break;
		case O_STAY: err = parse_ul(optarg, 1ul << 30, &v); o->stay_s = (double)v; break;
		case O_TIMEOUT: err = parse_ul(optarg, 1ul << 20, &v); o->timeout_s = (double)v;
			o->sess.timeout_s = (double)v; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -EINVAL;
		}
		if (err) {
			fprintf(stderr, "feeder: bad value for option %s: %s\n", argv[optind - 1], optarg);
			return -EINVAL;
		}
	}
	if (optind != argc || !have_addr || !o->sess.local_as) {
		usage(stderr);
		return -EINVAL;
	}
	if (o->moves && (!o->nexthop2 || !o->move_ip)) {
		fprintf(stderr, "feeder: --moves needs --nexthop2 and --move-ip\n");
		return -EINVAL;
	}
	if ((uint64_t)o->base + o->start + o->n > 0xffffffffull) {
		fprintf(stderr, "feeder: %lu addresses from the base do not fit IPv4\n",
			o->start + o->n);
		return -EINVAL;
	}
	if (!o->rd_set)
		evpn_rd_make_ip(o->rd, o->nexthop, (uint16_t)o->vni);
	if (!o->rt_set && o->sess.local_as <= 0xffff)
		bgp_ext_rt_as2(o->rt, (uint16_t)o->sess.local_as, o->vni);
	else if (!o->rt_set)
		bgp_ext_rt_as4(o->rt, o->sess.local_as, (uint16_t)o->vni);
	return 0;
}

/* ---- routes ---------------------------------------------------------------- */

static void route_i(const struct feed_opts *o, unsigned long i, struct evpn_route *rt)
{
	uint32_t low = ((uint32_t)o->mac_base[2] << 24 | o->mac_base[3] << 16 |
			o->mac_base[4] << 8 | o->mac_base[5]) + (uint32_t)i;

	memset(rt, 0, sizeof(*rt));
	rt->type = EVPN_RT_MACIP;
	memcpy(rt->rd, o->rd, 8);
	memcpy(rt->mac, o->mac_base, 2);
	rt->mac[2] = low >> 24;
	rt->mac[3] = low >> 16;
	rt->mac[4] = low >> 8;
	rt->mac[5] = low;
	rt->ip.len = 4;
	rt->ip.v4 = htonl(o->base + (uint32_t)i);
	rt->n_labels = 1;
	rt->label[0] = o->vni & 0xffffff;     /* RFC 8365 5.1.3: the VNI */
}

/* The attributes every route of one next hop shares; ext[] must hold 3. */
static void route_attrs(const struct feed_opts *o, const struct fsess *s, uint32_t nexthop,
			uint32_t seq, bool mobility, struct bgp_attrs *a, uint8_t ext[3][8])
{
	uint16_t n = 0;

	memset(a, 0, sizeof(*a));
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI) | BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->origin = BGP_ORIGIN_IGP;
	if (s->ctx.ibgp) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);   /* RFC 4271 5.1.5 */
		a->local_pref = 100;
	} else {
		bgp_aspath_prepend(&a->aspath, o->sess.local_as);  /* RFC 4271 5.1.2 */
	}
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &nexthop, 4);
	memcpy(ext[n++], o->rt, 8);
	bgp_ext_encap(ext[n++], BGP_TUNNEL_VXLAN);                 /* RFC 9012 4.1 */
	if (mobility)
		bgp_ext_mac_mobility(ext[n++], seq, false);        /* RFC 7432 7.7 */
	a->ext = &ext[0][0];
	a->n_ext = n;
}

/* Appends UPDATEs for routes[0..n) to out (FEED_CHUNK + BGP_MAX_LEN room),
 * writing whenever a chunk is full. Returns UPDATEs built or -errno. */
struct feed_out {
	uint8_t buf[FEED_CHUNK + BGP_MAX_LEN];
	size_t len;
	unsigned long updates;
};

static int out_flush(struct fsess *s, struct feed_out *out)
{
	int ret = out->len ? fsess_send(s, out->buf, out->len) : 0;

	out->len = 0;
	return ret;
}

static int out_routes(struct fsess *s, struct feed_out *out, const struct bgp_attrs *a,
		      const struct evpn_route *rts, size_t n, bool withdraw)
{
	size_t done = 0;
	int ret;

	while (done < n) {
		struct wbuf w;

		wbuf_init(&w, out->buf + out->len, sizeof(out->buf) - out->len);
		ret = bgp_msg_build_update(&w, &s->ctx, a, rts + done, n - done, withdraw);
		if (ret <= 0)
			return ret ? ret : -EINVAL;
		done += (size_t)ret;
		out->len += w.len;
		out->updates++;
		if (out->len >= FEED_CHUNK && (ret = out_flush(s, out)))
			return ret;
	}
	return 0;
}

static void print_route(const char *what, const struct evpn_route *rt)
{
	char b[EVPN_ROUTE_STRLEN];

	printf(",\"%s\":\"%s\"", what, evpn_route_fmt(rt, b));
}

static int send_routes(const struct feed_opts *o, struct fsess *s, struct feed_out *out)
{
	static struct evpn_route rts[FEED_ROUTES];
	uint8_t ext[3][8];
	struct bgp_attrs a;
	double t0 = fsess_wall(), t1;
	unsigned long done = 0, u0 = out->updates;
	int ret = 0;

	route_attrs(o, s, o->nexthop, 0, false, &a, ext);
	while (done < o->n && !ret && !feed_stop) {
		size_t k, m = o->n - done > FEED_ROUTES ? FEED_ROUTES : o->n - done;

		for (k = 0; k < m; k++)
			route_i(o, o->start + done + k, &rts[k]);
		ret = out_routes(s, out, &a, rts, m, false);
		done += m;
	}
	if (!ret && o->moves) {
		struct evpn_route mv;

		/* The workload that will move, first at --nexthop, sequence 0
		 * (no MAC mobility community: RFC 7432 15.1). */
		route_i(o, 0, &mv);
		memcpy(mv.mac, o->move_mac, 6);
		mv.ip.v4 = o->move_ip;
		ret = out_routes(s, out, &a, &mv, 1, false);
	}
	if (!ret) {
		struct wbuf w;

		wbuf_init(&w, out->buf + out->len, sizeof(out->buf) - out->len);
		ret = bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI);   /* RFC 4724 2 */
		out->len += ret ? 0 : w.len;
	}
	ret = ret ?: out_flush(s, out);
	t1 = fsess_wall();
	if (ret)
		return ret;
	printf("{\"event\":\"sent\",\"routes\":%lu,\"updates\":%lu,\"t_first\":%.6f,\"t_eor\":%.6f,"
	       "\"seconds\":%.6f,\"routes_per_s\":%.0f", done, out->updates - u0, t0, t1, t1 - t0,
	       t1 > t0 ? done / (t1 - t0) : 0.0);
	if (o->n) {
		struct evpn_route r;

		route_i(o, o->start, &r);
		print_route("first", &r);
		route_i(o, o->start + o->n - 1, &r);
		print_route("last", &r);
	}
	printf("}\n");
	fflush(stdout);
	return 0;
}

/* ---- the map side ---------------------------------------------------------- */

static int open_routes(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, VTEP_MAP_ROUTES);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "feeder: %s: %s\n", path, strerror(errno));
	return fd < 0 ? -errno : fd;
}

static bool has_route(int fd, uint32_t vni, uint32_t ip_be, struct vtep_route *v)
{
	struct vtep_route_key k = { .vni = vni, .ip = ip_be };

	return bpf_map_lookup_elem(fd, &k, v) == 0;
}

/* Every route of the feed in the map: the last one sent first (it comes
 * last when the receiver installs in order), then the rest; a key found
 * missing in that pass is waited for. */
static int wait_installed(const struct feed_opts *o, struct fsess *s)
{
	struct vtep_route v;
	double deadline = fsess_now() + o->timeout_s, t_last = 0, t_all;
	unsigned long i, missing = 0;
	int fd = open_routes(o->wait_map);

	if (fd < 0)
		return fd;
	for (i = o->n; i-- > 0 && !feed_stop; ) {
		uint32_t ip = htonl(o->base + (uint32_t)(o->start + i));
		bool first = true;

		while (!has_route(fd, o->vni, ip, &v)) {
			if (first && i != o->n - 1)
				missing++;
			first = false;
			if (fsess_now() > deadline)
				goto timeout;
			/* Keep the session alive while waiting. */
			if (fsess_service(s, 0))
				goto timeout;
			usleep(100);
		}
		if (i == o->n - 1)
			t_last = fsess_wall();
	}
	t_all = fsess_wall();
	close(fd);
	printf("{\"event\":\"installed\",\"routes\":%lu,\"t_last_key\":%.6f,\"t_all\":%.6f,"
	       "\"missing_after_last\":%lu}\n", o->n, t_last, t_all, missing);
	fflush(stdout);
	return 0;
timeout:
	close(fd);
	printf("{\"event\":\"installed\",\"routes\":%lu,\"timeout\":true,\"missing_from\":%lu}\n",
	       o->n, i);
	fflush(stdout);
	return -ETIMEDOUT;
}

/* ---- withdrawal ------------------------------------------------------------ */

/* Once wd_file exists: the first wd_n routes withdrawn, in order. */
static int send_withdrawals(const struct feed_opts *o, struct fsess *s, struct feed_out *out)
{
	static struct evpn_route rts[FEED_ROUTES];
	unsigned long n = o->wd_n && o->wd_n < o->n ? o->wd_n : o->n, done = 0, u0;
	double t0, t1, end = fsess_now() + o->timeout_s;
	int ret = 0;

	while (!ret && !feed_stop && access(o->wd_file, F_OK) && fsess_now() < end)
		ret = fsess_service(s, 10);
	if (ret || feed_stop || access(o->wd_file, F_OK))
		return ret ? ret : -ETIMEDOUT;
	u0 = out->updates;
	t0 = fsess_wall();
	while (done < n && !ret && !feed_stop) {
		size_t k, m = n - done > FEED_ROUTES ? FEED_ROUTES : n - done;

		for (k = 0; k < m; k++)
			route_i(o, o->start + done + k, &rts[k]);
		ret = out_routes(s, out, NULL, rts, m, true);
		done += m;
	}
	ret = ret ?: out_flush(s, out);
	t1 = fsess_wall();
	if (ret)
		return ret;
	printf("{\"event\":\"withdrawn_sent\",\"routes\":%lu,\"updates\":%lu,\"t_first\":%.6f,"
	       "\"t_last\":%.6f,\"seconds\":%.6f}\n", done, out->updates - u0, t0, t1, t1 - t0);
	fflush(stdout);
	return 0;
}

/* None of the withdrawn routes in the map: the last one first, then all. */
static int wait_removed(const struct feed_opts *o, struct fsess *s)
{
	unsigned long n = o->wd_n && o->wd_n < o->n ? o->wd_n : o->n, i, left = 0;
	double deadline = fsess_now() + o->timeout_s, t_last = 0, t_all;
	struct vtep_route v;
	int fd = open_routes(o->wait_map);

	if (fd < 0)
		return fd;
	for (i = n; i-- > 0 && !feed_stop; ) {
		uint32_t ip = htonl(o->base + (uint32_t)(o->start + i));
		bool first = true;

		while (has_route(fd, o->vni, ip, &v)) {
			if (first && i != n - 1)
				left++;
			first = false;
			if (fsess_now() > deadline || fsess_service(s, 0))
				goto timeout;
			usleep(100);
		}
		if (i == n - 1)
			t_last = fsess_wall();
	}
	t_all = fsess_wall();
	close(fd);
	printf("{\"event\":\"removed\",\"routes\":%lu,\"t_last_key\":%.6f,\"t_all\":%.6f,"
	       "\"left_after_last\":%lu}\n", n, t_last, t_all, left);
	fflush(stdout);
	return 0;
timeout:
	close(fd);
	printf("{\"event\":\"removed\",\"routes\":%lu,\"timeout\":true,\"left_from\":%lu}\n",
	       n, i);
	fflush(stdout);
	return -ETIMEDOUT;
}

/* ---- mobility -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, unsigned long n, double p)
{
	unsigned long r = (unsigned long)(p / 100.0 * n + 0.999999);

	return n ? v[r ? (r > n ? n : r) - 1 : 0] : 0;
}

static int do_moves(const struct feed_opts *o, struct fsess *s, struct feed_out *out)
{
	double *lat = calloc(o->moves ? o->moves : 1, sizeof(double));
	double *lat_lo = calloc(o->moves ? o->moves : 1, sizeof(double));
	struct timespec nap = { .tv_nsec = (long)o->move_poll_us * 1000 };
	unsigned long k, timeouts = 0, n = 0;
	uint8_t ext[3][8];
	struct bgp_attrs a;
	struct evpn_route mv, old;
	struct vtep_route v;
	double t_start = fsess_wall(), sum = 0;
	int fd = -1, ret = 0;

	if (!lat || !lat_lo) {
		free(lat);
		free(lat_lo);
		return -ENOMEM;
	}
	if (o->move_map && (fd = open_routes(o->move_map)) < 0) {
		free(lat);
		free(lat_lo);
		return fd;
	}
	/* Sleeps of a few microseconds need the timer slack (50 us by
	 * default) out of the way. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	route_i(o, 0, &mv);
	memcpy(mv.mac, o->move_mac, 6);
	mv.ip.v4 = o->move_ip;
	for (double end = fsess_now() + o->timeout_s; o->move_start && !ret && !feed_stop &&
	     access(o->move_start, F_OK) && fsess_now() < end; )
		ret = fsess_service(s, 10);
	t_start = fsess_wall();
	for (k = 1; k <= o->moves && !ret && !feed_stop; k++) {
		uint32_t nh = k % 2 ? o->nexthop2 : o->nexthop, oldnh = k % 2 ? o->nexthop : o->nexthop2;
		double t0, deadline;

		old = mv;
		evpn_rd_make_ip(old.rd, oldnh, (uint16_t)o->vni);
		evpn_rd_make_ip(mv.rd, nh, (uint16_t)o->vni);
		/* RFC 7432 15: the new host's route with a higher sequence. */
		route_attrs(o, s, nh, (uint32_t)k, true, &a, ext);
		if ((ret = out_routes(s, out, &a, &mv, 1, false)))
			break;
		t0 = fsess_now();
		if ((ret = out_flush(s, out)))
			break;
		if (fd >= 0) {
			double t_prev = t0, t_chk;

			deadline = t0 + 2.0;
			/* A miss bounds the write from below by the time
			 * that check began; a hit from above by the time it
			 * returned. */
			for (;;) {
				double t_begin = fsess_now();
				bool hit = has_route(fd, o->vni, o->move_ip, &v) && v.vtep == nh &&
					   v.seq == (uint32_t)k;

				t_chk = fsess_now();
				if (hit || t_chk >= deadline)
					break;
				t_prev = t_begin;
				if (o->move_poll_us)
					nanosleep(&nap, NULL);
			}
			if (v.vtep == nh && v.seq == (uint32_t)k) {
				lat_lo[n] = t_prev - t0;
				lat[n] = t_chk - t0;
				sum += lat[n++];
			} else {
				timeouts++;
			}
		}
		/* The host it left withdraws its route (RFC 7432 15.1). */
		ret = out_routes(s, out, NULL, &old, 1, true) ?: out_flush(s, out);
		for (double end = fsess_now() + o->move_gap_ms / 1000.0;
		     !ret && fsess_now() < end && !feed_stop; )
			ret = fsess_service(s, (int)((end - fsess_now()) * 1000) + 1);
	}
	if (fd >= 0)
		close(fd);
	qsort(lat, n, sizeof(double), cmp_double);
	qsort(lat_lo, n, sizeof(double), cmp_double);
	printf("{\"event\":\"moves\",\"moves\":%lu,\"t_start\":%.6f,\"t_end\":%.6f,\"measured\":%lu,"
	       "\"timeouts\":%lu", k - 1, t_start, fsess_wall(), n, timeouts);
	if (n)
		printf(",\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,"
		       "\"min_us\":%.1f,\"mean_us\":%.1f", pct(lat, n, 50) * 1e6,
		       pct(lat, n, 90) * 1e6, pct(lat, n, 99) * 1e6, lat[n - 1] * 1e6,
		       lat[0] * 1e6, sum / n * 1e6);
	if (n)
		printf(",\"p50_lo_us\":%.1f,\"p99_lo_us\":%.1f,\"poll_us\":%lu",
		       pct(lat_lo, n, 50) * 1e6, pct(lat_lo, n, 99) * 1e6, o->move_poll_us);
	printf("}\n");
	fflush(stdout);
	free(lat);
	free(lat_lo);
	return ret;
}

int main(int argc, char **argv)
{
	static struct feed_out out;
	static struct fsess s;
	struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART */
	struct feed_opts o;
	double until;
	char id[INET_ADDRSTRLEN];
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = fsess_open(&s, &o.sess);
	if (ret) {
		fprintf(stderr, "feeder: session: %s\n", s.why);
		printf("{\"event\":\"error\",\"error\":\"%s\"}\n", s.why);
		return 1;
	}
	inet_ntop(AF_INET, &s.peer_id, id, sizeof(id));
	printf("{\"event\":\"established\",\"t\":%.6f,\"peer_as\":%u,\"peer_id\":\"%s\","
	       "\"hold_time\":%u,\"as4\":%s,\"ibgp\":%s}\n", fsess_wall(), s.peer_as, id,
	       s.hold_time, s.ctx.as4 ? "true" : "false", s.ctx.ibgp ? "true" : "false");
	fflush(stdout);
	ret = send_routes(&o, &s, &out);
	if (!ret && o.wait_map)
		ret = wait_installed(&o, &s);
	if (!ret && o.moves)
		ret = do_moves(&o, &s, &out);
	if (!ret && o.wd_file) {
		ret = send_withdrawals(&o, &s, &out);
		if (!ret && o.wait_map)
			ret = wait_removed(&o, &s);
	}
	until = o.stay_s < 0 ? 1e300 : fsess_now() + o.stay_s;
	while (!ret && !feed_stop && fsess_now() < until)
		ret = fsess_service(&s, 1000);
	printf("{\"event\":\"done\",\"t\":%.6f,\"updates_in\":%lu,\"error\":%s%s%s}\n",
	       fsess_wall(), (unsigned long)s.updates_in, ret ? "\"" : "",
	       ret ? (s.why[0] ? s.why : strerror(-ret)) : "null", ret ? "\"" : "");
	fflush(stdout);
	if (ret && s.why[0])
		fprintf(stderr, "feeder: %s\n", s.why);
	fsess_close(&s, !ret);
	return ret ? 1 : 0;
}
