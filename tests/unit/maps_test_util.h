/* maps_test_util.h - the BPF map fixture shared by the unit tests that drive
 * agent code against real maps: maps made with bpf_map_create (the same
 * types, keys and values as bpf/maps.bpf.h; needs root, no bpffs), the full
 * struct mapsync_fds set, an entry count, and lookups by the text forms of
 * addresses. The code is in maps_test_util.c. */
#ifndef MAPS_TEST_UTIL_H
#define MAPS_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <bpf/bpf.h>

#include "mapsync.h"
#include "vtep_maps.h"

/* A map of type t; the test fails (saying to run as root) when refused. */
int mt_mkmap(enum bpf_map_type t, const char *name, size_t ks, size_t vs, uint32_t max,
	     uint32_t flags);
/* Every map mapsync writes; max entries for the per-route maps. */
void mt_maps_open(struct mapsync_fds *fds, uint32_t max);
void mt_maps_close(struct mapsync_fds *fds);

/* Entries in a map with keys of ks bytes (at most 64): a get_next_key
 * walk, which works for every map type. */
size_t mt_count(int fd, size_t ks);

/* Text forms to values; the test fails on a bad one. */
uint32_t mt_ip(const char *s);
void mt_mac(const char *s, uint8_t out[6]);

/* Lookups: 0 and *out when there is an entry, as bpf_map_lookup_elem. */
int mt_route_get(const struct mapsync_fds *fds, uint32_t vni, const char *ip,
		 struct vtep_route *out);
int mt_fdb_get(const struct mapsync_fds *fds, uint32_t vni, const char *mac, struct vtep_fdb *out);
/* IPv6: an address's text to its 16 octets; lookups in vtep_routes6 (ip
 * "2001:db8::21") and vtep_prefixes6 (prefix "2001:db8:1::/48", exact key). */
void mt_ip6(const char *s, uint8_t out[16]);
int mt_route6_get(const struct mapsync_fds *fds, uint32_t vni, const char *ip,
		  struct vtep_route *out);
int mt_prefix6_get(const struct mapsync_fds *fds, uint32_t vni, const char *prefix,
		   struct vtep_route *out);
int mt_remote_get(const struct mapsync_fds *fds, const char *vtep, struct vtep_remote *out);

#endif /* MAPS_TEST_UTIL_H */
