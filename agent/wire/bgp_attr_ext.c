/* bgp_attr_ext.c - BGP Extended Communities (RFC 4360): the attribute's
 * hooks for the table in bgp_attr.c, the summary an EVPN route's handling
 * needs (route targets, encapsulation RFC 9012, MAC Mobility, Router's MAC,
 * Default Gateway of RFC 7432 and RFC 9135, ARP/ND of RFC 9047), and the
 * bgp_ext_ builders and
 * route-target parser.
 */
#include "bgp_attr_priv.h"

#include <string.h>

/* Sums up the communities an EVPN route's handling depends on. */
static void evpn_ext_summary(const uint8_t *e, struct bgp_evpn_ext *s)
{
	uint32_t seq, global, local;

	if (bgp_ext_rt_parse(e, &global, &local) >= 0) {
		s->n_rt++;
	} else if (e[0] == BGP_EXT_TYPE_OPAQUE && e[1] == BGP_EXT_SUB_ENCAP) {
		/* RFC 9012 4.1: 4 reserved octets, then the tunnel type. */
		uint16_t t = (uint16_t)(e[6] << 8 | e[7]);

		if (t < 32)
			s->encap_types |= 1u << t;
	} else if (e[0] == BGP_EXT_TYPE_OPAQUE && e[1] == BGP_EXT_SUB_DEFAULT_GW) {
		s->default_gw = true;
	} else if (e[0] == BGP_EXT_TYPE_EVPN && e[1] == BGP_EXT_SUB_MAC_MOBILITY) {
		/* RFC 7432 7.7: flags (low bit: sticky/static), reserved,
		 * sequence number. RFC 7432 says nothing of two of them in
		 * one route; the higher sequence wins, as a later move would. */
		seq = (uint32_t)e[4] << 24 | e[5] << 16 | e[6] << 8 | e[7];
		if (!s->mac_mobility || seq > s->mm_seq)
			s->mm_seq = seq;
		s->mm_sticky |= e[2] & 0x01;
		s->mac_mobility = true;
	} else if (e[0] == BGP_EXT_TYPE_EVPN && e[1] == BGP_EXT_SUB_ROUTER_MAC) {
		if (!s->has_router_mac)
			memcpy(s->router_mac, e + 2, 6);
		s->has_router_mac = true;
	} else if (e[0] == BGP_EXT_TYPE_EVPN && e[1] == BGP_EXT_SUB_ND) {
		/* RFC 9047 3: flags R, O and I; the reserved bits are not
		 * looked at. Of several in one route the first counts. */
		if (!s->has_nd)
			s->nd_flags = e[2] & (BGP_EXT_ND_ROUTER | BGP_EXT_ND_OVERRIDE |
					      BGP_EXT_ND_IMMUTABLE);
		s->has_nd = true;
	}
}

/* RFC 7606 7.14: length not a non-zero multiple of 8 -> withdraw. */
int bgp_attr_dec_ext_communities(struct rbuf *v, struct bgp_attrs *a,
				 const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	size_t n = rbuf_left(v);

	(void)ctx;
	if (n == 0 || n % 8)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR,
			       "EXTENDED_COMMUNITIES length not a non-zero multiple of 8 (RFC 7606 7.14)");
	a->ext = rbuf_ptr(v);
	a->n_ext = (uint16_t)(n / 8);
	memset(&a->evpn, 0, sizeof(a->evpn));
	for (size_t i = 0; i < a->n_ext; i++)
		evpn_ext_summary(a->ext + 8 * i, &a->evpn);
	return 0;
}

void bgp_attr_enc_ext_communities(struct wbuf *w, const struct bgp_attrs *a,
				  const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_bytes(w, a->ext, (size_t)a->n_ext * 8);
}

static void ext_put(uint8_t ext[8], uint8_t type, uint8_t sub, uint64_t value48)
{
	ext[0] = type;
	ext[1] = sub;
	for (int i = 0; i < 6; i++)
		ext[2 + i] = (uint8_t)(value48 >> (8 * (5 - i)));
}

void bgp_ext_rt_as2(uint8_t ext[8], uint16_t asn, uint32_t n)
{
	ext_put(ext, BGP_EXT_TYPE_AS2, BGP_EXT_SUB_RT, (uint64_t)asn << 32 | n);
}

void bgp_ext_rt_ip4(uint8_t ext[8], uint32_t ip_be, uint16_t n)
{
	ext_put(ext, BGP_EXT_TYPE_IP4, BGP_EXT_SUB_RT, 0);
	memcpy(ext + 2, &ip_be, 4);
	ext[6] = n >> 8;
	ext[7] = n;
}

void bgp_ext_rt_as4(uint8_t ext[8], uint32_t asn, uint16_t n)
{
	ext_put(ext, BGP_EXT_TYPE_AS4, BGP_EXT_SUB_RT, (uint64_t)asn << 16 | n);
}

int bgp_ext_rt_parse(const uint8_t ext[8], uint32_t *global, uint32_t *local)
{
	if (ext[1] != BGP_EXT_SUB_RT)
		return -1;
	switch (ext[0]) {
	case BGP_EXT_TYPE_AS2:
		*global = (uint32_t)ext[2] << 8 | ext[3];
		*local = (uint32_t)ext[4] << 24 | ext[5] << 16 | ext[6] << 8 | ext[7];
		return BGP_EXT_TYPE_AS2;
	case BGP_EXT_TYPE_IP4:
		memcpy(global, ext + 2, 4);
		*local = (uint32_t)ext[6] << 8 | ext[7];
		return BGP_EXT_TYPE_IP4;
	case BGP_EXT_TYPE_AS4:
		*global = (uint32_t)ext[2] << 24 | ext[3] << 16 | ext[4] << 8 | ext[5];
		*local = (uint32_t)ext[6] << 8 | ext[7];
		return BGP_EXT_TYPE_AS4;
	default:
		return -1;
	}
}

void bgp_ext_encap(uint8_t ext[8], uint16_t tunnel_type)
{
	ext_put(ext, BGP_EXT_TYPE_OPAQUE, BGP_EXT_SUB_ENCAP, tunnel_type);
}

void bgp_ext_mac_mobility(uint8_t ext[8], uint32_t seq, bool sticky)
{
	ext_put(ext, BGP_EXT_TYPE_EVPN, BGP_EXT_SUB_MAC_MOBILITY,
		(uint64_t)(sticky ? 1 : 0) << 40 | seq);
}

void bgp_ext_router_mac(uint8_t ext[8], const uint8_t mac[6])
{
	ext[0] = BGP_EXT_TYPE_EVPN;
	ext[1] = BGP_EXT_SUB_ROUTER_MAC;
	memcpy(ext + 2, mac, 6);
}

void bgp_ext_default_gw(uint8_t ext[8])
{
	ext_put(ext, BGP_EXT_TYPE_OPAQUE, BGP_EXT_SUB_DEFAULT_GW, 0);
}

/* RFC 9047 3.1: type 0x06, sub-type 0x08, the flags octet, 5 reserved. */
void bgp_ext_nd(uint8_t ext[8], uint8_t flags)
{
	ext_put(ext, BGP_EXT_TYPE_EVPN, BGP_EXT_SUB_ND, (uint64_t)flags << 40);
}
