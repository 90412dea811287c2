/* rib_local.c - our own paths: the type-2 routes of attached local ports
 * (mapsync's port hook, which rib.c registers and forwards here) and our
 * VTEP address changing under them. They compete in the same decision as
 * remote paths (RFC 7432 15: MAC mobility); a gratuitous ARP from a workload
 * (rib_local_garp, rib.c) re-runs it.
 */
#include "rib_priv.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"

/* ---- local ports ------------------------------------------------------------- */

static void local_add(struct rib *rib, uint32_t vni, const uint8_t mac[6], uint32_t ip)
{
	struct rib_path np;
	struct rib_dkey k;
	uint32_t rseq;
	char m[ADDR_MAC_STRLEN], a[RIB_IP_STRLEN];

	rib_dkey_macip(&k, vni, mac, ip, true);
	memset(&np, 0, sizeof(np));
	np.vtep = rib->vtep_ip;
	np.attr = RIB_NIL;
	/* RFC 7432 15: a MAC that arrives here while known remote is
	 * advertised with the remote sequence number + 1. */
	if (rib_mac_remote_seq(rib, vni, mac, &rseq)) {
		np.seq = rseq + 1;
		log_info("rib: vni %u %s %s arrived here; known remote with sequence %u, "
			 "advertised with %u", vni, addr_fmt_mac(mac, m), rib_ip_fmt(rib, ip, a),
			 rseq, np.seq);
	}
	if (rib_path_insert(rib, &k, &np, NULL))
		log_err("rib: out of memory: local route for vni %u %s not kept", vni,
			rib_ip_fmt(rib, ip, a));
}

static void local_remove(struct rib *rib, uint32_t vni, const uint8_t mac[6], uint32_t ip)
{
	struct rib_dkey k;
	const struct rib_dest *d;
	uint32_t i, prev = RIB_NIL;

	rib_dkey_macip(&k, vni, mac, ip, true);
	d = rib_dest_get(rib, &k);
	if (!d)
		return;
	for (i = d->head; i != RIB_NIL; prev = i, i = rib->paths[i].next)
		if (rib->paths[i].src == RIB_NIL) {
			rib_path_remove(rib, &k, i, prev);
			return;
		}
}

/* A port's IPv6 address: its destination's key holds the address's id
 * (rib_ip6.h), held for the call; a remove finds it or has nothing to do.
 * The link-local address is no route (RFC 4291 2.5.6) and not advertised. */
static void local_add6(struct rib *rib, uint32_t vni, const uint8_t mac[6], const uint8_t ip6[16])
{
	uint32_t id = rib_ip6_intern(rib, ip6);

	if (!id) {
		log_err("rib: out of memory: local IPv6 route for vni %u not kept", vni);
		return;
	}
	local_add(rib, vni, mac, id);
	rib_ip6_put(rib, id);
}

static void local_remove6(struct rib *rib, uint32_t vni, const uint8_t mac[6],
			  const uint8_t ip6[16])
{
	uint32_t id = rib_ip6_find(rib, ip6);

	if (id)
		local_remove(rib, vni, mac, id);
}

static bool has_ip6(const struct vtep_port *p)
{
	static const uint8_t zero[16];

	return memcmp(p->ip6, zero, 16) != 0;
}

void rib_local_port(struct rib *rib, const struct vtep_port *old, const struct vtep_port *cur)
{
	bool had = old && !addr_mac_is_zero(old->mac);
	bool has = cur && !addr_mac_is_zero(cur->mac);

	/* its name, for duplicate address reports (rib_dup.c) */
	rib_dup_port(rib, had ? old : NULL, has ? cur : NULL);
	if (had && has && old->vni == cur->vni && old->ip == cur->ip &&
	    !memcmp(old->mac, cur->mac, 6) && !memcmp(old->ip6, cur->ip6, 16))
		return;
	/* one path per address: an IPv6-only port (ip 0) has no IPv4 one */
	if (had && old->ip)
		local_remove(rib, old->vni, old->mac, old->ip);
	if (had && has_ip6(old))
		local_remove6(rib, old->vni, old->mac, old->ip6);
	if (has && cur->ip)
		local_add(rib, cur->vni, cur->mac, cur->ip);
	if (has && has_ip6(cur))
		local_add6(rib, cur->vni, cur->mac, cur->ip6);
}

/* Our VTEP address changed: our own paths follow. */
void rib_local_vtep_changed(struct rib *rib)
{
	struct rib_dkey *keys = NULL;
	size_t n = 0, i;
	uint32_t di;

	keys = malloc(((size_t)rib->n_dests + 1) * sizeof(*keys));
	if (!keys)
		return;
	for (di = rib_dest_next(rib, RIB_NIL); di != RIB_NIL; di = rib_dest_next(rib, di)) {
		const struct rib_dest *d = rib_dest_at(rib, di);
		uint32_t j;

		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib->paths[j].src == RIB_NIL) {
				keys[n++] = d->k;
				break;
			}
	}
	for (i = 0; i < n; i++) {
		struct rib_dest *d = rib_dest_get(rib, &keys[i]);
		struct rib_sel before;
		uint32_t j;

		rib_sel_get(rib, &keys[i], d, &before);
		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib->paths[j].src == RIB_NIL)
				rib->paths[j].vtep = rib->vtep_ip;
		rib_best_run(rib, &keys[i], d, &before);
	}
	free(keys);
}
