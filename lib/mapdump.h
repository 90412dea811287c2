/* mapdump.h - reading vtepd's pinned maps (include/vtep_maps.h) without
 * vtepd: vtepctl's map dumps, and occupancy counts for /metrics.
 *
 * Every reader takes a map fd (from mapdump_open() on a pin, or the daemon's
 * own fd) and returns a malloc'ed array sorted into a stable order. Hash maps
 * are read with BPF_MAP_LOOKUP_BATCH in chunks; maps without batch support
 * (the LPM trie, older kernels) fall back to BPF_MAP_GET_NEXT_KEY + lookup.
 * Entries deleted while iterating may be missed or, for get_next_key
 * restarts, the walk starts over: a dump is a snapshot "at some point".
 * Return 0 or -errno everywhere.
 */
#ifndef VTEP_MAPDUMP_H
#define VTEP_MAPDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vtep_maps.h"

/* Opens DIR/NAME read-only and checks that its key and value sizes are the
 * ones this build expects (-EPROTO when not: pins of another layout).
 * Returns an fd or -errno. */
int mapdump_open(const char *bpffs, const char *name);
/* Same check on an fd already held (the daemon's). */
int mapdump_check(int fd, const char *name);

/* Capacity (max_entries) of a map. */
int mapdump_capacity(int fd, uint32_t *max_entries);
/* Number of entries, counted with batch lookups in fixed-size chunks (one
 * pass, bounded memory) or get_next_key where batches are unsupported. */
int mapdump_count(int fd, size_t *n);

/* Generic: every key/value pair, keys and values in two parallel arrays. */
int mapdump_all(int fd, size_t key_size, size_t value_size,
		void **keys, void **values, size_t *n);

/* One route row: vtep_routes (/32) and vtep_prefixes merged; or, with v6,
 * vtep_routes6 (/128) and vtep_prefixes6 (mapdump6.c). */
struct mapdump_route {
	uint32_t vni;        /* host order */
	uint32_t ip;         /* network order; 0 for IPv6 */
	uint8_t  prefixlen;  /* 0..32; IPv6 0..128 */
	bool     v6;         /* an IPv6 row: ip6 */
	uint8_t  ip6[16];
	struct vtep_route v;
};
/* Either fd may be -1 (map absent). Sorted by vni, ip, prefixlen. */
int mapdump_routes(int routes_fd, int prefixes_fd, struct mapdump_route **out, size_t *n);
/* The same for vtep_routes6 and vtep_prefixes6. */
int mapdump_routes6(int routes6_fd, int prefixes6_fd, struct mapdump_route **out, size_t *n);
/* Appends b's rows to *a (realloc'ed) and sorts them all by vni, family
 * (IPv4 first), address, prefixlen. Frees b. */
int mapdump_routes_join(struct mapdump_route **a, size_t *na, struct mapdump_route *b, size_t nb);

struct mapdump_port {
	uint32_t ifindex;
	struct vtep_port v;
};
int mapdump_ports(int fd, struct mapdump_port **out, size_t *n);   /* by ifname */

struct mapdump_vni {
	uint32_t vni;
	struct vtep_vni v;
};
int mapdump_vnis(int fd, struct mapdump_vni **out, size_t *n);     /* by vni */

/* The ARP table: every host route of vtep_routes with a MAC (a MAC+IP
 * route carries its MAC; there is no ARP map of its own), by vni, ip. */
struct mapdump_neigh {
	struct vtep_route_key k;
	struct {
		uint8_t mac[6];
		uint8_t source;
		uint8_t flags;
	} v;
	bool     v6;         /* from vtep_routes6: the address is ip6 (k.ip 0) */
	uint8_t  ip6[16];
};
int mapdump_neigh(int routes_fd, struct mapdump_neigh **out, size_t *n);
/* The IPv6 neighbours: every host route of vtep_routes6 with a MAC. */
int mapdump_neigh6(int routes6_fd, struct mapdump_neigh **out, size_t *n);
/* Appends b's rows to *a and sorts them all by vni, family, address. */
int mapdump_neigh_join(struct mapdump_neigh **a, size_t *na, struct mapdump_neigh *b, size_t nb);

struct mapdump_fdb {
	struct vtep_fdb_key k;
	struct vtep_fdb v;
};
int mapdump_fdb(int fd, struct mapdump_fdb **out, size_t *n);      /* by vni, mac */

/* vtep_stats slot 0 summed over every possible CPU. */
int mapdump_stats(int fd, struct vtep_stats *sum);

/* Reads vtep_global slot 0. */
int mapdump_global(int fd, struct vtep_global *g);

/* Text forms shared by vtepctl and the daemon. */
const char *mapdump_source_name(uint8_t source);   /* "local"/"static"/"bgp"/"unknown" */
/* An RFC 4360 route target / RFC 4364 RD as "ASN:NN" or "IP:NN";
 * buf must hold MAPDUMP_EC_STRLEN. Returns NULL for all-zero bytes, and a
 * "0x<16 hex digits>" form for types it does not know. */
#define MAPDUMP_EC_STRLEN 32
const char *mapdump_fmt_rt(const uint8_t rt[8], char *buf);
const char *mapdump_fmt_rd(const uint8_t rd[8], char *buf);

#endif /* VTEP_MAPDUMP_H */
