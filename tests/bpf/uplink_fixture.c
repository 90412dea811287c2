/* uplink_fixture.c - see uplink_fixture.h. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "uplink_fixture.h"

struct harness h;
struct uplink_xdp_bpf *xskel;
struct uplink_tc_bpf *tskel;
int xgen;
uint32_t xlinear;
int if_up, if_w1, if_w2;

/* ---------------------------------------------------------------- fixture */

static void global_set(void)
{
	struct vtep_global g = {
		.vtep_ip = pkt_ip(VTEP_IP),
		.layout_version = VTEP_LAYOUT_VERSION,
		.vxlan_port = htons(VTEP_VXLAN_PORT),
	};
	uint32_t zero = 0;

	ck_assert_int_eq(harness_map_update(&h, HM_GLOBAL, &zero, &g), 0);
}

static void vni_add(uint32_t vni, const char *subnet, const char *gw, const uint8_t *gw_mac)
{
	struct vtep_vni v = { .subnet = pkt_ip(subnet), .gateway_ip = pkt_ip(gw), .prefixlen = 16 };

	memcpy(v.gateway_mac, gw_mac, 6);
	ck_assert_int_eq(harness_vni_add(&h, vni, &v), 0);
}

static void local_port(int ifindex, const char *ifname, uint32_t vni, const char *ip,
		       const uint8_t *mac)
{
	struct vtep_port port = { .vni = vni, .ip = pkt_ip(ip) };
	struct vtep_route rt = { .vtep = 0, .ifindex = (uint32_t)ifindex, .source = VTEP_SRC_LOCAL };
	struct vtep_fdb f = { .vtep = 0, .ifindex = (uint32_t)ifindex, .source = VTEP_SRC_LOCAL };

	memcpy(port.mac, mac, 6);
	snprintf(port.ifname, sizeof(port.ifname), "%s", ifname);
	memcpy(rt.mac, mac, 6);
	ck_assert_int_eq(harness_port_add(&h, (uint32_t)ifindex, &port), 0);
	ck_assert_int_eq(harness_route_add(&h, vni, pkt_ip(ip), &rt), 0);
	ck_assert_int_eq(harness_fdb_add(&h, vni, mac, &f), 0);
}

static void route6_add(uint32_t vni, const char *ip, const struct vtep_route *rt)
{
	struct vtep_route6_key k = { .vni = vni };

	pkt_ip6(ip, k.ip);
	ck_assert_int_eq(harness_map_update(&h, HM_ROUTES6, &k, rt), 0);
}

/* with_xdp: load the XDP half too (the XDP tcases); the TC tcases load
 * only uplink_tc, so they run where the kernel refuses the XDP half. */
static void setup_maps(int with_xdp)
{
	struct vtep_route rt = { .source = VTEP_SRC_STATIC };
	struct vtep_fdb f = { .source = VTEP_SRC_STATIC };

	ck_assert_int_eq(harness_init(&h, HARNESS_NETNS), 0);
	/* No IPv6 chatter (router solicitations, DAD) on the test's links. */
	ck_assert_int_eq(harness_sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
				    "net.ipv6.conf.default.disable_ipv6=1"), 0);
	if (with_xdp) {
		xskel = uplink_xdp_bpf__open_opts(harness_open_opts(&h));
		ck_assert_ptr_nonnull(xskel);
		ck_assert_int_eq(uplink_xdp_bpf__load(xskel), 0);
	}
	tskel = uplink_tc_bpf__open_opts(harness_open_opts(&h));
	ck_assert_ptr_nonnull(tskel);
	ck_assert_int_eq(uplink_tc_bpf__load(tskel), 0);
	ck_assert_int_eq(harness_maps_open(&h), 0);

	if_up = harness_veth(&h, UPLINK, UPLINK_PEER);
	if_w1 = harness_veth(&h, W1, W1_PEER);
	if_w2 = harness_veth(&h, W2, W2_PEER);
	ck_assert_int_gt(if_up, 0);
	ck_assert_int_gt(if_w1, 0);
	ck_assert_int_gt(if_w2, 0);

	global_set();
	ck_assert_int_eq(harness_remote_add(&h, pkt_ip(REMOTE_IP)), 0);
	vni_add(100, "10.1.0.0", "10.1.255.254", GW1_MAC);
	vni_add(200, "10.2.0.0", "10.2.255.254", GW2_MAC);
	local_port(if_w1, W1, 100, W1_IP, W1_MAC);
	local_port(if_w2, W2, 200, W2_IP, W2_MAC);

	/* A remote workload of VNI 100: known, but not ours to deliver. Its
	 * entries keep the ifindex of a local port of the same VNI (as if it
	 * had moved away from there): vtep != 0 alone must keep it remote. */
	rt.vtep = pkt_ip(REMOTE_IP);
	rt.ifindex = (uint32_t)if_w1;
	memcpy(rt.mac, R_MAC, 6);
	ck_assert_int_eq(harness_route_add(&h, 100, pkt_ip(R_IP), &rt), 0);
	f.vtep = pkt_ip(REMOTE_IP);
	f.ifindex = (uint32_t)if_w1;
	ck_assert_int_eq(harness_fdb_add(&h, 100, R_MAC, &f), 0);

	/* Wrong entries of VNI 100 naming VNI 200's port: the programs must
	 * check the port's VNI themselves. */
	rt.vtep = 0;
	rt.ifindex = (uint32_t)if_w2;
	memcpy(rt.mac, W2_MAC, 6);
	ck_assert_int_eq(harness_route_add(&h, 100, pkt_ip(GHOST_IP), &rt), 0);
	f.vtep = 0;
	f.ifindex = (uint32_t)if_w2;
	ck_assert_int_eq(harness_fdb_add(&h, 100, STRAY_MAC, &f), 0);

	/* IPv6: W1's address, a remote workload's, and a wrong one into VNI
	 * 200's port, as for IPv4. */
	rt = (struct vtep_route){ .ifindex = (uint32_t)if_w1, .source = VTEP_SRC_LOCAL };
	memcpy(rt.mac, W1_MAC, 6);
	route6_add(100, W1_IP6, &rt);
	rt = (struct vtep_route){ .vtep = pkt_ip(REMOTE_IP), .ifindex = (uint32_t)if_w1,
				  .source = VTEP_SRC_STATIC };
	memcpy(rt.mac, R_MAC, 6);
	route6_add(100, R_IP6, &rt);
	rt = (struct vtep_route){ .ifindex = (uint32_t)if_w2, .source = VTEP_SRC_STATIC };
	memcpy(rt.mac, W2_MAC, 6);
	route6_add(100, GHOST_IP6, &rt);
}

static void setup(void)
{
	setup_maps(1);
}

static void setup_tc(void)
{
	setup_maps(0);
}

static void setup_gen(void)
{
	setup_maps(1);
	xgen = 1;
}

static void teardown(void)
{
	uplink_tc_bpf__destroy(tskel);
	uplink_xdp_bpf__destroy(xskel);
	tskel = NULL;
	xskel = NULL;
	harness_fini(&h);
}

TCase *uplink_tcase(const char *name, enum uplink_fixture f)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, f == UPLINK_TC ? setup_tc : f == UPLINK_GEN ? setup_gen : setup,
				  teardown);
	return tc;
}

/* ------------------------------------------------------- packet builders */

void put_outer(struct pkt *p, const struct outer *o)
{
	pkt_eth(p, UPLINK_MAC, LEAF_MAC, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){
		.saddr = pkt_ip(o->saddr ? o->saddr : REMOTE_IP),
		.daddr = pkt_ip(o->daddr ? o->daddr : VTEP_IP),
		.proto = IPPROTO_UDP, .df = !o->mf && !o->frag_off,
		.opts = o->opts, .optlen = o->optlen, .mf = o->mf, .frag_off = o->frag_off });
	pkt_udp(p, 51234, o->dport ? o->dport : VTEP_VXLAN_PORT);
	pkt_vxlan(p, o->vni ? o->vni : 100);
}

static void put_inner_udp(struct pkt *p, const uint8_t *dst, const uint8_t *src,
			  const char *saddr, const char *daddr)
{
	pkt_eth(p, dst, src, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(saddr), .daddr = pkt_ip(daddr),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(p, 1000, 2000);
	pkt_pattern(p, 40);
}

static void put_inner_arp(struct pkt *p, const uint8_t *dst, uint16_t op, const char *tpa)
{
	pkt_eth(p, dst, R_MAC, ETH_P_ARP);
	pkt_arp(p, op, R_MAC, pkt_ip(R_IP), op == 1 ? PKT_MAC_ZERO : dst, pkt_ip(tpa));
}

/* The answer to an inner ARP request from R (R_MAC, spa) via REMOTE_IP for
 * W1: what must leave the uplink, byte for byte (decap_arp.h's layout). */
static void put_arp_answer(struct pkt *p, uint16_t sport, const char *spa)
{
	pkt_eth(p, LEAF_MAC, UPLINK_MAC, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(VTEP_IP), .daddr = pkt_ip(REMOTE_IP),
				       .proto = IPPROTO_UDP, .ttl = 64, .df = 1, .id = 0 });
	pkt_udp(p, sport, VTEP_VXLAN_PORT);
	pkt_vxlan(p, 100);
	pkt_eth(p, R_MAC, W1_MAC, ETH_P_ARP);
	pkt_arp(p, 2, W1_MAC, pkt_ip(W1_IP), R_MAC, pkt_ip(spa));
}

void w_arp_answer(struct pkt *p)
{
	put_arp_answer(p, 51234, R_IP);
}

static void w_arp_answer_probe(struct pkt *p)
{
	put_arp_answer(p, 51234, "0.0.0.0");
}

static void w_arp_answer_sport0(struct pkt *p)
{
	put_arp_answer(p, 49152, R_IP);
}

static uint8_t *vxlan_hdr(struct pkt *p)
{
	return p->buf + pkt_off(p, PKT_VXLAN, 0);
}

static void vx_to(struct pkt *p, const struct outer *o, const uint8_t *dst, const char *daddr)
{
	put_outer(p, o);
	put_inner_udp(p, dst, R_MAC, R_IP, daddr);
}

void b_mac(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, W1_MAC, W1_IP);
}

void b_gw(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, GW1_MAC, W1_IP);
}

void b_arp_req(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, PKT_MAC_BCAST, 1, W1_IP);
}

void b_arp_reply(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, W1_MAC, 2, W1_IP);
}

static void b_arp_req_opts(struct pkt *p)
{
	static const uint8_t nops[8] = { 1, 1, 1, 1, 1, 1, 1, 0 }; /* NOPs, EOL */

	put_outer(p, &(struct outer){ .opts = nops, .optlen = sizeof(nops) });
	put_inner_arp(p, PKT_MAC_BCAST, 1, W1_IP);
}

/* The inner frame padded to the Ethernet minimum (a sender that put the
 * ARP on a wire first) */
static void b_arp_req_padded(struct pkt *p)
{
	b_arp_req(p);
	pkt_put(p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 18);
}

static void b_arp_probe(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, PKT_MAC_BCAST, R_MAC, ETH_P_ARP);
	pkt_arp(p, 1, R_MAC, 0, PKT_MAC_ZERO, pkt_ip(W1_IP));
}

static void b_arp_announce(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, PKT_MAC_BCAST, R_MAC, ETH_P_ARP);
	pkt_arp(p, 1, R_MAC, pkt_ip(W1_IP), PKT_MAC_ZERO, pkt_ip(W1_IP));
}

static void b_arp_req_mcast_src(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, PKT_MAC_BCAST, PKT_MAC(0x03, 0, 0, 0, 0, 0x21), ETH_P_ARP);
	pkt_arp(p, 1, R_MAC, pkt_ip(R_IP), PKT_MAC_ZERO, pkt_ip(W1_IP));
}

static void b_arp_req_w2(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, PKT_MAC_BCAST, 1, W2_IP);
}

static void x_sport0(struct pkt *p)
{
	uint8_t *udp = p->buf + pkt_off(p, PKT_UDP, 0);

	udp[0] = 0;
	udp[1] = 0;
}

static void b_opts(struct pkt *p)
{
	static const uint8_t nops[8] = { 1, 1, 1, 1, 1, 1, 1, 0 }; /* NOPs, EOL */

	vx_to(p, &(struct outer){ .opts = nops, .optlen = sizeof(nops) }, W1_MAC, W1_IP);
}

/* The largest outer header (IPv4 ihl 15): the inner Ethernet header at its
 * largest offset, 90 (tc mode reads it in place, uplink_tc_inner_eth). */
static const uint8_t nops40[40] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };

static void b_opts_max(struct pkt *p)
{
	vx_to(p, &(struct outer){ .opts = nops40, .optlen = sizeof(nops40) }, W1_MAC, W1_IP);
}

static void b_opts_max_gw(struct pkt *p)
{
	vx_to(p, &(struct outer){ .opts = nops40, .optlen = sizeof(nops40) }, GW1_MAC, W1_IP);
}

/* Patches, applied after pkt_finish() (which would repair them). */
static void x_reserved(struct pkt *p)
{
	memset(vxlan_hdr(p), 0xff, 4); /* flags 0xff and reserved bits set */
	vxlan_hdr(p)[7] = 0xff;
}

static void x_trailer(struct pkt *p)
{
	pkt_put(p, "\xde\xad\xbe\xef\x00\x01", 6); /* after the IPv4 total length */
}

static void x_no_i(struct pkt *p)
{
	vxlan_hdr(p)[0] = 0;
}

static void x_short_udp(struct pkt *p)
{
	uint8_t *udp = p->buf + pkt_off(p, PKT_UDP, 0);

	udp[4] = 0; /* UDP length 8 + 8 + 10: not even an inner Ethernet header */
	udp[5] = 26;
}

static void x_long_ip(struct pkt *p)
{
	uint8_t *ip = p->buf + pkt_off(p, PKT_IPV4, 0);

	ip[3] += 10; /* total length beyond the frame (checksum not rechecked) */
}

static void b_vni200(struct pkt *p)
{
	vx_to(p, &(struct outer){ .vni = 200 }, W2_MAC, W2_IP);
}

static void b_stranger(struct pkt *p)
{
	vx_to(p, &(struct outer){ .saddr = STRANGER_IP }, W1_MAC, W1_IP);
}

static void b_vni300(struct pkt *p)
{
	vx_to(p, &(struct outer){ .vni = 300 }, W1_MAC, W1_IP);
}

static void b_other_dst(struct pkt *p)
{
	vx_to(p, &(struct outer){ .daddr = OTHER_IP }, W1_MAC, W1_IP);
}

static void b_first_frag(struct pkt *p)
{
	vx_to(p, &(struct outer){ .mf = 1 }, W1_MAC, W1_IP);
}

static void b_arp_unknown(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, PKT_MAC_BCAST, 1, UNKNOWN_IP);
}

static void b_arp_remote(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, PKT_MAC_BCAST, 1, R_IP);
}

static void b_arp_other_vni(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, PKT_MAC_BCAST, 1, GHOST_IP);
}

static void b_unknown_mac(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, UNKNOWN_MAC, W1_IP);
}

static void b_remote_mac(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, R_MAC, R_IP);
}

static void b_w2_mac(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, W2_MAC, W2_IP);
}

static void b_stray_mac(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, STRAY_MAC, W1_IP);
}

static void b_gw_ghost(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, GW1_MAC, GHOST_IP);
}

static void b_gw_remote(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, GW1_MAC, R_IP);
}

static void b_gw_unknown(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, GW1_MAC, UNKNOWN_IP);
}

static void b_gw_w2(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, GW1_MAC, W2_IP);
}

static void b_bcast(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, PKT_MAC_BCAST, W1_IP);
}

/* 60 bytes of pattern behind ethertype 0x86dd: IPv6 version 0. */
static void b_inner_v6_garbage(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, W1_MAC, R_MAC, ETH_P_IPV6);
	pkt_pattern(p, 60);
}

static void put_inner_ip6(struct pkt *p, const uint8_t *dst, const uint8_t *src,
			  const char *saddr, const char *daddr, uint8_t nh, uint8_t hlim)
{
	struct pkt_ip6 ip = { .nexthdr = nh, .hlim = hlim };

	pkt_ip6(saddr, ip.saddr);
	pkt_ip6(daddr, ip.daddr);
	pkt_eth(p, dst, src, ETH_P_IPV6);
	pkt_ipv6(p, &ip);
}

static void vx6_to(struct pkt *p, const uint8_t *dst, const char *daddr)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_ip6(p, dst, R_MAC, R_IP6, daddr, IPPROTO_UDP, 64);
	pkt_udp(p, 1000, 2000);
	pkt_pattern(p, 40);
}

void b6_mac(struct pkt *p) { vx6_to(p, W1_MAC, W1_IP6); }
static void b6_gw(struct pkt *p) { vx6_to(p, GW1_MAC, W1_IP6); }
static void b6_gw_remote(struct pkt *p) { vx6_to(p, GW1_MAC, R_IP6); }
static void b6_gw_ghost(struct pkt *p) { vx6_to(p, GW1_MAC, GHOST_IP6); }
static void b6_mcast(struct pkt *p) { vx6_to(p, PKT_MAC(0x33, 0x33, 0, 0, 0, 1), "ff02::1"); }

/* An inner NS from R for target: to its solicited-node address (DAD: from
 * ::), hop limit hlim, R's SLLAO unless DAD. */
static void put_inner_ns(struct pkt *p, const char *target, int dad, uint8_t hlim)
{
	uint8_t t[16], sn[16], mac[6] = { 0x33, 0x33, 0xff };
	struct pkt_ip6 ip = { .nexthdr = 58, .hlim = hlim };

	pkt_ip6(target, t);
	pkt_ip6("ff02::1:ff00:0", sn);
	memcpy(sn + 13, t + 13, 3);
	memcpy(mac + 3, t + 13, 3);
	pkt_ip6(dad ? "::" : R_IP6, ip.saddr);
	memcpy(ip.daddr, sn, 16);
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, mac, R_MAC, ETH_P_IPV6);
	pkt_ipv6(p, &ip);
	pkt_icmp6(p, 135, 0, 0);
	pkt_nd_target(p, t);
	if (!dad)
		pkt_nd_lla(p, 1, R_MAC);
}

void b_ns(struct pkt *p) { put_inner_ns(p, W1_IP6, 0, 255); }
static void b_ns_dad(struct pkt *p) { put_inner_ns(p, W1_IP6, 1, 255); }
static void b_ns_unknown(struct pkt *p) { put_inner_ns(p, UNKNOWN_IP6, 0, 255); }
static void b_ns_remote(struct pkt *p) { put_inner_ns(p, R_IP6, 0, 255); }
static void b_ns_ghost(struct pkt *p) { put_inner_ns(p, GHOST_IP6, 0, 255); }
static void b_ns_hoplimit(struct pkt *p) { put_inner_ns(p, W1_IP6, 0, 64); }

static void x_ns_csum(struct pkt *p)
{
	p->buf[pkt_off(p, PKT_ICMP6, 0) + 2] ^= 0x5a;
}

/* The answer to b_ns (or b_ns_dad): W1's NA in VXLAN back to REMOTE_IP. */
static void put_na_answer(struct pkt *p, int dad)
{
	struct pkt_ip6 ip = { .nexthdr = 58, .hlim = 255 };
	uint8_t t[16];

	pkt_ip6(W1_IP6, t);
	memcpy(ip.saddr, t, 16);
	pkt_ip6(dad ? "ff02::1" : R_IP6, ip.daddr);
	pkt_eth(p, LEAF_MAC, UPLINK_MAC, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(VTEP_IP), .daddr = pkt_ip(REMOTE_IP),
				       .proto = IPPROTO_UDP, .ttl = 64, .df = 1, .id = 0 });
	pkt_udp(p, 51234, VTEP_VXLAN_PORT);
	pkt_vxlan(p, 100);
	pkt_eth(p, dad ? PKT_MAC(0x33, 0x33, 0, 0, 0, 1) : R_MAC, W1_MAC, ETH_P_IPV6);
	pkt_ipv6(p, &ip);
	/* S (not for DAD) and O; W1 is no router */
	pkt_icmp6(p, 136, 0, dad ? 0x20000000u : 0x60000000u);
	pkt_nd_target(p, t);
	pkt_nd_lla(p, 2, W1_MAC);
}

void w_na_answer(struct pkt *p) { put_na_answer(p, 0); }
static void w_na_answer_dad(struct pkt *p) { put_na_answer(p, 1); }

static void b_inner_vlan(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, W1_MAC, R_MAC, ETH_P_8021Q);
	pkt_vlan(p, 10, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(R_IP), .daddr = pkt_ip(W1_IP),
				       .proto = IPPROTO_UDP });
	pkt_udp(p, 1000, 2000);
}

static void b_later_frag(struct pkt *p)
{
	/* A non-first fragment whose payload happens to look like VXLAN. */
	vx_to(p, &(struct outer){ .frag_off = 185 }, W1_MAC, W1_IP);
}

static void b_port_8472(struct pkt *p)
{
	vx_to(p, &(struct outer){ .dport = 8472 }, W1_MAC, W1_IP);
}

static void b_dns(struct pkt *p)
{
	pkt_eth(p, UPLINK_MAC, LEAF_MAC, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(REMOTE_IP), .daddr = pkt_ip(VTEP_IP),
				       .proto = IPPROTO_UDP });
	pkt_udp(p, 40000, 53);
	pkt_pattern(p, 30);
}

static void b_bgp(struct pkt *p)
{
	pkt_eth(p, UPLINK_MAC, LEAF_MAC, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(REMOTE_IP), .daddr = pkt_ip(VTEP_IP),
				       .proto = IPPROTO_TCP, .df = 1 });
	pkt_tcp(p, 40000, 179, 1, PKT_TCP_SYN);
}

static void b_arp_uplink(struct pkt *p)
{
	pkt_eth(p, PKT_MAC_BCAST, LEAF_MAC, ETH_P_ARP);
	pkt_arp(p, 1, LEAF_MAC, pkt_ip("198.51.100.1"), PKT_MAC_ZERO, pkt_ip("198.51.100.2"));
}

static void b_ipv6(struct pkt *p)
{
	/* IPv6 + UDP to 4789: the uplink only knows IPv4 underlays. */
	static const uint8_t v6[40] = {
		0x60, 0, 0, 0, 0, 16, 17, 64,
		0x20, 0x01, 0x0d, 0xb8, [23] = 2, 0x20, 0x01, 0x0d, 0xb8, [39] = 1,
	};

	pkt_eth(p, UPLINK_MAC, LEAF_MAC, ETH_P_IPV6);
	pkt_put(p, v6, sizeof(v6));
	pkt_put(p, "\xc8\x22\x12\xb5\x00\x10\x00\x00\x08\x00\x00\x00\x00\x00\x64\x00", 16);
}

void b_outer_vlan(struct pkt *p)
{
	pkt_eth(p, UPLINK_MAC, LEAF_MAC, ETH_P_8021Q);
	pkt_vlan(p, 20, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(REMOTE_IP), .daddr = pkt_ip(VTEP_IP),
				       .proto = IPPROTO_UDP });
	pkt_udp(p, 51234, VTEP_VXLAN_PORT);
	pkt_vxlan(p, 100);
	put_inner_udp(p, W1_MAC, R_MAC, R_IP, W1_IP);
}

void b_forged(struct pkt *p)
{
	/* What a decapsulated frame looks like, arriving natively. */
	put_inner_udp(p, W1_MAC, R_MAC, R_IP, W1_IP);
}

/* ------------------------------------------------------------ the table */

/* W1's port before vtepd learned its MAC ("mac": "auto"). */
static void prep_w1_unlearned(void)
{
	struct vtep_port port = { .vni = 100, .ip = pkt_ip(W1_IP), .flags = VTEP_PORT_F_MAC_AUTO };
	struct vtep_route rt = { .ifindex = (uint32_t)if_w1, .source = VTEP_SRC_LOCAL };

	snprintf(port.ifname, sizeof(port.ifname), "%s", W1);
	ck_assert_int_eq(harness_port_add(&h, (uint32_t)if_w1, &port), 0);
	ck_assert_int_eq(harness_route_add(&h, 100, pkt_ip(W1_IP), &rt), 0);
}

/* A local route with no MAC yet: the port's (learned) MAC answers. */
static void prep_w1_route_nomac(void)
{
	struct vtep_route rt = { .ifindex = (uint32_t)if_w1, .source = VTEP_SRC_LOCAL };

	ck_assert_int_eq(harness_route_add(&h, 100, pkt_ip(W1_IP), &rt), 0);
}

const struct ucase uplink_cases[] = {
	{ "inner frame to a workload MAC", b_mac, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "inner frame to the gateway MAC, routed by IP", b_gw, NULL,
	  O_DELIVER, NO_STAT, 1, W1_MAC, 0, NULL, NULL },
	{ "inner ARP request for a local workload", b_arp_req, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, NULL },
	{ "inner ARP request, outer IPv4 options", b_arp_req_opts, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, NULL },
	{ "inner ARP request, bytes after the outer IPv4 packet", b_arp_req, x_trailer,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, NULL },
	{ "inner ARP request, inner frame padded", b_arp_req_padded, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, NULL },
	{ "inner ARP request, UDP source port 0", b_arp_req, x_sport0,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer_sport0, NULL },
	{ "inner ARP probe (RFC 5227) for a local workload", b_arp_probe, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer_probe, NULL },
	{ "inner ARP request, local route without a MAC", b_arp_req, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, prep_w1_route_nomac },
	{ "inner ARP request for a workload whose MAC is unknown", b_arp_req, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, prep_w1_unlearned },
	{ "inner ARP announcement of a local workload's IP", b_arp_announce, NULL,
	  O_DROP, STAT(drop_vx_inner), 0, NULL, 0, NULL, NULL },
	{ "inner ARP request from a multicast MAC", b_arp_req_mcast_src, NULL,
	  O_DROP, STAT(drop_vx_inner), 0, NULL, 0, NULL, NULL },
	{ "inner ARP request for another VNI's workload", b_arp_req_w2, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner ARP reply to a local workload", b_arp_reply, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "outer IPv4 options", b_opts, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "outer IPv4 with 40 bytes of options", b_opts_max, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "outer IPv4 with 40 bytes of options, to the gateway MAC", b_opts_max_gw, NULL,
	  O_DELIVER, NO_STAT, 1, W1_MAC, 0, NULL, NULL },
	{ "VXLAN reserved bits set", b_mac, x_reserved,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "bytes after the outer IPv4 packet", b_mac, x_trailer,
	  O_DELIVER, NO_STAT, 1, NULL, 6, NULL, NULL },
	{ "VNI 200 to its own port", b_vni200, NULL,
	  O_DELIVER, NO_STAT, 2, NULL, 0, NULL, NULL },
	{ "from an unknown VTEP", b_stranger, NULL,
	  O_DROP, STAT(drop_vx_vtep), 0, NULL, 0, NULL, NULL },
	{ "for an unknown VNI", b_vni300, NULL,
	  O_DROP, STAT(drop_vx_vni), 0, NULL, 0, NULL, NULL },
	{ "to another destination IP", b_other_dst, NULL,
	  O_DROP, STAT(drop_vx_dst), 0, NULL, 0, NULL, NULL },
	{ "without the I flag", b_mac, x_no_i,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "first fragment", b_first_frag, NULL,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "UDP length too short", b_mac, x_short_udp,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "IPv4 total length beyond the frame", b_mac, x_long_ip,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "inner ARP request for an unknown IP", b_arp_unknown, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner ARP request for a remote host", b_arp_remote, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner ARP request routed to another VNI's port", b_arp_other_vni, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner frame for an unknown MAC", b_unknown_mac, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner frame for a remote MAC", b_remote_mac, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner frame for a port of another VNI", b_w2_mac, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "fdb entry naming another VNI's port", b_stray_mac, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "gateway MAC, route to another VNI's port", b_gw_ghost, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "gateway MAC, remote IP", b_gw_remote, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "gateway MAC, unknown IP", b_gw_unknown, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "gateway MAC, IP of another VNI", b_gw_w2, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner broadcast IPv4", b_bcast, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner IPv6 version 0", b_inner_v6_garbage, NULL,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "inner IPv6 to a workload MAC", b6_mac, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "inner IPv6 to the gateway MAC, routed by IPv6", b6_gw, NULL,
	  O_DELIVER, NO_STAT, 1, W1_MAC, 0, NULL, NULL },
	{ "inner IPv6, gateway MAC, remote IPv6", b6_gw_remote, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner IPv6, gateway MAC, route to another VNI's port", b6_gw_ghost, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner IPv6 multicast", b6_mcast, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner NS for a local workload", b_ns, NULL,
	  O_ARP_REPLY, STAT(nd_vx_reply), 0, NULL, 0, w_na_answer, NULL },
	{ "inner NS, bytes after the outer IPv4 packet", b_ns, x_trailer,
	  O_ARP_REPLY, STAT(nd_vx_reply), 0, NULL, 0, w_na_answer, NULL },
	{ "inner DAD NS for a local workload's address", b_ns_dad, NULL,
	  O_ARP_REPLY, STAT(nd_vx_reply), 0, NULL, 0, w_na_answer_dad, NULL },
	{ "inner NS for an unknown address", b_ns_unknown, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner NS for a remote workload", b_ns_remote, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner NS routed to another VNI's port", b_ns_ghost, NULL,
	  O_DROP, STAT(drop_vx_no_dest), 0, NULL, 0, NULL, NULL },
	{ "inner NS with hop limit 64", b_ns_hoplimit, NULL,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "inner NS with a bad checksum", b_ns, x_ns_csum,
	  O_DROP, STAT(drop_vx_malformed), 0, NULL, 0, NULL, NULL },
	{ "inner VLAN tag", b_inner_vlan, NULL,
	  O_DROP, STAT(drop_vx_inner), 0, NULL, 0, NULL, NULL },
	{ "non-first fragment", b_later_frag, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "VXLAN-like on UDP 8472", b_port_8472, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "non-VXLAN UDP", b_dns, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "TCP to port 179", b_bgp, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "ARP for the uplink", b_arp_uplink, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "IPv6", b_ipv6, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "VLAN-tagged outer frame", b_outer_vlan, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
	{ "forged decapsulated frame", b_forged, NULL,
	  O_PASS, NO_STAT, 0, NULL, 0, NULL, NULL },
};
const int uplink_ncases = (int)(sizeof(uplink_cases) / sizeof(uplink_cases[0]));

void build(const struct ucase *c, struct pkt *p)
{
	if (c->prep)
		c->prep();
	pkt_init(p);
	c->build(p);
	ck_assert_int_eq(pkt_finish(p), 0);
	if (c->patch)
		c->patch(p);
	ck_assert_int_eq(p->err, 0);
}

/* The frame a delivery must produce: the inner Ethernet frame. */
size_t expected_inner(const struct ucase *c, const struct pkt *p, uint8_t *out)
{
	long off = pkt_off(p, PKT_ETH, 1);
	size_t len;

	ck_assert_int_gt(off, 0);
	len = p->len - (size_t)off - c->trail;
	memcpy(out, p->buf + off, len);
	if (c->new_dst)
		memcpy(out, c->new_dst, 6);
	return len;
}

int case_ifindex(const struct ucase *c)
{
	return c->port == 2 ? if_w2 : if_w1;
}

/* ------------------------------------------------------ runs and checks */

void stats_reset(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *zero = calloc((size_t)ncpu, sizeof(*zero));
	uint32_t key = 0;

	ck_assert_ptr_nonnull(zero);
	ck_assert_int_eq(bpf_map_update_elem(h.map_fd[HM_STATS], &key, zero, BPF_ANY), 0);
	free(zero);
}

static void stat_set(struct vtep_stats *s, size_t off, uint64_t v)
{
	memcpy((char *)s + off, &v, sizeof(v));
}

/* The counters one run of a case must leave, and nothing else. */
void expected_stats(const struct ucase *c, struct vtep_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->uplink_rx = 1;
	switch (c->out) {
	case O_PASS:
		s->uplink_pass = 1;
		return;
	case O_DROP:
		stat_set(s, c->stat, 1);
		if (c->stat != STAT(drop_vx_dst))
			s->vxlan_rx = 1;
		return;
	case O_DELIVER:
		s->vxlan_rx = 1;
		s->decap_deliver = 1;
		return;
	case O_ARP_REPLY:
		s->vxlan_rx = 1;
		if (c->stat != NO_STAT)
			stat_set(s, c->stat, 1);
		else
			s->arp_vx_reply = 1;
		return;
	}
}

void assert_stats(const char *what, const struct vtep_stats *want)
{
	struct vtep_stats got;

	ck_assert_int_eq(harness_stats(&h, &got), 0);
	if (memcmp(&got, want, sizeof(got))) {
		fprintf(stderr, "%s: counters differ; got:\n", what);
		harness_stats_dump(&h, stderr);
		ck_abort_msg("%s: unexpected counters", what);
	}
}

void assert_bytes(const char *what, const void *want, size_t wlen, const void *got,
			 size_t glen)
{
	if (pkt_hexdiff(stderr, want, wlen, got, glen))
		ck_abort_msg("%s: output bytes differ", what);
}

/* O_ARP_REPLY: exactly the answer, with correct IPv4 checksum and length. */
void assert_reply(const struct ucase *c, const uint8_t *got, size_t glen)
{
	struct pkt want;

	pkt_init(&want);
	c->want(&want);
	ck_assert_int_eq(pkt_finish(&want), 0);
	ck_assert_msg(pkt_ipv4_csum_ok(got + ETH_HLEN), "%s: bad IPv4 checksum", c->name);
	assert_bytes(c->name, want.buf, want.len, got, glen);
}

static int xdp_fd(void)
{
	return bpf_program__fd(xgen ? xskel->progs.vtep_uplink_gen : xskel->progs.vtep_uplink_xdp);
}

void run_xdp(const void *meta, uint32_t metalen, const void *pkt, size_t len,
		    struct xrun *r)
{
	static uint8_t in[PKT_BUF + 64];
	struct xdp_md ctx = {
		.data = metalen,
		.data_end = metalen + (xlinear ? xlinear : (uint32_t)len),
		.ingress_ifindex = (uint32_t)if_up,
	};
	struct xdp_md ctx_out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = in,
		.data_size_in = metalen + (uint32_t)len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.ctx_out = &ctx_out,
		.ctx_size_out = sizeof(ctx_out),
		.repeat = 1,
	);

	memcpy(in, meta, metalen);
	memcpy(in + metalen, pkt, len);
	ck_assert_int_eq(bpf_prog_test_run_opts(xdp_fd(), &o), 0);
	r->retval = o.retval;
	r->out_len = o.data_size_out;
	r->meta_len = ctx_out.data;
	ck_assert_uint_le(r->meta_len, r->out_len);
}

static void run_tc_prog(const struct bpf_program *prog, const void *pkt, size_t len,
			struct harness_result *r)
{
	ck_assert_int_eq(harness_run_tc(bpf_program__fd(prog), (uint32_t)if_up, pkt, len, r), 0);
}

/* tc mode's program (vtep_uplink_tc). */
void run_tc(const void *pkt, size_t len, struct harness_result *r)
{
	run_tc_prog(tskel->progs.vtep_uplink_tc, pkt, len, r);
}

/* xdp mode's TC half (vtep_uplink_xtc). */
void run_xtc(const void *pkt, size_t len, struct harness_result *r)
{
	run_tc_prog(tskel->progs.vtep_uplink_xtc, pkt, len, r);
}

/* ------------------------------------------------- multi-buffer frames */

/* A jumbo VXLAN frame: BPF_PROG_TEST_RUN keeps one page minus headroom and
 * skb_shared_info linear (about 3.5k) and puts the rest in fragments, as a
 * veth or a NIC with a 9000 MTU does. */
#define JUMBO_PAYLOAD 6000

void b_jumbo(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, W1_MAC, R_MAC, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(R_IP), .daddr = pkt_ip(W1_IP),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(p, 1000, 2000);
	pkt_pattern(p, JUMBO_PAYLOAD);
}

/* An inner ARP request padded (inside the UDP payload) into fragments. */
static void b_arp_req_jumbo(struct pkt *p)
{
	static const uint8_t zeros[JUMBO_PAYLOAD];

	b_arp_req(p);
	pkt_put(p, zeros, sizeof(zeros));
}

/* Jumbo frames for the native build and the live jumbo test. */
const struct ucase mb_cases[] = {
	{ "jumbo inner frame to a workload MAC", b_jumbo, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "jumbo inner frame, bytes after the outer IPv4 packet", b_jumbo, x_trailer,
	  O_DELIVER, NO_STAT, 1, NULL, 6, NULL, NULL },
	{ "inner ARP request padded into fragments", b_arp_req_jumbo, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, NULL },
};
const int mb_ncases = (int)(sizeof(mb_cases) / sizeof(mb_cases[0]));

