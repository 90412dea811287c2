/* bgp_msg_test_util.c - see bgp_msg_test_util.h. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "bgp_msg_test_util.h"
#include "bgp_test_util.h"

const struct bgp_parse_ctx ebgp4 = { .as4 = true, .ibgp = false };
const struct bgp_parse_ctx ibgp4 = { .as4 = true, .ibgp = true };
const struct bgp_parse_ctx ebgp2 = { .as4 = false, .ibgp = false };

uint8_t wire[8192], built[8192];
struct bgp_msg msg, msg2;
struct bgp_err perr;

size_t hex(const char *s, uint8_t *dst)
{
	size_t n = unhex(s, dst, 4096);

	ck_assert_msg(n != (size_t)-1, "bad hex in test: %s", s);
	return n;
}

int parse_hex(const char *s, const struct bgp_parse_ctx *ctx)
{
	size_t n = hex(s, wire);

	return bgp_msg_parse(wire, n, ctx, &msg, &perr);
}

size_t mk_update(const char *withdrawn, const char *attrs, const char *nlri)
{
	size_t wl, al, nl, len;

	wl = hex(withdrawn, wire + 21);
	al = hex(attrs, wire + 23 + wl);         /* after the 2-octet attribute length */
	nl = hex(nlri, wire + 23 + wl + al);
	len = 23 + wl + al + nl;
	memset(wire, 0xff, 16);
	wire[16] = (uint8_t)(len >> 8);
	wire[17] = (uint8_t)len;
	wire[18] = BGP_MSG_UPDATE;
	wire[19] = (uint8_t)(wl >> 8);
	wire[20] = (uint8_t)wl;
	wire[21 + wl] = (uint8_t)(al >> 8);
	wire[22 + wl] = (uint8_t)al;
	return len;
}

int parse_update(const char *attrs, const struct bgp_parse_ctx *ctx)
{
	size_t len = mk_update("", attrs, "");

	return bgp_msg_parse(wire, len, ctx, &msg, &perr);
}

void macip_fixture(struct bgp_attrs *a, struct evpn_route *rt, uint8_t ext[2][8])
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x11 };

	memset(a, 0, sizeof(*a));
	memset(rt, 0, sizeof(*rt));
	rt->type = EVPN_RT_MACIP;
	evpn_rd_make_ip(rt->rd, inet_addr("192.0.2.1"), 100);
	memcpy(rt->mac, mac, 6);
	rt->ip.len = 4;
	rt->ip.v4 = inet_addr("10.1.0.11");
	rt->n_labels = 1;
	rt->label[0] = 100;
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->origin = BGP_ORIGIN_IGP;
	ck_assert_int_eq(bgp_aspath_prepend(&a->aspath, 65001), 0);
	bgp_ext_rt_as2(ext[0], 65001, 100);
	bgp_ext_encap(ext[1], BGP_TUNNEL_VXLAN);
	a->ext = ext[0];
	a->n_ext = 2;
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &(uint32_t){ inet_addr("192.0.2.1") }, 4);
}

void assert_reset(uint8_t code, uint8_t subcode)
{
	ck_assert_msg(perr.action == BGP_ACT_RESET, "action %s (%s), want reset",
		      bgp_err_action_name(perr.action), perr.msg);
	ck_assert_msg(perr.code == code && perr.subcode == subcode,
		      "NOTIFICATION %u/%u (%s), want %u/%u", perr.code, perr.subcode,
		      perr.msg, code, subcode);
}

void assert_action(enum bgp_err_action act, uint8_t subcode)
{
	ck_assert_msg(perr.action == act, "action %s (%s), want %s",
		      bgp_err_action_name(perr.action), perr.msg, bgp_err_action_name(act));
	ck_assert_msg(perr.subcode == subcode, "subcode %u (%s), want %u",
		      perr.subcode, perr.msg, subcode);
}

void assert_all_withdrawn(unsigned n)
{
	ck_assert_uint_eq(msg.update.n_routes, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert(msg.update.routes[i].withdraw);
}
