/* daemon_sync.c - where the configuration meets map sync: the config's
 * records (struct cfg_vni, struct cfg_route; the state file's routes are
 * cfg_routes too) turned into the records mapsync takes, so that neither
 * dp/ nor its maps know the config schema; and the flush every handler
 * ends with. Used by the start-up and the handlers (daemon.c) and by a
 * reload (daemon_reload.c).
 */
#include "daemon_priv.h"

#include <string.h>

#include "bgp.h"
#include "mapsync.h"
#include "rib.h"

void daemon_vni_to_map(const struct vtep_config *cfg, const struct cfg_vni *cv,
		       struct vtep_vni *out)
{
	memset(out, 0, sizeof(*out));
	out->subnet = cv->subnet;
	out->gateway_ip = cv->gateway_ip;
	out->prefixlen = cv->prefixlen;
	out->arp_reply = cv->arp_reply == CFG_ARP_REAL ? VTEP_ARP_REPLY_REAL
						       : VTEP_ARP_REPLY_GATEWAY;
	out->flags = (cv->flood ? VTEP_VNI_F_FLOOD : 0) | (cv->rt_auto ? VTEP_VNI_F_RT_AUTO : 0) |
		     (cv->rd_auto ? VTEP_VNI_F_RD_AUTO : 0) |
		     (cv->outside == CFG_OUTSIDE_HOST ? VTEP_VNI_F_OUTSIDE_HOST : 0);
	memcpy(out->gateway_mac, cv->gateway_mac, 6);
	/* IPv6: prefixlen6 0 keeps the datapath's IPv6 off in the VNI. */
	if (cv->prefixlen6) {
		memcpy(out->subnet6, cv->subnet6, 16);
		out->prefixlen6 = cv->prefixlen6;
		memcpy(out->gateway_ip6, cv->gateway_ip6, 16);
		if (cv->slaac)
			out->flags |= VTEP_VNI_F_SLAAC;
	}
	/* The RT is stored only when explicit ("zero when auto"); the RD as
	 * advertised, auto resolved to router_id:vni when BGP is configured. */
	if (!cv->rt_auto)
		memcpy(out->route_target, cv->route_target, 8);
	if (!cv->rd_auto)
		memcpy(out->rd, cv->rd, 8);
	else if (cfg->bgp.enabled)
		config_vni_rd(cfg, cv, out->rd);
}

void daemon_route_to_sync(const struct cfg_route *r, struct mapsync_route *out)
{
	memset(out, 0, sizeof(*out));
	out->vni = r->vni;
	out->prefix = r->prefix;
	out->prefixlen = r->prefixlen;
	out->vtep = r->vtep;
	memcpy(out->mac, r->mac, 6);
	out->v6 = r->v6;
	memcpy(out->prefix6, r->prefix6, 16);
}

void daemon_bgp_flush(struct daemon *d)
{
	if (d->bgp)
		bgp_flush(d->bgp);
	else if (d->rib)
		rib_flush(d->rib);
}
