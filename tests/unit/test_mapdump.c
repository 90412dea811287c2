/* test_mapdump.c - lib/mapdump against real BPF maps (bpf_map_create, so
 * root), pinned in a private bpffs the way vtepd pins them; and vtepctl's
 * map dumps (cli/show.c, compiled in) on those pins: JSON keys and values,
 * sorting, filters, the layout check. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "counters.h"
#include "mapdump.h"
/* vtepctl's dump code: not linked into unit tests, so compiled in. */
#include "../../cli/cmdline.c"
#include "../../cli/output.c"
#include "../../cli/show.c"

static char fs[] = "/tmp/vtepd-unit-bpf-XXXXXX";

/* Outside any test (Check asserts would not report): plain exits. */
static void mount_bpffs(void)
{
	if (!mkdtemp(fs) || mount("bpf", fs, "bpf", 0, NULL)) {
		fprintf(stderr, "test_mapdump: cannot mount a bpffs on %s: %s\n", fs,
			strerror(errno));
		rmdir(fs);
		exit(EXIT_FAILURE);
	}
}

static void umount_bpffs(void)
{
	umount2(fs, MNT_DETACH);
	rmdir(fs);
}

static int create(enum bpf_map_type type, const char *name, uint32_t ks, uint32_t vs,
		  uint32_t max)
{
	LIBBPF_OPTS(bpf_map_create_opts, o,
		    .map_flags = type == BPF_MAP_TYPE_LPM_TRIE ? BPF_F_NO_PREALLOC : 0);
	int fd = bpf_map_create(type, name, ks, vs, max, &o);
	char path[256];

	ck_assert_msg(fd >= 0, "bpf_map_create %s: %s", name, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", fs, name);
	unlink(path);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	return fd;
}

static void unpin_all(void)
{
	static const char *const names[] = {
		VTEP_MAP_GLOBAL, VTEP_MAP_VNIS, VTEP_MAP_PORTS, VTEP_MAP_ROUTES,
		VTEP_MAP_PREFIXES, VTEP_MAP_ROUTES6, VTEP_MAP_FDB, VTEP_MAP_STATS,
		VTEP_MAP_PREFIXES6,
	};
	char path[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fs, names[i]);
		unlink(path);
	}
}

static void add_route(int fd, uint32_t vni, const char *ip, const char *vtep, uint8_t src,
		      uint32_t seq)
{
	struct vtep_route_key k = { .vni = vni, .ip = inet_addr(ip) };
	struct vtep_route v = { .vtep = vtep ? inet_addr(vtep) : 0, .seq = seq,
				.mac = { 2, 0, 0, 0, (uint8_t)vni, (uint8_t)ntohl(k.ip) },
				.source = src };

	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

static void add_prefix(int fd, uint32_t vni, const char *ip, uint8_t len, const char *vtep)
{
	struct vtep_prefix_key k = { .prefixlen = 32u + len, .vni = htonl(vni), .ip = inet_addr(ip) };
	struct vtep_route v = { .vtep = inet_addr(vtep), .source = VTEP_SRC_BGP };

	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

/* Many routes, inserted out of order, across several batch chunks. */
START_TEST(routes_sorted_all_chunks)
{
	int rfd = create(BPF_MAP_TYPE_HASH, VTEP_MAP_ROUTES, 8, 20, 65536);
	int pfd = create(BPF_MAP_TYPE_LPM_TRIE, VTEP_MAP_PREFIXES, 12, 20, 64);
	struct mapdump_route *rows;
	const uint32_t n = 10000;
	size_t cnt;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t x = (i * 7919u) % n;  /* a permutation of 0..n-1 */
		struct vtep_route_key k = { .vni = 100 + x % 3, .ip = htonl(0x0a010000 + x) };
		struct vtep_route v = { .vtep = htonl(0xc0000202), .seq = x, .source = VTEP_SRC_STATIC };

		ck_assert_int_eq(bpf_map_update_elem(rfd, &k, &v, BPF_NOEXIST), 0);
	}
	add_prefix(pfd, 100, "10.2.0.0", 16, "192.0.2.9");
	add_prefix(pfd, 100, "10.0.0.0", 8, "192.0.2.9");
	add_prefix(pfd, 99, "0.0.0.0", 0, "192.0.2.8");
	ck_assert_int_eq(mapdump_routes(rfd, pfd, &rows, &cnt), 0);
	ck_assert_uint_eq(cnt, n + 3);
	/* sorted by vni, address, length; every route exactly once */
	for (size_t i = 1; i < cnt; i++) {
		const struct mapdump_route *a = &rows[i - 1], *b = &rows[i];

		ck_assert(a->vni < b->vni || (a->vni == b->vni && (ntohl(a->ip) < ntohl(b->ip) ||
			  (a->ip == b->ip && a->prefixlen < b->prefixlen))));
	}
	ck_assert_uint_eq(rows[0].vni, 99);
	ck_assert_uint_eq(rows[0].prefixlen, 0);
	ck_assert_uint_eq(rows[1].vni, 100);
	ck_assert_uint_eq(rows[1].ip, inet_addr("10.0.0.0"));
	ck_assert_uint_eq(rows[1].prefixlen, 8);
	for (size_t i = 0; i < cnt; i++)
		if (rows[i].prefixlen == 32)
			ck_assert_uint_eq(rows[i].v.seq, ntohl(rows[i].ip) - 0x0a010000);
	free(rows);

	ck_assert_int_eq(mapdump_count(rfd, &cnt), 0);
	ck_assert_uint_eq(cnt, n);
	/* the trie has no batch ops: the get_next_key fallback */
	ck_assert_int_eq(mapdump_count(pfd, &cnt), 0);
	ck_assert_uint_eq(cnt, 3);
	/* an empty map */
	{
		int e = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_empty", 8, 20, 16, NULL);

		ck_assert_int_eq(mapdump_count(e, &cnt), 0);
		ck_assert_uint_eq(cnt, 0);
		ck_assert_int_eq(mapdump_routes(e, -1, &rows, &cnt), 0);
		ck_assert_uint_eq(cnt, 0);
		free(rows);
		close(e);
	}
	close(rfd);
	close(pfd);
	unpin_all();
}
END_TEST

START_TEST(open_checks_layout)
{
	int fd = create(BPF_MAP_TYPE_HASH, VTEP_MAP_ROUTES, 8, 20, 16), ro, bad;
	struct vtep_route_key k = { 1, 1 };
	struct vtep_route v = { 0 };
	uint32_t cap;

	ro = mapdump_open(fs, VTEP_MAP_ROUTES);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_eq(mapdump_capacity(ro, &cap), 0);
	ck_assert_uint_eq(cap, 16);
	/* vtepctl's fds are read-only: a dump can never write the datapath. */
	ck_assert_int_ne(bpf_map_update_elem(ro, &k, &v, BPF_ANY), 0);
	ck_assert_int_eq(errno, EPERM);
	close(ro);
	close(fd);
	unpin_all();

	ck_assert_int_eq(mapdump_open(fs, VTEP_MAP_ROUTES), -ENOENT);
	/* pins of another layout (value 24 bytes) are refused, not misread */
	bad = create(BPF_MAP_TYPE_HASH, VTEP_MAP_ROUTES, 8, 24, 16);
	ck_assert_int_eq(mapdump_open(fs, VTEP_MAP_ROUTES), -EPROTO);
	ck_assert_int_eq(mapdump_check(bad, VTEP_MAP_ROUTES), -EPROTO);
	close(bad);
	unpin_all();
}
END_TEST

START_TEST(stats_sum_cpus)
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, VTEP_MAP_STATS, 4, sizeof(struct vtep_stats), 1);
	struct vtep_stats *pc = calloc((size_t)ncpu, sizeof(*pc)), sum;
	uint32_t key = 0;

	for (int c = 0; c < ncpu; c++) {
		pc[c].port_rx = 10 + (uint64_t)c;
		pc[c].drop_vx_redirect = 1;   /* the last counter */
	}
	ck_assert_int_eq(bpf_map_update_elem(fd, &key, pc, BPF_ANY), 0);
	ck_assert_int_eq(mapdump_stats(fd, &sum), 0);
	ck_assert_uint_eq(sum.port_rx, 10u * (unsigned)ncpu + (unsigned)(ncpu * (ncpu - 1) / 2));
	ck_assert_uint_eq(sum.drop_vx_redirect, (unsigned)ncpu);
	ck_assert_uint_eq(sum.fwd_local, 0);
	free(pc);
	close(fd);
	unpin_all();
}
END_TEST

START_TEST(ext_community_text)
{
	static const uint8_t as2[8] = { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100 };
	static const uint8_t ip4[8] = { 0x01, 0x02, 192, 0, 2, 1, 0x01, 0x2c };
	static const uint8_t as4[8] = { 0x02, 0x02, 0, 1, 0x11, 0x70, 0, 100 };
	static const uint8_t other[8] = { 0x03, 0x0c, 0, 0, 0, 0, 0, 8 };
	static const uint8_t zero[8];
	static const uint8_t rd0[8] = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 100 };
	static const uint8_t rd1[8] = { 0, 1, 192, 0, 2, 1, 0, 100 };
	static const uint8_t rd2[8] = { 0, 2, 0, 1, 0x11, 0x70, 0, 100 };
	char b[MAPDUMP_EC_STRLEN];

	ck_assert_str_eq(mapdump_fmt_rt(as2, b), "65000:100");
	ck_assert_str_eq(mapdump_fmt_rt(ip4, b), "192.0.2.1:300");
	ck_assert_str_eq(mapdump_fmt_rt(as4, b), "70000:100");
	ck_assert_str_eq(mapdump_fmt_rt(other, b), "0x030c000000000008");
	ck_assert_ptr_null(mapdump_fmt_rt(zero, b));
	ck_assert_str_eq(mapdump_fmt_rd(rd0, b), "65000:100");
	ck_assert_str_eq(mapdump_fmt_rd(rd1, b), "192.0.2.1:100");
	ck_assert_str_eq(mapdump_fmt_rd(rd2, b), "70000:100");
	ck_assert_ptr_null(mapdump_fmt_rd(zero, b));
	ck_assert_str_eq(mapdump_source_name(VTEP_SRC_LOCAL), "local");
	ck_assert_str_eq(mapdump_source_name(VTEP_SRC_STATIC), "static");
	ck_assert_str_eq(mapdump_source_name(VTEP_SRC_BGP), "bgp");
	ck_assert_str_eq(mapdump_source_name(0), "unknown");
}
END_TEST

/* ---- vtepctl's dumps on pinned maps ---- */

static int fds[9];

/* A small world: what vtepd would have pinned for the contract's config. */
static void populate(uint32_t layout)
{
	struct vtep_global g = { .vtep_ip = inet_addr("192.0.2.1"), .layout_version = layout };
	struct vtep_vni vni = { .subnet = inet_addr("10.1.0.0"), .prefixlen = 16,
				.gateway_ip = inet_addr("10.1.255.254"),
				.gateway_mac = { 2, 0, 0, 0, 1, 0 },
				.flags = VTEP_VNI_F_RT_AUTO | VTEP_VNI_F_RD_AUTO };
	struct vtep_vni vni2 = { .subnet = inet_addr("10.2.0.0"), .prefixlen = 24,
				 .gateway_ip = inet_addr("10.2.0.1"), .arp_reply = VTEP_ARP_REPLY_REAL,
				 .flags = VTEP_VNI_F_FLOOD,
				 .route_target = { 0, 2, 0xfd, 0xe8, 0, 0, 0, 200 },
				 .rd = { 0, 1, 192, 0, 2, 1, 0, 200 } };
	struct vtep_port p = { .vni = 100, .ip = inet_addr("10.1.0.11"),
			       .mac = { 2, 0, 0, 0, 0, 0x11 }, .ifname = "w1" };
	struct vtep_port p2 = { .vni = 100, .ip = inet_addr("10.1.0.12"),
				.flags = VTEP_PORT_F_MAC_AUTO, .ifname = "a-auto" };
	struct vtep_fdb_key fk = { .vni = 100, .mac = { 2, 0, 0, 0, 0, 0x21 } };
	struct vtep_fdb f = { .vtep = inet_addr("192.0.2.2"), .seq = 3, .source = VTEP_SRC_BGP };
	uint32_t k = 0, k100 = 100, k200 = 200, if1 = 7, if2 = 3;
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *pc = calloc((size_t)ncpu, sizeof(*pc));

	fds[0] = create(BPF_MAP_TYPE_ARRAY, VTEP_MAP_GLOBAL, 4, sizeof(g), 1);
	fds[1] = create(BPF_MAP_TYPE_HASH, VTEP_MAP_VNIS, 4, sizeof(vni), 16);
	fds[2] = create(BPF_MAP_TYPE_HASH, VTEP_MAP_PORTS, 4, sizeof(p), 16);
	fds[3] = create(BPF_MAP_TYPE_HASH, VTEP_MAP_ROUTES, 8, 20, 64);
	fds[4] = create(BPF_MAP_TYPE_LPM_TRIE, VTEP_MAP_PREFIXES, 12, 20, 16);
	fds[5] = create(BPF_MAP_TYPE_HASH, VTEP_MAP_ROUTES6, 20, 20, 16);
	fds[6] = create(BPF_MAP_TYPE_HASH, VTEP_MAP_FDB, 12, 16, 16);
	fds[7] = create(BPF_MAP_TYPE_PERCPU_ARRAY, VTEP_MAP_STATS, 4, sizeof(*pc), 1);
	ck_assert_int_eq(bpf_map_update_elem(fds[0], &k, &g, BPF_ANY), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds[1], &k200, &vni2, BPF_ANY), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds[1], &k100, &vni, BPF_ANY), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds[2], &if1, &p, BPF_ANY), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds[2], &if2, &p2, BPF_ANY), 0);
	add_route(fds[3], 100, "10.1.0.21", "192.0.2.2", VTEP_SRC_STATIC, 0);
	add_route(fds[3], 100, "10.1.0.11", NULL, VTEP_SRC_LOCAL, 0);
	add_route(fds[3], 200, "10.2.0.5", "192.0.2.3", VTEP_SRC_BGP, 4);
	add_route(fds[3], 100, "10.1.0.9", "192.0.2.3", VTEP_SRC_BGP, 1);
	add_prefix(fds[4], 100, "10.9.0.0", 16, "192.0.2.4");
	ck_assert_int_eq(bpf_map_update_elem(fds[6], &fk, &f, BPF_ANY), 0);
	pc[0].fwd_encap = 5;
	pc[ncpu - 1].fwd_encap += 2;
	ck_assert_int_eq(bpf_map_update_elem(fds[7], &k, pc, BPF_ANY), 0);
	free(pc);
}

/* The same world made dual-stack: VNI 100 gets subnet6 and its gateway
 * (and SLAAC), w1 an IPv6 address and its link-local one, an IPv6-only
 * port, IPv6 host routes of every source (one with the Router flag, one
 * local port's without a MAC yet) and an IPv6 prefix. */
static void add_route6(uint32_t vni, const char *ip, const char *vtep, uint8_t src, uint8_t flags,
		       uint8_t mac_last)
{
	struct vtep_route6_key k = { .vni = vni };
	struct vtep_route v = { .vtep = vtep ? inet_addr(vtep) : 0, .source = src, .flags = flags,
				.mac = { 2, 0, 0, 0, 6, mac_last } };

	ck_assert_int_eq(inet_pton(AF_INET6, ip, k.ip), 1);
	if (!mac_last)
		memset(v.mac, 0, 6);
	ck_assert_int_eq(bpf_map_update_elem(fds[5], &k, &v, BPF_ANY), 0);
}

static void populate6(void)
{
	struct vtep_vni vni;
	struct vtep_port p, p3 = { .vni = 100, .mac = { 2, 0, 0, 0, 0, 0x13 }, .ifname = "w3" };
	struct vtep_prefix6_key pk = { .prefixlen = 32 + 48, .vni = htonl(100) };
	struct vtep_route pv = { .vtep = inet_addr("192.0.2.4"), .source = VTEP_SRC_BGP };
	uint32_t k100 = 100, if1 = 7, if3 = 9;

	populate(VTEP_LAYOUT_VERSION);
	fds[8] = create(BPF_MAP_TYPE_LPM_TRIE, VTEP_MAP_PREFIXES6, 24, 20, 16);
	ck_assert_int_eq(bpf_map_lookup_elem(fds[1], &k100, &vni), 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::", vni.subnet6), 1);
	vni.prefixlen6 = 64;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::1", vni.gateway_ip6), 1);
	vni.flags |= VTEP_VNI_F_SLAAC;
	ck_assert_int_eq(bpf_map_update_elem(fds[1], &k100, &vni, BPF_ANY), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds[2], &if1, &p), 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::11", p.ip6), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "fe80::ff:fe00:11", p.ip6_ll), 1);
	ck_assert_int_eq(bpf_map_update_elem(fds[2], &if1, &p, BPF_ANY), 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::13", p3.ip6), 1);
	ck_assert_int_eq(bpf_map_update_elem(fds[2], &if3, &p3, BPF_ANY), 0);
	add_route6(100, "2001:db8:100::11", NULL, VTEP_SRC_LOCAL, 0, 0x11);
	add_route6(100, "2001:db8:100::21", "192.0.2.2", VTEP_SRC_STATIC, 0, 0x21);
	add_route6(100, "2001:db8:100::9", "192.0.2.3", VTEP_SRC_BGP, VTEP_RT_F_ROUTER, 0x09);
	add_route6(100, "2001:db8:100::99", NULL, VTEP_SRC_LOCAL, 0, 0);   /* no MAC yet */
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:200::", pk.ip), 1);
	ck_assert_int_eq(bpf_map_update_elem(fds[8], &pk, &pv, BPF_ANY), 0);
}

static void depopulate(void)
{
	for (int i = 0; i < 9; i++)
		if (fds[i] > 0)
			close(fds[i]);
	memset(fds, 0, sizeof(fds));
	unpin_all();
}

/* Runs vtepctl's show for argv-like words, returning stdout and status. */
static char *run_show(int *status, const char *first, ...)
{
	char *argv[32] = { "vtepctl", "-b", fs }, *buf;
	struct cmdline c;
	char err[256];
	int argc = 3, saved, ret;
	FILE *tmp = tmpfile();
	long len;
	va_list ap;

	va_start(ap, first);
	for (const char *w = first; w; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	ret = cmdline_parse(argc, argv, &c, err, sizeof(err));
	ck_assert_msg(ret == 0, "usage: %s", err);
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	*status = show_maps(&c);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	len = ftell(tmp);
	buf = calloc(1, (size_t)len + 1);
	rewind(tmp);
	ck_assert_int_eq(fread(buf, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return buf;
}

static struct json_object *run_json(const char *first, ...)
{
	struct json_object *j;
	char *out;
	int status;
	va_list ap;
	const char *w[8] = { 0 };
	int n = 0;

	va_start(ap, first);
	for (const char *s = first; s && n < 7; s = va_arg(ap, const char *))
		w[n++] = s;
	va_end(ap);
	out = run_show(&status, "-j", w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
	ck_assert_int_eq(status, VTEPCTL_OK);
	j = json_tokener_parse(out);
	ck_assert_msg(j != NULL, "not JSON: %s", out);
	free(out);
	return j;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v ? json_object_get_string(v) : NULL;
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	ck_assert(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

START_TEST(show_routes_json)
{
	struct json_object *j, *r;

	populate(VTEP_LAYOUT_VERSION);
	j = run_json("routes", NULL);
	ck_assert_int_eq(json_object_array_length(j), 5);
	/* sorted: vni 100: .9, .11, .21, 10.9/16; vni 200 */
	r = json_object_array_get_idx(j, 0);
	ck_assert_str_eq(str(r, "prefix"), "10.1.0.9/32");
	ck_assert_str_eq(str(r, "source"), "bgp");
	ck_assert_int_eq(num(r, "seq"), 1);
	r = json_object_array_get_idx(j, 1);
	ck_assert_int_eq(num(r, "vni"), 100);
	ck_assert_str_eq(str(r, "prefix"), "10.1.0.11/32");
	ck_assert_ptr_null(str(r, "vtep"));    /* local: null */
	ck_assert_str_eq(str(r, "source"), "local");
	ck_assert_str_eq(str(r, "mac"), "02:00:00:00:64:0b");
	r = json_object_array_get_idx(j, 2);
	ck_assert_str_eq(str(r, "prefix"), "10.1.0.21/32");
	ck_assert_str_eq(str(r, "vtep"), "192.0.2.2");
	ck_assert_str_eq(str(r, "source"), "static");
	r = json_object_array_get_idx(j, 3);
	ck_assert_str_eq(str(r, "prefix"), "10.9.0.0/16");
	r = json_object_array_get_idx(j, 4);
	ck_assert_int_eq(num(r, "vni"), 200);
	json_object_put(j);

	j = run_json("routes", "show", "vni", "200", NULL);
	ck_assert_int_eq(json_object_array_length(j), 1);
	json_object_put(j);
	j = run_json("routes", "prefix", "10.1.0.0/24", NULL);
	ck_assert_int_eq(json_object_array_length(j), 3);
	json_object_put(j);
	j = run_json("routes", "prefix", "10.1.0.21", "vni", "100", NULL);
	ck_assert_int_eq(json_object_array_length(j), 1);
	json_object_put(j);
	j = run_json("routes", "vni", "300", NULL);
	ck_assert_int_eq(json_object_array_length(j), 0);
	json_object_put(j);
	depopulate();
}
END_TEST

START_TEST(show_other_json)
{
	struct json_object *j, *r, *v;

	populate(VTEP_LAYOUT_VERSION);
	j = run_json("ports", NULL);
	ck_assert_int_eq(json_object_array_length(j), 2);
	r = json_object_array_get_idx(j, 0);           /* sorted by name */
	ck_assert_str_eq(str(r, "ifname"), "a-auto");
	ck_assert_ptr_null(str(r, "mac"));
	r = json_object_array_get_idx(j, 1);
	ck_assert_str_eq(str(r, "ifname"), "w1");
	ck_assert_int_eq(num(r, "ifindex"), 7);
	ck_assert_int_eq(num(r, "vni"), 100);
	ck_assert_str_eq(str(r, "ip"), "10.1.0.11");
	ck_assert_str_eq(str(r, "mac"), "02:00:00:00:00:11");
	json_object_put(j);

	j = run_json("vnis", NULL);
	ck_assert_int_eq(json_object_array_length(j), 2);
	r = json_object_array_get_idx(j, 0);
	ck_assert_int_eq(num(r, "vni"), 100);
	ck_assert_str_eq(str(r, "subnet"), "10.1.0.0/16");
	ck_assert_str_eq(str(r, "gateway_ip"), "10.1.255.254");
	ck_assert_str_eq(str(r, "gateway_mac"), "02:00:00:00:01:00");
	ck_assert_str_eq(str(r, "route_target"), "auto");
	ck_assert_str_eq(str(r, "rd"), "auto");
	ck_assert_str_eq(str(r, "arp_reply"), "gateway");
	ck_assert(json_object_object_get_ex(r, "flood", &v) && !json_object_get_boolean(v));
	r = json_object_array_get_idx(j, 1);
	ck_assert_str_eq(str(r, "route_target"), "65000:200");
	ck_assert_str_eq(str(r, "rd"), "192.0.2.1:200");
	ck_assert_str_eq(str(r, "arp_reply"), "real");
	ck_assert(json_object_object_get_ex(r, "flood", &v) && json_object_get_boolean(v));
	json_object_put(j);

	/* The ARP table is every host route with a MAC (no map of its own):
	 * the four /32s, by VNI then address; not the prefix. */
	j = run_json("neigh", NULL);
	ck_assert_int_eq(json_object_array_length(j), 4);
	r = json_object_array_get_idx(j, 0);
	ck_assert_str_eq(str(r, "ip"), "10.1.0.9");
	ck_assert_str_eq(str(r, "mac"), "02:00:00:00:64:09");
	ck_assert_str_eq(str(r, "source"), "bgp");
	ck_assert_int_eq(num(r, "vni"), 100);
	r = json_object_array_get_idx(j, 2);
	ck_assert_str_eq(str(r, "ip"), "10.1.0.21");
	ck_assert_str_eq(str(r, "mac"), "02:00:00:00:64:15");
	ck_assert_str_eq(str(r, "source"), "static");
	r = json_object_array_get_idx(j, 3);
	ck_assert_int_eq(num(r, "vni"), 200);
	json_object_put(j);

	j = run_json("fdb", NULL);
	r = json_object_array_get_idx(j, 0);
	ck_assert_str_eq(str(r, "mac"), "02:00:00:00:00:21");
	ck_assert_str_eq(str(r, "vtep"), "192.0.2.2");
	ck_assert_int_eq(num(r, "vni"), 100);
	json_object_put(j);

	j = run_json("stats", NULL);
	ck_assert(json_object_is_type(j, json_type_object));
	ck_assert_int_eq(json_object_object_length(j), (int)counter_count);
	ck_assert_int_eq(num(j, "fwd_encap"), 7);
	ck_assert_int_eq(num(j, "port_rx"), 0);
	json_object_put(j);
	depopulate();
}
END_TEST

/* IPv6 in every dump: routes and prefixes with /len in RFC 5952 form,
 * sorted after each VNI's IPv4 rows; the filters; neighbours with the
 * Router flag; ports with ip6 (ip null for an IPv6-only one); VNIs with
 * subnet6, gateway_ip6 and slaac. */
START_TEST(show_ipv6_json)
{
	struct json_object *j, *r, *v;

	populate6();
	j = run_json("routes", NULL);
	/* vni 100: 4 IPv4 rows, then 2001:db8:100::9, ::11, ::21, ::99, ::/48;
	 * vni 200: 1 */
	ck_assert_int_eq(json_object_array_length(j), 10);
	r = json_object_array_get_idx(j, 4);
	ck_assert_str_eq(str(r, "prefix"), "2001:db8:100::9/128");
	ck_assert_str_eq(str(r, "vtep"), "192.0.2.3");
	ck_assert_str_eq(str(r, "source"), "bgp");
	r = json_object_array_get_idx(j, 5);
	ck_assert_str_eq(str(r, "prefix"), "2001:db8:100::11/128");
	ck_assert_ptr_null(str(r, "vtep"));
	ck_assert_str_eq(str(r, "source"), "local");
	r = json_object_array_get_idx(j, 8);
	ck_assert_str_eq(str(r, "prefix"), "2001:db8:200::/48");
	ck_assert_int_eq(num(r, "vni"), 100);
	r = json_object_array_get_idx(j, 9);
	ck_assert_int_eq(num(r, "vni"), 200);
	json_object_put(j);
	/* an IPv6 filter keeps IPv6 routes inside it, IPv4 none */
	j = run_json("routes", "prefix", "2001:db8:100::/64", NULL);
	ck_assert_int_eq(json_object_array_length(j), 4);
	json_object_put(j);
	j = run_json("routes", "prefix", "2001:DB8:100::21", NULL);
	ck_assert_int_eq(json_object_array_length(j), 1);
	ck_assert_str_eq(str(json_object_array_get_idx(j, 0), "prefix"), "2001:db8:100::21/128");
	json_object_put(j);
	j = run_json("routes", "prefix", "10.0.0.0/8", NULL);
	ck_assert_int_eq(json_object_array_length(j), 5);
	json_object_put(j);
	/* a default route's prefix keeps its own family only */
	j = run_json("routes", "prefix", "::/0", NULL);
	ck_assert_int_eq(json_object_array_length(j), 5);
	ck_assert_str_eq(str(json_object_array_get_idx(j, 0), "prefix"), "2001:db8:100::9/128");
	json_object_put(j);
	j = run_json("routes", "prefix", "0.0.0.0/0", NULL);
	ck_assert_int_eq(json_object_array_length(j), 5);
	ck_assert_str_eq(str(json_object_array_get_idx(j, 0), "prefix"), "10.1.0.9/32");
	json_object_put(j);

	/* neighbours: the host routes with a MAC (not ::99 yet) */
	j = run_json("neigh", NULL);
	ck_assert_int_eq(json_object_array_length(j), 7);
	r = json_object_array_get_idx(j, 3);
	ck_assert_str_eq(str(r, "ip"), "2001:db8:100::9");
	ck_assert_str_eq(str(r, "mac"), "02:00:00:00:06:09");
	ck_assert(json_object_object_get_ex(r, "router", &v) && json_object_get_boolean(v));
	r = json_object_array_get_idx(j, 4);
	ck_assert_str_eq(str(r, "ip"), "2001:db8:100::11");
	ck_assert(json_object_object_get_ex(r, "router", &v) && !json_object_get_boolean(v));
	json_object_put(j);

	j = run_json("ports", NULL);
	ck_assert_int_eq(json_object_array_length(j), 3);
	r = json_object_array_get_idx(j, 0);           /* a-auto: IPv4 only */
	ck_assert_str_eq(str(r, "ip"), "10.1.0.12");
	ck_assert_ptr_null(str(r, "ip6"));
	r = json_object_array_get_idx(j, 1);           /* w1: dual-stack */
	ck_assert_str_eq(str(r, "ip"), "10.1.0.11");
	ck_assert_str_eq(str(r, "ip6"), "2001:db8:100::11");
	ck_assert_str_eq(str(r, "ip6_ll"), "fe80::ff:fe00:11");
	r = json_object_array_get_idx(j, 2);           /* w3: IPv6 only */
	ck_assert_ptr_null(str(r, "ip"));
	ck_assert_str_eq(str(r, "ip6"), "2001:db8:100::13");
	json_object_put(j);

	j = run_json("vnis", NULL);
	r = json_object_array_get_idx(j, 0);
	ck_assert_str_eq(str(r, "subnet6"), "2001:db8:100::/64");
	ck_assert_str_eq(str(r, "gateway_ip6"), "2001:db8:100::1");
	ck_assert(json_object_object_get_ex(r, "slaac", &v) && json_object_get_boolean(v));
	r = json_object_array_get_idx(j, 1);
	ck_assert_ptr_null(str(r, "subnet6"));
	ck_assert_ptr_null(str(r, "gateway_ip6"));
	ck_assert(json_object_object_get_ex(r, "slaac", &v) && !json_object_get_boolean(v));
	json_object_put(j);
	depopulate();
}
END_TEST

/* The tables stay aligned: the PREFIX column as wide as an IPv6 prefix. */
START_TEST(show_ipv6_tables)
{
	char *out;
	int st;

	populate6();
	out = run_show(&st, "routes", NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "VNI       PREFIX                VTEP"), "%s", out);
	ck_assert_msg(strstr(out, "100       10.1.0.11/32          -"), "%s", out);
	ck_assert_msg(strstr(out, "100       2001:db8:100::21/128  192.0.2.2"), "%s", out);
	free(out);
	out = run_show(&st, "neigh", NULL);
	ck_assert_msg(strstr(out, "100       2001:db8:100::9   02:00:00:00:06:09  bgp router"), "%s",
		      out);
	free(out);
	out = run_show(&st, "vnis", NULL);
	ck_assert_msg(strstr(out, "2001:db8:100::/64 gw 2001:db8:100::1 slaac"), "%s", out);
	free(out);
	out = run_show(&st, "ports", NULL);
	ck_assert_msg(strstr(out, "w3               9        100       -                "
			      "2001:db8:100::13  02:00:00:00:00:13"), "%s", out);
	free(out);
	depopulate();
}
END_TEST

START_TEST(show_tables_and_pretty)
{
	char *out;
	int st;

	populate(VTEP_LAYOUT_VERSION);
	out = run_show(&st, "routes", NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "VNI       PREFIX"));
	ck_assert_ptr_nonnull(strstr(out, "100       10.1.0.11/32        -                "));
	free(out);
	/* zero counters hidden, unless -a */
	out = run_show(&st, "stats", NULL);
	ck_assert_ptr_nonnull(strstr(out, "fwd_encap"));
	ck_assert_ptr_null(strstr(out, "port_rx"));
	free(out);
	out = run_show(&st, "-a", "stats", NULL);
	ck_assert_ptr_nonnull(strstr(out, "port_rx"));
	free(out);
	/* pretty output is still one valid JSON document */
	out = run_show(&st, "-jp", "routes", NULL);
	{
		struct json_object *j = json_tokener_parse(out);

		ck_assert_ptr_nonnull(j);
		ck_assert_int_eq(json_object_array_length(j), 5);
		json_object_put(j);
	}
	ck_assert_ptr_nonnull(strstr(out, "\n  {\n"));
	free(out);
	depopulate();
}
END_TEST

START_TEST(show_refuses_other_layout)
{
	char *out;
	int st;

	populate(VTEP_LAYOUT_VERSION + 1);
	out = run_show(&st, "routes", NULL);
	ck_assert_int_eq(st, VTEPCTL_FAILED);
	free(out);
	depopulate();
	/* no pins at all: a failed operation */
	out = run_show(&st, "fdb", NULL);
	ck_assert_int_eq(st, VTEPCTL_FAILED);
	free(out);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mapdump");
	TCase *tc = tcase_create("maps");

	mount_bpffs();
	tcase_add_test(tc, routes_sorted_all_chunks);
	tcase_add_test(tc, open_checks_layout);
	tcase_add_test(tc, stats_sum_cpus);
	tcase_add_test(tc, ext_community_text);
	tcase_add_test(tc, show_routes_json);
	tcase_add_test(tc, show_other_json);
	tcase_add_test(tc, show_tables_and_pretty);
	tcase_add_test(tc, show_ipv6_json);
	tcase_add_test(tc, show_ipv6_tables);
	tcase_add_test(tc, show_refuses_other_layout);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	/* One bpffs for the whole run, gone when it ends. */
	check_main_at_end(umount_bpffs);
	return s;
}
