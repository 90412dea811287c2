/* config6.c - the IPv6 keys of the configuration (config.h): a VNI's
 * subnet6, gateway_ip6 and slaac, a port's ip6 and ip6_ll, routes whose
 * prefix is IPv6, and the helpers the rest of the module and its users
 * need for either family (route keys, prefixes as text, link-local
 * addresses). config.c and config_entry.c call in here after the IPv4 keys
 * of the same object, so the first error in a file stays the same one.
 *
 * The address rules (RFC 4291):
 *   subnet6      a unicast prefix: not within ::/8's unspecified and
 *                loopback addresses, multicast ff00::/8 (2.7), link-local
 *                fe80::/10 (2.5.6) or IPv4-mapped ::ffff:0:0/96 (2.5.5.2);
 *                LEN 1..127 without host bits
 *   gateway_ip6  inside subnet6, not its Subnet-Router anycast address
 *                (2.6.1: the prefix with a zero interface identifier)
 *   slaac        needs a /64: a SLAAC address is the prefix and a 64-bit
 *                interface identifier (RFC 4862 5.5.3, RFC 4291 2.5.1)
 *   ip6          like gateway_ip6, and not gateway_ip6
 *   ip6_ll       in fe80::/64 (2.5.6: 54 zero bits after fe80::/10), not
 *                the Subnet-Router anycast fe80::, not the gateway's own
 *                link-local address; left out, it is derived from the
 *                port's MAC (modified EUI-64, 2.5.1 and appendix A)
 *   routes       an IPv6 prefix needs a VNI with subnet6 (the datapath
 *                handles IPv6 only there); a /128 is a host address (not
 *                ::, ::1, multicast, link-local or IPv4-mapped), not
 *                gateway_ip6; a shorter prefix is neither multicast nor
 *                link-local
 */
#include "config.h"
#include "config_priv.h"
#include "addr6.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

_Static_assert(CFG_ADDR_STRLEN >= ADDR6_PREFIX_STRLEN, "CFG_ADDR_STRLEN holds an IPv6 prefix");
_Static_assert(CFG_ADDR_STRLEN >= ADDR_PREFIX_STRLEN, "CFG_ADDR_STRLEN holds an IPv4 prefix");

static const uint8_t ll_net[16] = { 0xfe, 0x80 };

/* ---- helpers for either family ---------------------------------------------------- */

const char *config_route_fmt_prefix(const struct cfg_route *r, char buf[CFG_ADDR_STRLEN])
{
	if (r->v6)
		return addr6_fmt_prefix(r->prefix6, r->prefixlen, buf);
	return addr_fmt_prefix(r->prefix, r->prefixlen, buf);
}

int config_route_parse_prefix(const char *s, struct cfg_route *r)
{
	uint8_t a[16], len;
	uint32_t ip;

	if (addr6_is_text6(s)) {
		if (addr6_parse_prefix(s, a, &len, 0))
			return -EINVAL;
		r->v6 = true;
		r->prefix = 0;
		memcpy(r->prefix6, a, 16);
		r->prefixlen = len;
		return 0;
	}
	if (addr_parse_prefix(s, &ip, &len, 0))
		return -EINVAL;
	r->v6 = false;
	r->prefix = ip;
	memset(r->prefix6, 0, 16);
	r->prefixlen = len;
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int config_route_cmp_key(const struct cfg_route *a, const struct cfg_route *b)
{
	int c = cmp_u32(a->vni, b->vni);

	if (!c)
		c = cmp_u32(a->v6, b->v6);
	if (!c)
		c = a->v6 ? memcmp(a->prefix6, b->prefix6, 16)
			  : cmp_u32(ntohl(a->prefix), ntohl(b->prefix));
	if (!c)
		c = cmp_u32(a->prefixlen, b->prefixlen);
	return c;
}

bool config_route_same_key(const struct cfg_route *a, const struct cfg_route *b)
{
	return !config_route_cmp_key(a, b);
}

void config_port_ll(const struct cfg_port *p, const uint8_t *mac, uint8_t out[16])
{
	if (!addr6_is_zero(p->ip6_ll)) {
		memcpy(out, p->ip6_ll, 16);
		return;
	}
	if (!mac || addr_mac_is_zero(mac)) {
		memset(out, 0, 16);
		return;
	}
	addr6_ll_from_mac(mac, out);
}

void config_vni_gateway_ll(const struct cfg_vni *v, uint8_t out[16])
{
	addr6_ll_from_mac(v->gateway_mac, out);
}

/* ---- vnis[] ------------------------------------------------------------------------- */

/* An IPv6 unicast prefix (see the top). */
static bool unicast_net(const uint8_t net[16])
{
	return !addr6_is_zero(net) && !addr6_is_multicast(net) && !addr6_is_link_local(net) &&
	       !addr6_is_v4mapped(net) && !addr6_is_loopback(net);
}

int config_parse_vni6(struct json_object *o, const char *path, struct cfg_vni *vn, char *err)
{
	char p[JV_PATH_LEN], buf[ADDR6_PREFIX_STRLEN];
	struct json_object *v;
	uint8_t net[16], len = 0;
	int ret;

	if (jv_get(o, "subnet6", &v)) {
		jv_key(p, path, "subnet6");
		if (!jv_cstr(v) || !strchr(jv_cstr(v), '/') ||
		    addr6_parse_prefix(jv_cstr(v), net, &len, 1) || len < 1 || len > 127)
			return jv_fail_got(err, p, v,
					   "expected an IPv6 subnet X::/LEN with LEN 1..127");
		if (addr6_has_host_bits(net, len)) {
			addr6_mask(net, net, len);
			return jv_fail_got(err, p, v, "expected a subnet without host bits (%s)",
					   addr6_fmt_prefix(net, len, buf));
		}
		if (!unicast_net(net))
			return jv_fail_got(err, p, v, "expected a unicast subnet (not ::, ::1, "
					   "multicast ff00::/8, link-local fe80::/10 or "
					   "IPv4-mapped ::ffff:0:0/96)");
		memcpy(vn->subnet6, net, 16);
		vn->prefixlen6 = len;
	}
	addr6_fmt_prefix(vn->subnet6, vn->prefixlen6, buf);
	if (jv_get(o, "gateway_ip6", &v)) {
		jv_key(p, path, "gateway_ip6");
		ret = jv_ip6(v, p, vn->gateway_ip6, err);
		if (ret)
			return ret;
		if (!vn->prefixlen6)
			return jv_fail(err, p, "needs subnet6");
		if (!addr6_in_subnet(vn->gateway_ip6, vn->subnet6, vn->prefixlen6))
			return jv_fail_got(err, p, v, "expected an address inside the subnet6 %s",
					   buf);
		if (!addr6_has_host_bits(vn->gateway_ip6, vn->prefixlen6))
			return jv_fail_got(err, p, v, "expected a host address of %s, not its "
					   "Subnet-Router anycast address (RFC 4291 2.6.1)", buf);
	}
	if (jv_get(o, "slaac", &v)) {
		jv_key(p, path, "slaac");
		ret = jv_bool(v, p, &vn->slaac, err);
		if (ret)
			return ret;
		if (vn->slaac && !vn->prefixlen6)
			return jv_fail(err, p, "needs subnet6");
		if (vn->slaac && vn->prefixlen6 != 64)
			return jv_fail(err, p, "needs a /64 subnet6, got %s: SLAAC forms an address "
				       "from the prefix and a 64-bit interface identifier "
				       "(RFC 4862 5.5.3, RFC 4291 2.5.1)", buf);
	}
	return 0;
}

/* ---- ports[] ------------------------------------------------------------------------ */

int config_port6_from_json(struct json_object *o, const char *path, struct cfg_port *pt,
			   char *err)
{
	struct json_object *v;
	char p[JV_PATH_LEN];
	int ret;

	if (jv_get(o, "ip6", &v) && (ret = jv_ip6(v, jv_key(p, path, "ip6"), pt->ip6, err)))
		return ret;
	if (jv_get(o, "ip6_ll", &v) &&
	    (ret = jv_ip6(v, jv_key(p, path, "ip6_ll"), pt->ip6_ll, err)))
		return ret;
	return 0;
}

int config_check_port6(const struct cfg_vni *vn, const struct cfg_port *pt, const char *path,
		       char *err)
{
	char p[JV_PATH_LEN], a[ADDR6_STRLEN], net[ADDR6_PREFIX_STRLEN];
	uint8_t gw_ll[16];

	if (!pt->ip && addr6_is_zero(pt->ip6))
		return jv_fail(err, jv_key(p, path, "ip"), "required (or ip6)");
	if (addr6_is_zero(pt->ip6)) {
		if (!addr6_is_zero(pt->ip6_ll))
			return jv_fail(err, jv_key(p, path, "ip6_ll"), "needs ip6");
		return 0;
	}
	jv_key(p, path, "ip6");
	addr6_fmt(pt->ip6, a);
	if (!vn->prefixlen6)
		return jv_fail(err, p, "VNI %u has no subnet6", vn->vni);
	addr6_fmt_prefix(vn->subnet6, vn->prefixlen6, net);
	if (!addr6_in_subnet(pt->ip6, vn->subnet6, vn->prefixlen6))
		return jv_fail(err, p, "%s is outside VNI %u's subnet6 %s", a, vn->vni, net);
	if (!memcmp(pt->ip6, vn->gateway_ip6, 16))
		return jv_fail(err, p, "%s is VNI %u's gateway_ip6", a, vn->vni);
	if (!addr6_has_host_bits(pt->ip6, vn->prefixlen6))
		return jv_fail(err, p, "%s is the Subnet-Router anycast address of %s "
			       "(RFC 4291 2.6.1)", a, net);
	if (addr6_is_zero(pt->ip6_ll))
		return 0;
	jv_key(p, path, "ip6_ll");
	addr6_fmt(pt->ip6_ll, a);
	if (!addr6_in_subnet(pt->ip6_ll, ll_net, 64) || !addr6_has_host_bits(pt->ip6_ll, 64))
		return jv_fail(err, p, "expected a link-local address in fe80::/64 (RFC 4291 "
			       "2.5.6), got %s", a);
	config_vni_gateway_ll(vn, gw_ll);
	if (!memcmp(pt->ip6_ll, gw_ll, 16))
		return jv_fail(err, p, "%s is VNI %u's gateway link-local address (the EUI-64 of "
			       "its gateway_mac)", a, vn->vni);
	return 0;
}

/* ---- routes[] ----------------------------------------------------------------------- */

int config_check_route6(const struct cfg_vni *vn, const struct cfg_route *r, const char *path,
			char *err)
{
	char p[JV_PATH_LEN], pfx[ADDR6_PREFIX_STRLEN];

	jv_key(p, path, "prefix");
	if (r->prefixlen > 128 || addr6_has_host_bits(r->prefix6, r->prefixlen))
		return jv_fail(err, p, "expected a prefix without host bits");
	addr6_fmt_prefix(r->prefix6, r->prefixlen, pfx);
	if (!vn->prefixlen6)
		return jv_fail(err, p, "%s: VNI %u has no subnet6 (IPv6 routes need one)", pfx,
			       vn->vni);
	if (r->prefixlen == 128 && !addr6_is_host(r->prefix6))
		return jv_fail(err, p, "%s is not a unicast host address (not ::, ::1, multicast, "
			       "link-local or IPv4-mapped)", pfx);
	if (r->prefixlen < 128 && (addr6_is_multicast(r->prefix6) ||
				   (r->prefixlen >= 10 && addr6_is_link_local(r->prefix6))))
		return jv_fail(err, p, "%s is a multicast or link-local prefix", pfx);
	if (r->prefixlen == 128 && !memcmp(r->prefix6, vn->gateway_ip6, 16))
		return jv_fail(err, p, "%s is VNI %u's gateway_ip6", pfx, vn->vni);
	return 0;
}
