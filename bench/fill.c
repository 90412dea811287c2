/* fill.c - load a large remote route table into a running vtepd's maps.
 *
 *   fill -b BPFFS [-n COUNT] [--start I] [--vni N] [--base A] [--vtep A]
 *        [--vteps K] [--mac-base M] [--batch N] [--ipv6 [--base6 A]] [-j]
 *        add|del|count
 *
 * add: COUNT remote host routes, as BGP would install them: for i in
 * [START, START + COUNT), route (vni, base + i) -> (vtep + i % K, mac-base + i),
 * written with bpf_map_update_batch into the pinned vtep_routes under BPFFS
 * (include/vtep_maps.h: a MAC+IP route is that one entry; the ARP proxy
 * answers from its MAC, and vtep_fdb holds only MACs without an IP).
 * del: removes exactly those keys (bpf_map_delete_batch). count: entries in
 * each of the three maps. --ipv6: the same routes as /128s in vtep_routes6,
 * address base6 + i (in its low 32 bits, default 2001:db8:16::), MAC
 * mac-base + i as for IPv4 (one workload with both addresses).
 * vtep_remotes is not touched: the remote VTEPs named
 * here should be ones vtepd already knows (a configured route), and the
 * uplink only consults that map for VXLAN it receives.
 *
 * vtepd is vtep_routes' only writer everywhere else, and follows each of its
 * changes in the flat route table (agent/dp/rtab.h); after an IPv4 add or
 * del, fill rebuilds that table from vtep_routes with vtepd's own code
 * (a new epoch; the datapath asks vtep_routes meanwhile), so the programs
 * see the routes. Run it while vtepd writes no routes (a bench set-up).
 *
 * Prints what it did, how long it took and entries per second.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "rtab.h"
#include "vtep_maps.h"

#define FILL_BATCH 8192

struct fill_opts {
	const char *bpffs;
	const char *op;
	unsigned long count;
	unsigned long start; /* first entry number: tables grow in steps */
	uint32_t vni;
	uint32_t base;   /* host order */
	uint32_t vtep;   /* host order */
	unsigned int vteps;
	uint8_t mac_base[6];
	unsigned int batch;
	int json;
	int ip6;            /* vtep_routes6 instead of vtep_routes */
	uint8_t base6[16];  /* network order */
};

struct fill_maps {
	int routes, fdb, routes6;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: fill -b BPFFS [-n COUNT] [--start I] [--vni N] [--base A] [--vtep A]\n"
"            [--vteps K] [--mac-base M] [--batch N] [--ipv6 [--base6 A]] [-j]\n"
"            add|del|count\n"
"Writes (add) or removes (del) remote host routes number START..START+COUNT-1\n"
"(address base + i, MAC mac-base + i, VTEP vtep + i %% K) with their ARP and\n"
"MAC-to-underlay entries in the maps pinned under BPFFS, or counts the\n"
"entries (count). Defaults: -n 1000 --start 0 --vni 100 --base 10.16.0.0\n"
"--vtep 192.0.2.2 --vteps 1 --mac-base 02:b0:00:00:00:00. --ipv6: the routes\n"
"are IPv6 /128s in vtep_routes6, base6 + i (default --base6 2001:db8:16::).\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

static int parse_args(int argc, char **argv, struct fill_opts *o)
{
	enum { O_VNI = 256, O_BASE, O_VTEP, O_VTEPS, O_MAC, O_BATCH, O_START, O_IP6, O_BASE6 };
	static const struct option lo[] = {
		{ "start", 1, 0, O_START },
		{ "vni", 1, 0, O_VNI }, { "base", 1, 0, O_BASE },
		{ "vtep", 1, 0, O_VTEP }, { "vteps", 1, 0, O_VTEPS },
		{ "mac-base", 1, 0, O_MAC }, { "batch", 1, 0, O_BATCH },
		{ "ipv6", 0, 0, O_IP6 }, { "base6", 1, 0, O_BASE6 },
		{ "help", 0, 0, 'h' }, { 0 },
	};
	uint32_t ip;
	unsigned long v;
	int c, err = 0;

	memset(o, 0, sizeof(*o));
	o->count = 1000;
	o->vni = 100;
	o->base = 0x0a100000;  /* 10.16.0.0 */
	o->vtep = 0xc0000202;  /* 192.0.2.2 */
	o->vteps = 1;
	o->batch = FILL_BATCH;
	memcpy(o->mac_base, (uint8_t[6]){ 0x02, 0xb0, 0, 0, 0, 0 }, 6);
	inet_pton(AF_INET6, "2001:db8:16::", o->base6);
	while ((c = getopt_long(argc, argv, "b:n:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'b': o->bpffs = optarg; break;
		case 'n': err = parse_ul(optarg, 1ul << 24, &o->count); break;
		case 'j': o->json = 1; break;
		case O_START: err = parse_ul(optarg, 1ul << 24, &o->start); break;
		case O_VNI: err = parse_ul(optarg, 0xffffff, &v); o->vni = (uint32_t)v; break;
		case O_BASE: err = addr_parse_ip(optarg, &ip); o->base = ntohl(ip); break;
		case O_VTEP: err = addr_parse_ip(optarg, &ip); o->vtep = ntohl(ip); break;
		case O_VTEPS: err = parse_ul(optarg, 65536, &v); o->vteps = (unsigned int)v; break;
		case O_MAC: err = addr_parse_mac(optarg, o->mac_base); break;
		case O_BATCH: err = parse_ul(optarg, 1ul << 20, &v); o->batch = (unsigned int)v; break;
		case O_IP6: o->ip6 = 1; break;
		case O_BASE6: err = inet_pton(AF_INET6, optarg, o->base6) == 1 ? 0 : -EINVAL; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -EINVAL;
		}
		if (err) {
			fprintf(stderr, "fill: bad value for option %s: %s\n", argv[optind - 1], optarg);
			return -EINVAL;
		}
	}
	if (!o->bpffs || optind != argc - 1 || !o->vteps || !o->batch) {
		usage(stderr);
		return -EINVAL;
	}
	o->op = argv[optind];
	if (strcmp(o->op, "add") && strcmp(o->op, "del") && strcmp(o->op, "count")) {
		usage(stderr);
		return -EINVAL;
	}
	if (!o->ip6 && (uint64_t)o->base + o->start + o->count > 0xffffffffull) {
		fprintf(stderr, "fill: %lu addresses from the base do not fit IPv4\n",
			o->start + o->count);
		return -EINVAL;
	}
	return 0;
}

/* Opens DIR/NAME and checks its key and value sizes against vtep_maps.h. */
static int open_map(const char *dir, const char *name, __u32 ksz, __u32 vsz)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[4096];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "fill: %s: %s\n", path, strerror(errno));
		return err;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		fprintf(stderr, "fill: %s: info: %s\n", path, strerror(errno));
		close(fd);
		return err;
	}
	if (info.key_size != ksz || info.value_size != vsz) {
		fprintf(stderr, "fill: %s: key/value sizes %u/%u, expected %u/%u (layout)\n",
			path, info.key_size, info.value_size, ksz, vsz);
		close(fd);
		return -EPROTO;
	}
	return fd;
}

static void entry(const struct fill_opts *o, unsigned long i, struct vtep_route_key *rk,
		  struct vtep_route *rt)
{
	uint8_t mac[6];
	uint32_t low;

	memcpy(mac, o->mac_base, 6);
	low = ((uint32_t)mac[2] << 24 | mac[3] << 16 | mac[4] << 8 | mac[5]) + (uint32_t)i;
	mac[2] = low >> 24;
	mac[3] = low >> 16;
	mac[4] = low >> 8;
	mac[5] = low;

	memset(rk, 0, sizeof(*rk));
	rk->vni = o->vni;
	rk->ip = htonl(o->base + (uint32_t)i);
	memset(rt, 0, sizeof(*rt));
	rt->vtep = htonl(o->vtep + (uint32_t)(i % o->vteps));
	memcpy(rt->mac, mac, 6);
	rt->source = VTEP_SRC_BGP;
}

/* Route i's IPv6 key: base6 with i added to its low 32 bits (the count
 * is at most 2^24, so wrapping there is the caller's choice of base). */
static void entry6(const struct fill_opts *o, unsigned long i, struct vtep_route6_key *k,
		   struct vtep_route *rt)
{
	struct vtep_route_key rk4;
	uint32_t low;

	entry(o, i, &rk4, rt);
	memset(k, 0, sizeof(*k));
	k->vni = o->vni;
	memcpy(k->ip, o->base6, 16);
	memcpy(&low, k->ip + 12, 4);
	low = htonl(ntohl(low) + (uint32_t)i);
	memcpy(k->ip + 12, &low, 4);
}

struct fill_buf {
	struct vtep_route_key *rk;
	struct vtep_route6_key *rk6;
	struct vtep_route *rt;
};

static int batch_op(int fd, int del, void *keys, size_t ksz, void *vals, __u32 n,
		    const char *name)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = BPF_ANY);
	__u32 cnt = n;
	int r;

	r = del ? bpf_map_delete_batch(fd, keys, &cnt, &bo)
		: bpf_map_update_batch(fd, keys, vals, &cnt, &bo);
	/* Deleting a key that is not there stops the batch with ENOENT; step
	 * over it so del is idempotent. */
	while (del && r && errno == ENOENT && cnt < n) {
		__u32 done = cnt + 1;

		cnt = n - done;
		if (!cnt)
			return 0;
		keys = (char *)keys + (size_t)done * ksz;
		n = cnt;
		r = bpf_map_delete_batch(fd, keys, &cnt, &bo);
	}
	if (r) {
		r = -errno;
		fprintf(stderr, "fill: %s %s batch: %s\n", name, del ? "delete" : "update",
			strerror(errno));
	}
	return r;
}

static int do_add_del(const struct fill_opts *o, const struct fill_maps *m, int del)
{
	struct fill_buf b = { 0 };
	unsigned long i, done;
	int err = -ENOMEM;

	b.rk = calloc(o->batch, sizeof(*b.rk));
	b.rk6 = calloc(o->batch, sizeof(*b.rk6));
	b.rt = calloc(o->batch, sizeof(*b.rt));
	if (!b.rk || !b.rk6 || !b.rt)
		goto out;
	err = 0;
	for (done = 0; done < o->count && !err; ) {
		__u32 n = o->count - done > o->batch ? o->batch : (__u32)(o->count - done);

		for (i = 0; i < n; i++) {
			if (o->ip6)
				entry6(o, o->start + done + i, &b.rk6[i], &b.rt[i]);
			else
				entry(o, o->start + done + i, &b.rk[i], &b.rt[i]);
		}
		if (o->ip6)
			err = batch_op(m->routes6, del, b.rk6, sizeof(*b.rk6), del ? NULL : b.rt,
				       n, VTEP_MAP_ROUTES6);
		else
			err = batch_op(m->routes, del, b.rk, sizeof(*b.rk), del ? NULL : b.rt,
				       n, VTEP_MAP_ROUTES);
		done += n;
	}
out:
	free(b.rk);
	free(b.rk6);
	free(b.rt);
	return err;
}

/* The flat route table rebuilt from vtep_routes (none pinned: a vtepd
 * without one, nothing to do). */
static int rtab_follow(const char *dir, int routes_fd)
{
	char path[4096];
	struct rtab *t;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, VTEP_MAP_RTAB);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = rtab_open(fd, routes_fd, &t);
	if (err)
		fprintf(stderr, "fill: %s: %s\n", path, strerror(-err));
	rtab_close(t);
	close(fd);
	return err;
}

static long count_keys(int fd, size_t ksz)
{
	char key[2][64];
	void *prev = NULL;
	long n = 0;
	int cur = 0;

	if (ksz > sizeof(key[0]))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, key[cur])) {
		n++;
		prev = key[cur];
		cur ^= 1;
	}
	return errno == ENOENT ? n : -errno;
}

int main(int argc, char **argv)
{
	struct fill_maps m = { -1, -1, -1 };
	struct fill_opts o;
	double t0, t1;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	err = m.routes = open_map(o.bpffs, VTEP_MAP_ROUTES, sizeof(struct vtep_route_key),
				  sizeof(struct vtep_route));
	if (err < 0)
		goto out;
	err = m.fdb = open_map(o.bpffs, VTEP_MAP_FDB, sizeof(struct vtep_fdb_key),
			       sizeof(struct vtep_fdb));
	if (err < 0)
		goto out;
	err = m.routes6 = open_map(o.bpffs, VTEP_MAP_ROUTES6, sizeof(struct vtep_route6_key),
				   sizeof(struct vtep_route));
	if (err < 0)
		goto out;

	t0 = now_s();
	if (!strcmp(o.op, "count")) {
		long r = count_keys(m.routes, sizeof(struct vtep_route_key));
		long f = count_keys(m.fdb, sizeof(struct vtep_fdb_key));
		long r6 = count_keys(m.routes6, sizeof(struct vtep_route6_key));

		err = r < 0 ? (int)r : f < 0 ? (int)f : r6 < 0 ? (int)r6 : 0;
		if (err) {
			fprintf(stderr, "fill: count: %s\n", strerror(-err));
			goto out;
		}
		if (o.json)
			printf("{\"op\":\"count\",\"routes\":%ld,\"fdb\":%ld,\"routes6\":%ld}\n",
			       r, f, r6);
		else
			printf("fill: %ld routes, %ld fdb entries, %ld IPv6 routes\n", r, f, r6);
		goto out;
	}
	err = do_add_del(&o, &m, !strcmp(o.op, "del"));
	t1 = now_s();
	if (err)
		goto out;
	if (!o.ip6 && (err = rtab_follow(o.bpffs, m.routes)))
		goto out;
	if (o.json)
		printf("{\"op\":\"%s\",\"count\":%lu,\"seconds\":%.3f,\"routes_per_s\":%.0f}\n",
		       o.op, o.count, t1 - t0, t1 > t0 ? o.count / (t1 - t0) : 0.0);
	else
		printf("fill: %s %lu routes in %.3f s: %.0f routes/s\n",
		       o.op, o.count, t1 - t0, t1 > t0 ? o.count / (t1 - t0) : 0.0);
out:
	if (m.routes >= 0)
		close(m.routes);
	if (m.fdb >= 0)
		close(m.fdb);
	if (m.routes6 >= 0)
		close(m.routes6);
	return err < 0 ? 1 : 0;
}
