/* evpn_export.h - the routes vtepd advertises (RFC 7432, RFC 8365).
 *
 *   type 2 MAC/IP per address of a local port whose workload is here (its
 *          IPv4 and its IPv6 address, one route each; the RIB decides: a
 *          workload that lost to a remote route with a higher MAC mobility
 *          sequence is withdrawn, one that comes back is re-advertised with
 *          the remote sequence + 1):
 *          RD = config_vni_rd(), ESI 0, Ethernet tag 0, MAC, the IPv4 or
 *          IPv6 address (RFC 7432 7.2: length 32 or 128), one label
 *          = the VNI (RFC 8365 5.1.3); attributes: ORIGIN IGP, empty AS_PATH,
 *          MP_REACH_NLRI (AFI 25, SAFI 70) with next hop = vtep.ip,
 *          extended communities: route target (config_vni_rt()),
 *          encapsulation VXLAN (RFC 9012 4.1, tunnel type 8), and MAC
 *          mobility with the sequence when it is > 0 (RFC 7432 7.7).
 *   type 3 IMET per VNI with `flood: true`: RD, tag 0, originator = vtep.ip;
 *          PMSI tunnel attribute: ingress replication (type 6), label = the
 *          VNI, tunnel identifier = vtep.ip (RFC 7432 11.2, RFC 8365 5.1.3);
 *          route target and encapsulation as above.
 *
 * Contract with the BGP speaker
 *   The attributes handed out are complete for iBGP except LOCAL_PREF, which
 *   the session adds (RFC 4271 5.1.5), and for eBGP except our AS, which the
 *   session prepends to the (empty) AS_PATH (RFC 4271 5.1.2). Copy the
 *   struct bgp_attrs before changing it: it and the arrays it points to
 *   (attrs->ext) are valid during the callback only.
 *   - Whole table (session Established, then End-of-RIB; ROUTE-REFRESH):
 *       evpn_export_walk(exp, fn, ctx)
 *   - Changes: evpn_export_set_notify(exp, fn, ctx) once; changes are
 *     coalesced per route and delivered by evpn_export_flush(), which
 *     rib_flush() calls (so a route announced and withdrawn between two
 *     flushes is never sent). withdraw = true: attrs is NULL.
 *   - One route's attributes, e.g. for a per-peer re-send:
 *       evpn_export_lookup().
 *
 * The RIB drives type 2 (evpn_export_macip_set/del); type 3 follows the
 * configuration (evpn_export_new / evpn_export_reload).
 */
#ifndef VTEP_EVPN_EXPORT_H
#define VTEP_EVPN_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "evpn_nlri.h"

struct evpn_export;
struct vtep_config;

/* Extended communities one of our routes carries, at most. */
#define EVPN_EXPORT_MAX_EXT 4

typedef void (*evpn_export_fn)(void *ctx, const struct evpn_route *rt,
			       const struct bgp_attrs *attrs, bool withdraw);

/* cfg is read now, not kept. Returns 0 or -errno. */
int evpn_export_new(const struct vtep_config *cfg, struct evpn_export **out);
void evpn_export_free(struct evpn_export *exp);
/* New config: RD, RT, flood, vtep.ip or VNIs changed -> the affected routes
 * are withdrawn and/or re-advertised (pending until the next flush); type-2
 * routes of removed VNIs are withdrawn. Returns 0 or -errno. */
int evpn_export_reload(struct evpn_export *exp, const struct vtep_config *cfg);

void evpn_export_set_notify(struct evpn_export *exp, evpn_export_fn fn, void *ctx);
/* Delivers pending changes to the notify callback. Returns how many. */
size_t evpn_export_flush(struct evpn_export *exp);
/* Calls fn for every route advertised now (withdraw = false). */
void evpn_export_walk(const struct evpn_export *exp, evpn_export_fn fn, void *ctx);
size_t evpn_export_count(const struct evpn_export *exp);
/* Fills *rt and *attrs (attrs->ext -> ext_buf) for the advertised route with
 * rt's key (type, RD, tag, MAC, IP). Returns 0 or -ENOENT. */
int evpn_export_lookup(const struct evpn_export *exp, struct evpn_route *rt,
		       struct bgp_attrs *attrs, uint8_t ext_buf[EVPN_EXPORT_MAX_EXT][8]);

/* ---- for the RIB ---- */

/* Advertise (or update the sequence of) the type-2 route of a workload
 * here. ip is network order (0 = MAC only). Returns 0, -ENOENT (VNI not
 * configured) or -ENOMEM. */
int evpn_export_macip_set(struct evpn_export *exp, uint32_t vni, const uint8_t mac[6],
			  uint32_t ip, uint32_t seq);
/* Withdraw it; 0 or -ENOENT when not advertised. */
int evpn_export_macip_del(struct evpn_export *exp, uint32_t vni, const uint8_t mac[6],
			  uint32_t ip);
/* The sequence we advertise for it: true and *seq when advertised. */
bool evpn_export_macip_get(const struct evpn_export *exp, uint32_t vni, const uint8_t mac[6],
			   uint32_t ip, uint32_t *seq);
/* The same with an IPv6 address (16 octets, network order). */
int evpn_export_macip6_set(struct evpn_export *exp, uint32_t vni, const uint8_t mac[6],
			   const uint8_t ip6[16], uint32_t seq);
int evpn_export_macip6_del(struct evpn_export *exp, uint32_t vni, const uint8_t mac[6],
			   const uint8_t ip6[16]);
bool evpn_export_macip6_get(const struct evpn_export *exp, uint32_t vni, const uint8_t mac[6],
			    const uint8_t ip6[16], uint32_t *seq);

#endif /* VTEP_EVPN_EXPORT_H */
