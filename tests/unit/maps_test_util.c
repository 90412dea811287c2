/* maps_test_util.c - see maps_test_util.h. */
#include <check.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include <arpa/inet.h>

#include "addr.h"
#include "addr6.h"
#include "maps_test_util.h"

int mt_mkmap(enum bpf_map_type t, const char *name, size_t ks, size_t vs, uint32_t max,
	     uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(t, name, ks, vs, max, &o);

	ck_assert_msg(fd >= 0, "bpf_map_create %s: %s (run as root)", name, strerror(-fd));
	return fd;
}

void mt_maps_open(struct mapsync_fds *fds, uint32_t max)
{
	fds->vnis = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_vnis", 4, sizeof(struct vtep_vni), 64, 0);
	fds->ports = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_ports", 4, sizeof(struct vtep_port), 64, 0);
	fds->routes = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_routes", sizeof(struct vtep_route_key),
			       sizeof(struct vtep_route), max, BPF_F_NO_PREALLOC);
	fds->prefixes = mt_mkmap(BPF_MAP_TYPE_LPM_TRIE, "vtep_prefixes",
				 sizeof(struct vtep_prefix_key), sizeof(struct vtep_route), max,
				 BPF_F_NO_PREALLOC);
	fds->fdb = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_fdb", sizeof(struct vtep_fdb_key),
			    sizeof(struct vtep_fdb), max, BPF_F_NO_PREALLOC);
	fds->remotes = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_remotes", 4, sizeof(struct vtep_remote),
				1024, 0);
	fds->routes6 = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_routes6", sizeof(struct vtep_route6_key),
				sizeof(struct vtep_route), max, BPF_F_NO_PREALLOC);
	fds->prefixes6 = mt_mkmap(BPF_MAP_TYPE_LPM_TRIE, "vtep_prefixes6",
				  sizeof(struct vtep_prefix6_key), sizeof(struct vtep_route), max,
				  BPF_F_NO_PREALLOC);
}

void mt_maps_close(struct mapsync_fds *fds)
{
	close(fds->vnis);
	close(fds->ports);
	close(fds->routes);
	close(fds->prefixes);
	close(fds->fdb);
	close(fds->remotes);
	close(fds->routes6);
	close(fds->prefixes6);
}

size_t mt_count(int fd, size_t ks)
{
	uint8_t k[64], prev[64];
	size_t n = 0;
	int err;

	ck_assert_uint_le(ks, sizeof(k));
	err = bpf_map_get_next_key(fd, NULL, k);
	while (!err) {
		n++;
		memcpy(prev, k, ks);
		err = bpf_map_get_next_key(fd, prev, k);
	}
	return n;
}

uint32_t mt_ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(addr_parse_ip(s, &a), 0);
	return a;
}

void mt_mac(const char *s, uint8_t out[6])
{
	ck_assert_int_eq(addr_parse_mac(s, out), 0);
}

int mt_route_get(const struct mapsync_fds *fds, uint32_t vni, const char *ip,
		 struct vtep_route *out)
{
	struct vtep_route_key k = { .vni = vni, .ip = mt_ip(ip) };

	return bpf_map_lookup_elem(fds->routes, &k, out);
}

void mt_ip6(const char *s, uint8_t out[16])
{
	ck_assert_int_eq(addr6_parse(s, out), 0);
}

int mt_route6_get(const struct mapsync_fds *fds, uint32_t vni, const char *ip,
		  struct vtep_route *out)
{
	struct vtep_route6_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	mt_ip6(ip, k.ip);
	return bpf_map_lookup_elem(fds->routes6, &k, out);
}

int mt_prefix6_get(const struct mapsync_fds *fds, uint32_t vni, const char *prefix,
		   struct vtep_route *out)
{
	struct vtep_prefix6_key k;
	uint8_t len;

	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(addr6_parse_prefix(prefix, k.ip, &len, 0), 0);
	k.prefixlen = 32u + len;
	k.vni = htonl(vni);
	return bpf_map_lookup_elem(fds->prefixes6, &k, out);
}

int mt_fdb_get(const struct mapsync_fds *fds, uint32_t vni, const char *mac, struct vtep_fdb *out)
{
	struct vtep_fdb_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	mt_mac(mac, k.mac);
	return bpf_map_lookup_elem(fds->fdb, &k, out);
}

int mt_remote_get(const struct mapsync_fds *fds, const char *vtep, struct vtep_remote *out)
{
	uint32_t k = mt_ip(vtep);

	return bpf_map_lookup_elem(fds->remotes, &k, out);
}
