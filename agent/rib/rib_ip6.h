/* rib_ip6.h - IPv6 addresses in the RIB (private to rib/, included by
 * rib_priv.h).
 *
 * A destination's key (struct rib_dkey) has a 32-bit ip. An IPv6 address
 * stands there as an id: htonl(id) with id in 1..RIB_IP6_MAX, that is an
 * address of 0.0.0.0/8 ("this network", RFC 1122 3.2.1.3), which no IPv4
 * route the RIB keeps has: the RIB refuses type-2 routes with a 0/8 address
 * and type-5 prefixes inside 0/8 other than 0.0.0.0/N (rib.c, route_dkey).
 * So a MAC+IPv6 route is a type-2 destination like any other (plen 128):
 * it joins its MAC's group, and MAC mobility (RFC 7432 15: the sequence is
 * per MAC) runs over MAC-only, MAC+IPv4 and MAC+IPv6 routes of a MAC
 * together without knowing families; an IPv6 type-5 prefix is a type-5
 * destination with plen 0..128. Only what meets the world translates: the
 * map keys (rib_sync6.c), our advertisements, the readers and the logs.
 *
 * The table interns each distinct address once, reference-counted by the
 * destinations whose key holds its id (rib_ip6_dest_made / _gone, called
 * where destinations are made and deleted) and by callers holding one for
 * the time of a call (rib_ip6_intern / rib_ip6_put): an id lives exactly as
 * long as something names it.
 */
#ifndef VTEP_RIB_IP6_H
#define VTEP_RIB_IP6_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "evpn_nlri.h"

struct rib;
struct rib_dkey;
struct rib_ip6;

#define RIB_IP6_MAX 0xffffffu  /* ids: the 24 bits below 0.0.0.0/8's first octet */

/* Whether a dkey's ip (network order) is an IPv6 address's id. */
static inline bool rib_ip_is6(uint32_t ip)
{
	return ip != 0 && (ntohl(ip) >> 24) == 0;
}

int rib_ip6_init(struct rib *rib);
void rib_ip6_free(struct rib *rib);

/* The id of a (16 octets), made if new, with a reference the caller drops
 * with rib_ip6_put(); 0 when out of memory or ids. */
uint32_t rib_ip6_intern(struct rib *rib, const uint8_t a[16]);
void rib_ip6_put(struct rib *rib, uint32_t ip);
/* The id of a without a reference; 0 when the RIB holds no such address. */
uint32_t rib_ip6_find(const struct rib *rib, const uint8_t a[16]);
/* The address of an id (NULL for an unknown one). */
const uint8_t *rib_ip6_addr(const struct rib *rib, uint32_t ip);
/* Distinct IPv6 addresses held. */
uint32_t rib_ip6_count(const struct rib *rib);

/* A destination was made / is deleted: its id's reference (no-op for
 * IPv4 keys and types without an address). */
void rib_ip6_dest_made(struct rib *rib, const struct rib_dkey *k);
void rib_ip6_dest_gone(struct rib *rib, const struct rib_dkey *k);

/* A dkey's address for the world: *out as the codec has it (len 4 or 16;
 * 0 for a MAC-only destination), and as text. */
void rib_ip_to_evpn(const struct rib *rib, const struct rib_dkey *k, struct evpn_ip *out);
#define RIB_IP_STRLEN 46   /* INET6_ADDRSTRLEN */
const char *rib_ip_fmt(const struct rib *rib, uint32_t ip, char buf[RIB_IP_STRLEN]);

/* Our own route of destination k (a type 2 with an address) advertised
 * with seq, or withdrawn: evpn_export_macip(6)_set/del by family. */
void rib_ip_export_set(struct rib *rib, const struct rib_dkey *k, uint32_t seq);
void rib_ip_export_del(struct rib *rib, const struct rib_dkey *k);

#endif /* VTEP_RIB_IP6_H */
