/* mapdump.c - see mapdump.h. */
#include "mapdump.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "counters.h"

/* The kernel's internal ENOTSUPP leaks to user space as 524 when a map type
 * has no batch operations (e.g. BPF_MAP_TYPE_LPM_TRIE). */
#define MAPDUMP_ENOTSUPP 524
#define MAPDUMP_CHUNK    4096   /* entries per BPF_MAP_LOOKUP_BATCH call */
#define MAPDUMP_CHUNK_MAX (1u << 20)

struct map_layout {
	const char *name;
	uint32_t key_size, value_size;
};

static const struct map_layout layouts[] = {
	{ VTEP_MAP_GLOBAL,   sizeof(__u32), sizeof(struct vtep_global) },
	{ VTEP_MAP_VNIS,     sizeof(__u32), sizeof(struct vtep_vni) },
	{ VTEP_MAP_PORTS,    sizeof(__u32), sizeof(struct vtep_port) },
	{ VTEP_MAP_ROUTES,   sizeof(struct vtep_route_key), sizeof(struct vtep_route) },
	{ VTEP_MAP_PREFIXES, sizeof(struct vtep_prefix_key), sizeof(struct vtep_route) },
	{ VTEP_MAP_ROUTES6,  sizeof(struct vtep_route6_key), sizeof(struct vtep_route) },
	{ VTEP_MAP_PREFIXES6, sizeof(struct vtep_prefix6_key), sizeof(struct vtep_route) },
	{ VTEP_MAP_FDB,      sizeof(struct vtep_fdb_key), sizeof(struct vtep_fdb) },
	{ VTEP_MAP_REMOTES,  sizeof(__u32), sizeof(struct vtep_remote) },
	{ VTEP_MAP_STATS,    sizeof(__u32), sizeof(struct vtep_stats) },
	{ VTEP_MAP_HOSTADDRS, sizeof(__u32), sizeof(struct vtep_hostaddr) },
	{ VTEP_MAP_HOSTADDRS6, 16, sizeof(struct vtep_hostaddr) },
	{ VTEP_MAP_HOSTLINKS, sizeof(__u32), sizeof(struct vtep_hostlink) },
	{ VTEP_MAP_PORT_RATES, sizeof(__u32), sizeof(struct vtep_port_rate) },
};

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	return 0;
}

int mapdump_check(int fd, const char *name)
{
	struct bpf_map_info info;
	int ret = map_info(fd, &info);

	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (strcmp(layouts[i].name, name))
			continue;
		if (info.key_size != layouts[i].key_size ||
		    info.value_size != layouts[i].value_size)
			return -EPROTO;
		return 0;
	}
	return 0; /* a map we do not interpret (ring buffer) */
}

int mapdump_open(const char *bpffs, const char *name)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	char path[4096];
	int fd, ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", bpffs, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0)
		return -errno;
	ret = mapdump_check(fd, name);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int mapdump_capacity(int fd, uint32_t *max_entries)
{
	struct bpf_map_info info;
	int ret = map_info(fd, &info);

	if (!ret)
		*max_entries = info.max_entries;
	return ret;
}

static int batch_unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -MAPDUMP_ENOTSUPP;
}

/* Walks the map with get_next_key; with vals, looks every key up too. The
 * walk is capped at the map's capacity so a concurrently rehashed map can
 * not make it loop forever. */
static int walk_keys(int fd, size_t ks, size_t vs, uint32_t cap,
		     char **keys, char **vals, size_t *n, int collect)
{
	char *prev = NULL, *key = malloc(ks), *val = malloc(vs ? vs : 1);
	size_t cnt = 0, alloc = 0;
	int ret = 0;

	if (!key || !val) {
		ret = -ENOMEM;
		goto out;
	}
	while (cnt < cap) {
		if (bpf_map_get_next_key(fd, prev, key)) {
			if (errno != ENOENT)
				ret = -errno;
			break;
		}
		if (!prev) {
			prev = malloc(ks);
			if (!prev) {
				ret = -ENOMEM;
				break;
			}
		}
		memcpy(prev, key, ks);
		if (!collect) {
			cnt++;
			continue;
		}
		if (bpf_map_lookup_elem(fd, key, val)) {
			if (errno == ENOENT)
				continue; /* deleted since get_next_key */
			ret = -errno;
			break;
		}
		if (cnt == alloc) {
			size_t na = alloc ? alloc * 2 : 256;
			char *nk = realloc(*keys, na * ks), *nv;

			if (!nk) {
				ret = -ENOMEM;
				break;
			}
			*keys = nk;
			nv = realloc(*vals, na * vs);
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			*vals = nv;
			alloc = na;
		}
		memcpy(*keys + cnt * ks, key, ks);
		memcpy(*vals + cnt * vs, val, vs);
		cnt++;
	}
	*n = cnt;
out:
	free(prev);
	free(key);
	free(val);
	return ret;
}

/* Batch walk. collect: keep everything (arrays grow); else only count,
 * reusing one chunk-sized buffer. Returns -EOPNOTSUPP when the map type
 * has no batch lookup, so the caller can fall back. */
static int walk_batch(int fd, size_t ks, size_t vs, char **keys, char **vals,
		      size_t *n, int collect)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	/* The batch token is opaque: a bucket index for hash maps, a key for
	 * generic maps. 64 bytes hold either. */
	uint8_t in_tok[64] = { 0 }, out_tok[64] = { 0 };
	size_t cnt = 0, alloc = 0, chunk = MAPDUMP_CHUNK;
	int first = 1, ret = 0;

	if (ks > sizeof(in_tok))
		return -EOPNOTSUPP;
	for (;;) {
		__u32 got = (__u32)chunk;
		size_t at = collect ? cnt : 0;
		int r;

		if (at + chunk > alloc) {
			size_t na = at + chunk;
			char *nk = realloc(*keys, na * ks), *nv;

			if (!nk)
				return -ENOMEM;
			*keys = nk;
			nv = realloc(*vals, na * vs);
			if (!nv)
				return -ENOMEM;
			*vals = nv;
			alloc = na;
		}
		r = bpf_map_lookup_batch(fd, first ? NULL : in_tok, out_tok,
					 *keys + at * ks, *vals + at * vs, &got, &opts);
		if (r < 0)
			r = -errno;
		if (r && first && got == 0 && batch_unsupported(r))
			return -EOPNOTSUPP;
		if (r == -ENOSPC && got == 0) {
			/* One hash bucket holds more than a chunk. */
			if (chunk >= MAPDUMP_CHUNK_MAX)
				return -ENOSPC;
			chunk *= 2;
			continue;
		}
		if (r && r != -ENOENT)
			return r;
		cnt += got;
		if (r == -ENOENT)
			break;
		memcpy(in_tok, out_tok, sizeof(in_tok));
		first = 0;
	}
	*n = cnt;
	return ret;
}

static int walk(int fd, size_t ks, size_t vs, void **keys, void **vals, size_t *n, int collect)
{
	struct bpf_map_info info;
	char *k = NULL, *v = NULL;
	size_t cnt = 0;
	int ret;

	ret = map_info(fd, &info);
	if (ret)
		return ret;
	if (info.key_size != ks || info.value_size != vs)
		return -EPROTO;
	ret = walk_batch(fd, ks, vs, &k, &v, &cnt, collect);
	if (ret == -EOPNOTSUPP) {
		free(k);
		free(v);
		k = v = NULL;
		ret = walk_keys(fd, ks, vs, info.max_entries, &k, &v, &cnt, collect);
	}
	if (ret || !collect) {
		free(k);
		free(v);
		k = v = NULL;
	}
	if (ret)
		return ret;
	if (collect) {
		*keys = k;
		*vals = v;
	}
	*n = cnt;
	return 0;
}

int mapdump_all(int fd, size_t key_size, size_t value_size,
		void **keys, void **values, size_t *n)
{
	*keys = *values = NULL;
	*n = 0;
	return walk(fd, key_size, value_size, keys, values, n, 1);
}

int mapdump_count(int fd, size_t *n)
{
	struct bpf_map_info info;
	int ret = map_info(fd, &info);

	*n = 0;
	if (ret)
		return ret;
	return walk(fd, info.key_size, info.value_size, NULL, NULL, n, 0);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_route(const void *a, const void *b)
{
	const struct mapdump_route *x = a, *y = b;

	return cmp_u32(x->vni, y->vni) ?: cmp_u32(ntohl(x->ip), ntohl(y->ip)) ?:
	       cmp_u32(x->prefixlen, y->prefixlen);
}

int mapdump_routes(int routes_fd, int prefixes_fd, struct mapdump_route **out, size_t *n)
{
	struct vtep_route_key *hk = NULL;
	struct vtep_prefix_key *pk = NULL;
	struct vtep_route *hv = NULL, *pv = NULL;
	struct mapdump_route *rows = NULL;
	size_t nh = 0, np = 0, cnt = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (routes_fd >= 0) {
		ret = mapdump_all(routes_fd, sizeof(*hk), sizeof(*hv), (void **)&hk, (void **)&hv, &nh);
		if (ret)
			goto out;
	}
	if (prefixes_fd >= 0) {
		ret = mapdump_all(prefixes_fd, sizeof(*pk), sizeof(*pv), (void **)&pk, (void **)&pv, &np);
		if (ret)
			goto out;
	}
	rows = calloc(nh + np + 1, sizeof(*rows));
	if (!rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nh; i++)
		rows[cnt++] = (struct mapdump_route){ .vni = hk[i].vni, .ip = hk[i].ip,
						      .prefixlen = 32, .v = hv[i] };
	for (size_t i = 0; i < np; i++) {
		/* prefixlen counts the 32 VNI bits (vtep_maps.h). */
		if (pk[i].prefixlen < 32 || pk[i].prefixlen > 64)
			continue;
		rows[cnt++] = (struct mapdump_route){ .vni = ntohl(pk[i].vni), .ip = pk[i].ip,
						      .prefixlen = (uint8_t)(pk[i].prefixlen - 32),
						      .v = pv[i] };
	}
	qsort(rows, cnt, sizeof(*rows), cmp_route);
	*out = rows;
	*n = cnt;
	rows = NULL;
out:
	free(rows);
	free(hk);
	free(hv);
	free(pk);
	free(pv);
	return ret;
}

/* Turns the parallel key/value arrays of mapdump_all() into rows of
 * struct { key; value; } (both members 4-byte aligned, no padding between). */
static int rows_of(int fd, size_t ks, size_t vs, size_t rs, void **out, size_t *n)
{
	char *k = NULL, *v = NULL, *rows;
	size_t cnt = 0;
	int ret;

	*out = NULL;
	*n = 0;
	ret = mapdump_all(fd, ks, vs, (void **)&k, (void **)&v, &cnt);
	if (ret)
		return ret;
	rows = calloc(cnt + 1, rs);
	if (!rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		memcpy(rows + i * rs, k + i * ks, ks);
		memcpy(rows + i * rs + ks, v + i * vs, vs);
	}
	*out = rows;
	*n = cnt;
out:
	free(k);
	free(v);
	return ret;
}

_Static_assert(offsetof(struct mapdump_port, v) == sizeof(__u32), "mapdump_port rows");
_Static_assert(offsetof(struct mapdump_vni, v) == sizeof(__u32), "mapdump_vni rows");
_Static_assert(offsetof(struct mapdump_fdb, v) == sizeof(struct vtep_fdb_key), "fdb rows");

static int cmp_port(const void *a, const void *b)
{
	const struct mapdump_port *x = a, *y = b;
	int c = strncmp(x->v.ifname, y->v.ifname, sizeof(x->v.ifname));

	return c ?: cmp_u32(x->ifindex, y->ifindex);
}

int mapdump_ports(int fd, struct mapdump_port **out, size_t *n)
{
	int ret = rows_of(fd, sizeof(__u32), sizeof(struct vtep_port), sizeof(**out),
			  (void **)out, n);

	if (!ret)
		qsort(*out, *n, sizeof(**out), cmp_port);
	return ret;
}

static int cmp_vni(const void *a, const void *b)
{
	return cmp_u32(((const struct mapdump_vni *)a)->vni, ((const struct mapdump_vni *)b)->vni);
}

int mapdump_vnis(int fd, struct mapdump_vni **out, size_t *n)
{
	int ret = rows_of(fd, sizeof(__u32), sizeof(struct vtep_vni), sizeof(**out),
			  (void **)out, n);

	if (!ret)
		qsort(*out, *n, sizeof(**out), cmp_vni);
	return ret;
}

static int cmp_neigh(const void *a, const void *b)
{
	const struct mapdump_neigh *x = a, *y = b;

	return cmp_u32(x->k.vni, y->k.vni) ?: cmp_u32(ntohl(x->k.ip), ntohl(y->k.ip));
}

int mapdump_neigh(int routes_fd, struct mapdump_neigh **out, size_t *n)
{
	struct vtep_route_key *k = NULL;
	struct vtep_route *v = NULL;
	struct mapdump_neigh *rows;
	size_t cnt = 0, m = 0;
	int ret;

	*out = NULL;
	*n = 0;
	ret = mapdump_all(routes_fd, sizeof(*k), sizeof(*v), (void **)&k, (void **)&v, &cnt);
	if (ret)
		return ret;
	rows = calloc(cnt ? cnt : 1, sizeof(*rows));
	if (!rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		static const uint8_t zero[6];

		if (!memcmp(v[i].mac, zero, 6))
			continue; /* a local port whose MAC is not learned yet */
		rows[m].k = k[i];
		memcpy(rows[m].v.mac, v[i].mac, 6);
		rows[m].v.source = v[i].source;
		rows[m].v.flags = v[i].flags;
		m++;
	}
	qsort(rows, m, sizeof(*rows), cmp_neigh);
	*out = rows;
	*n = m;
out:
	free(k);
	free(v);
	return ret;
}

static int cmp_fdb(const void *a, const void *b)
{
	const struct mapdump_fdb *x = a, *y = b;

	return cmp_u32(x->k.vni, y->k.vni) ?: memcmp(x->k.mac, y->k.mac, sizeof(x->k.mac));
}

int mapdump_fdb(int fd, struct mapdump_fdb **out, size_t *n)
{
	int ret = rows_of(fd, sizeof(struct vtep_fdb_key), sizeof(struct vtep_fdb),
			  sizeof(**out), (void **)out, n);

	if (!ret)
		qsort(*out, *n, sizeof(**out), cmp_fdb);
	return ret;
}

int mapdump_stats(int fd, struct vtep_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *percpu;
	__u32 key = 0;
	int ret = 0;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	/* Per-CPU values come back as ncpu copies, each rounded up to 8
	 * bytes; struct vtep_stats is all __u64, so no padding. */
	_Static_assert(sizeof(struct vtep_stats) % 8 == 0, "vtep_stats is u64s");
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, percpu))
		ret = -errno;
	else
		counters_sum(percpu, ncpu, sum);
	free(percpu);
	return ret;
}

int mapdump_global(int fd, struct vtep_global *g)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(fd, &key, g) ? -errno : 0;
}

const char *mapdump_source_name(uint8_t source)
{
	switch (source) {
	case VTEP_SRC_LOCAL:
		return "local";
	case VTEP_SRC_STATIC:
		return "static";
	case VTEP_SRC_BGP:
		return "bgp";
	default:
		return "unknown";
	}
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *fmt_hex(const uint8_t b[8], char *buf)
{
	snprintf(buf, MAPDUMP_EC_STRLEN, "0x%02x%02x%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
	return buf;
}

static const char *fmt_ip_nn(const uint8_t *ip, uint16_t nn, char *buf)
{
	char a[ADDR_IP_STRLEN];
	uint32_t be;

	memcpy(&be, ip, 4);
	snprintf(buf, MAPDUMP_EC_STRLEN, "%s:%u", addr_fmt_ip(be, a), nn);
	return buf;
}

static int all_zero(const uint8_t b[8])
{
	static const uint8_t z[8];

	return !memcmp(b, z, 8);
}

/* RFC 4360 s.3 (two-octet AS and IPv4 address specific) and RFC 5668 s.2
 * (four-octet AS specific) route targets: type, sub-type 0x02. */
const char *mapdump_fmt_rt(const uint8_t rt[8], char *buf)
{
	if (all_zero(rt))
		return NULL;
	if (rt[1] != 0x02)
		return fmt_hex(rt, buf);
	switch (rt[0]) {
	case 0x00:
		snprintf(buf, MAPDUMP_EC_STRLEN, "%u:%u", get16(rt + 2), get32(rt + 4));
		return buf;
	case 0x01:
		return fmt_ip_nn(rt + 2, get16(rt + 6), buf);
	case 0x02:
		snprintf(buf, MAPDUMP_EC_STRLEN, "%u:%u", get32(rt + 2), get16(rt + 6));
		return buf;
	default:
		return fmt_hex(rt, buf);
	}
}

/* RFC 4364 s.4.2: a 2-byte type, then administrator and assigned number. */
const char *mapdump_fmt_rd(const uint8_t rd[8], char *buf)
{
	if (all_zero(rd))
		return NULL;
	switch (get16(rd)) {
	case 0:
		snprintf(buf, MAPDUMP_EC_STRLEN, "%u:%u", get16(rd + 2), get32(rd + 4));
		return buf;
	case 1:
		return fmt_ip_nn(rd + 2, get16(rd + 6), buf);
	case 2:
		snprintf(buf, MAPDUMP_EC_STRLEN, "%u:%u", get32(rd + 2), get16(rd + 6));
		return buf;
	default:
		return fmt_hex(rd, buf);
	}
}
