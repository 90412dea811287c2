/* rib_sync.h - the RIB's best paths as BGP-sourced map entries.
 *
 * The RIB does not write maps itself: rib_sync plugs into mapsync as its BGP
 * side (struct mapsync_bgp), so one resolver applies the precedence for
 * every key (local port > static route > BGP, except a local workload that
 * lost by MAC mobility) and one writer batches every change
 * (bpf_map_update_batch / bpf_map_delete_batch). When a destination's
 * selection changes, rib_sync marks the keys it feeds; the flush asks
 * rib_sync for the value at each key, so a withdrawal deletes exactly the
 * entries the route had put there and nothing else.
 *
 * What a best path puts in the maps (when it is remote; a local best leaves
 * the local port's own entries in place):
 *   type 2 with IP   vtep_routes{vni, ip} -> {vtep, mac, seq, BGP, sticky}
 *                    vtep_neigh{vni, ip}  -> {mac, BGP}
 *   type 2           vtep_fdb{vni, mac}   -> {vtep, seq, BGP, sticky}
 *   type 5 with a router's MAC (RFC 9135 8.1)
 *                    vtep_prefixes{32 + len, htonl(vni), prefix} -> {vtep,
 *                    mac = the router's MAC (inner destination MAC), BGP}
 *   types 2, 3, 5    vtep_remotes[vtep] refs += best paths naming it, so the
 *                    uplink accepts VXLAN from every VTEP we have routes to.
 * Several destinations can feed one key: an IP claimed by two MACs (the
 * newest workload keeps the address: highest sequence, then lowest VTEP,
 * then lowest MAC) and a MAC with several IPs or a MAC-only route
 * (vtep_fdb follows the highest sequence, then the lowest VTEP).
 */
#ifndef VTEP_RIB_SYNC_H
#define VTEP_RIB_SYNC_H

struct rib;
struct rib_dkey;
struct rib_sel;

/* Registers with the RIB's mapsync (no-op without one): existing local ports
 * are replayed into the RIB. 0 or -errno. */
int rib_sync_attach(struct rib *rib);
void rib_sync_detach(struct rib *rib);
/* A destination's selection changed from before to after: mark its keys,
 * count its VTEP in vtep_remotes. */
void rib_sync_changed(struct rib *rib, const struct rib_dkey *k, const struct rib_sel *before,
		      const struct rib_sel *after);

#endif /* VTEP_RIB_SYNC_H */
