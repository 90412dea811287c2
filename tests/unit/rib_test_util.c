/* rib_test_util.c - see rib_test_util.h. */
#include <check.h>
#include <string.h>

#include "addr.h"
#include "rib_test_util.h"

const char rt_test_json[] =
	"{ \"vtep\": {\"ip\": \"192.0.2.1\", \"uplink\": \"eth0\"},"
	"\"bgp\": {\"asn\": 65001, \"router_id\": \"192.0.2.1\","
	"  \"neighbors\": [{\"address\":\"198.51.100.1\",\"asn\":65000}],"
	"  \"dad\": {\"moves\": 5, \"window_s\": 180}},"
	"\"vnis\": ["
	" {\"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\"},"
	" {\"vni\": 200, \"subnet\": \"10.2.0.0/16\", \"gateway_ip\": \"10.2.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"65000:200\","
	"  \"flood\": true} ] }";

struct bgp_attrs rt_attrs;
uint8_t rt_ext[8][8];

void rt_load_config(const char *json, struct vtep_config *c)
{
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(json, c, err) == 0, "config: %s", err);
}

struct bgp_attrs *rt_mkattrs(const char *vtep, const char *rt, bool mm, uint32_t seq, bool sticky)
{
	struct bgp_attrs *a = &rt_attrs;
	uint16_t n = 0;
	uint32_t nh = mt_ip(vtep);

	memset(a, 0, sizeof(*a));
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI) | BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->mp_reach.afi = EVPN_AFI;
	a->mp_reach.safi = EVPN_SAFI;
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &nh, 4);
	if (rt)
		ck_assert_int_eq(config_parse_rt(rt, rt_ext[n++]), 0);
	bgp_ext_encap(rt_ext[n++], BGP_TUNNEL_VXLAN);
	a->evpn.encap_types = 1u << BGP_TUNNEL_VXLAN;
	if (mm) {
		bgp_ext_mac_mobility(rt_ext[n++], seq, sticky);
		a->evpn.mac_mobility = true;
		a->evpn.mm_seq = seq;
		a->evpn.mm_sticky = sticky;
	}
	a->ext = &rt_ext[0][0];
	a->n_ext = n;
	a->evpn.n_rt = rt ? 1 : 0;
	return a;
}

void rt_attrs_nd(uint8_t flags)
{
	struct bgp_attrs *a = &rt_attrs;

	bgp_ext_nd(rt_ext[a->n_ext++], flags);
	a->evpn.has_nd = true;
	a->evpn.nd_flags = flags;
}

void rt_attrs_rmac(const char *mac)
{
	struct bgp_attrs *a = &rt_attrs;

	mt_mac(mac, a->evpn.router_mac);
	bgp_ext_router_mac(rt_ext[a->n_ext++], a->evpn.router_mac);
	a->evpn.has_router_mac = true;
}

struct evpn_route rt_macip(const char *rd_ip, const char *mac, const char *ip, uint32_t label)
{
	struct evpn_route r;

	memset(&r, 0, sizeof(r));
	r.type = EVPN_RT_MACIP;
	evpn_rd_make_ip(r.rd, mt_ip(rd_ip), 100);
	mt_mac(mac, r.mac);
	if (ip && strchr(ip, ':')) {
		r.ip.len = 16;
		mt_ip6(ip, r.ip.v6);
	} else if (ip) {
		r.ip.len = 4;
		r.ip.v4 = mt_ip(ip);
	}
	r.n_labels = 1;
	r.label[0] = label;
	return r;
}

struct evpn_route rt_prefix(const char *rd_ip, const char *prefix, uint8_t len, uint32_t label)
{
	struct evpn_route r;

	memset(&r, 0, sizeof(r));
	r.type = EVPN_RT_PREFIX;
	evpn_rd_make_ip(r.rd, mt_ip(rd_ip), 100);
	if (strchr(prefix, ':')) {
		r.ip.len = 16;
		mt_ip6(prefix, r.ip.v6);
		r.gw.len = 16;
	} else {
		r.ip.len = 4;
		r.ip.v4 = mt_ip(prefix);
		r.gw.len = 4;
	}
	r.prefix_len = len;
	r.n_labels = 1;
	r.label[0] = label;
	return r;
}

struct evpn_route rt_imet(const char *orig)
{
	struct evpn_route r;

	memset(&r, 0, sizeof(r));
	r.type = EVPN_RT_IMET;
	evpn_rd_make_ip(r.rd, mt_ip(orig), 100);
	r.ip.len = 4;
	r.ip.v4 = mt_ip(orig);
	return r;
}

struct vtep_port rt_port(const char *ip, const char *ip6, const char *mac, const char *ifname)
{
	struct vtep_port p;

	memset(&p, 0, sizeof(p));
	p.vni = 100;
	if (ip)
		p.ip = mt_ip(ip);
	if (ip6)
		mt_ip6(ip6, p.ip6);
	mt_mac(mac, p.mac);
	strncpy(p.ifname, ifname, sizeof(p.ifname) - 1);
	return p;
}
