/* rib_test_util.h - helpers for the RIB / import / export unit tests: a
 * test configuration, the real BPF maps of maps_test_util.h, and builders
 * for received EVPN routes and their attributes. The code is in
 * rib_test_util.c. */
#ifndef RIB_TEST_UTIL_H
#define RIB_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "config.h"
#include "evpn_nlri.h"
#include "maps_test_util.h"

/* VNI 100: route target auto; VNI 200: explicit 65000:200 and flood. */
extern const char rt_test_json[];

/* Parses json into c; the test fails if it is refused. */
void rt_load_config(const char *json, struct vtep_config *c);

/* Received attributes: one struct (it is ~2.5 KB), filled by rt_mkattrs,
 * and its extended communities. */
extern struct bgp_attrs rt_attrs;
extern uint8_t rt_ext[8][8];

/* Next hop vtep; route target rt ("ASN:NN", NULL = none); MAC mobility
 * sequence (with sticky) when mm. Encapsulation VXLAN always. Returns
 * &rt_attrs. */
struct bgp_attrs *rt_mkattrs(const char *vtep, const char *rt, bool mm, uint32_t seq,
			     bool sticky);
/* Adds a router's MAC extended community (type 5) to rt_attrs. */
void rt_attrs_rmac(const char *mac);
/* Adds an ARP/ND extended community (RFC 9047) with BGP_EXT_ND_* flags. */
void rt_attrs_nd(uint8_t flags);

/* Type 2 with RD = rd_ip:100 (what the originating VTEP would use); ip
 * NULL for a MAC-only route, IPv4 or (with a ':') IPv6. */
struct evpn_route rt_macip(const char *rd_ip, const char *mac, const char *ip, uint32_t label);
/* Type 5 for prefix/len (IPv4, or IPv6 with a ':'), RD rd_ip:100,
 * gateway 0. */
struct evpn_route rt_prefix(const char *rd_ip, const char *prefix, uint8_t len, uint32_t label);
/* Type 3 of originator orig, RD orig:100. */
struct evpn_route rt_imet(const char *orig);

/* A local port of VNI 100 (what mapsync_port_set takes): workload MAC mac,
 * IPv4 ip and IPv6 ip6 (either NULL for none), host-side interface ifname.
 * The RIB advertises a MAC+IP type 2 route per address. */
struct vtep_port rt_port(const char *ip, const char *ip6, const char *mac, const char *ifname);

#endif /* RIB_TEST_UTIL_H */
