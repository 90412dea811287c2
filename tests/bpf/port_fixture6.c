/* port_fixture6.c - see port_fixture6.h. */
#include <check.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "port_fixture.h"
#include "port_fixture6.h"

const uint8_t *const MAC_RTR = PKT_MAC(2, 0, 0, 0, 0, 0x31);
const uint8_t *const MAC_ALLNODES = PKT_MAC(0x33, 0x33, 0, 0, 0, 1);

const uint8_t *A6(const char *s)
{
	static uint8_t ring[16][16];
	static int n;
	uint8_t *a = ring[n++ % 16];

	pkt_ip6(s, a);
	return a;
}

static void route6_add(const char *ip, const struct vtep_route *r)
{
	struct vtep_route6_key k = { .vni = VNI };

	pkt_ip6(ip, k.ip);
	ck_assert_int_eq(harness_map_update(&h, HM_ROUTES6, &k, r), 0);
}

void port6_setup(void)
{
	struct vtep_prefix6_key pk = { .prefixlen = 32 + 48, .vni = htonl(VNI) };
	struct vtep_hostaddr ha = { .ifindex = 1 };
	struct vtep_vni v;
	struct vtep_port p;
	struct vtep_route r;
	uint32_t k = VNI;
	uint8_t hk[16];

	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &k, &v), 0);
	v.prefixlen6 = 64;
	pkt_ip6("2001:db8:1::", v.subnet6);
	pkt_ip6(GW_IP6, v.gateway_ip6);
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);

	k = (uint32_t)if_w1;
	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_PORTS], &k, &p), 0);
	pkt_ip6(W1_IP6, p.ip6);
	ck_assert_int_eq(harness_port_add(&h, if_w1, &p), 0);
	k = (uint32_t)if_w2;
	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_PORTS], &k, &p), 0);
	pkt_ip6(W2_IP6, p.ip6);
	ck_assert_int_eq(harness_port_add(&h, if_w2, &p), 0);

	r = (struct vtep_route){ .ifindex = if_w1, .source = VTEP_SRC_LOCAL };
	memcpy(r.mac, MAC_W1, 6);
	route6_add(W1_IP6, &r);
	r = (struct vtep_route){ .ifindex = if_w2, .source = VTEP_SRC_LOCAL };
	memcpy(r.mac, MAC_W2, 6);
	route6_add(W2_IP6, &r);
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_STATIC };
	memcpy(r.mac, MAC_R21, 6);
	route6_add(R21_IP6, &r);
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP,
				 .flags = VTEP_RT_F_ROUTER };
	memcpy(r.mac, MAC_RTR, 6);
	route6_add(RTR_IP6, &r);
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };
	memcpy(r.mac, PKT_MAC(2, 0, 0, 0, 0, 0xfe), 6);
	pkt_ip6("2001:db8:2::", pk.ip);
	ck_assert_int_eq(harness_map_update(&h, HM_PREFIXES6, &pk, &r), 0);
	pkt_ip6(HOST_IP6, hk);
	ck_assert_int_eq(harness_map_update(&h, HM_HOSTADDRS6, hk, &ha), 0);
}

void sol_node(const char *target, uint8_t addr[16], uint8_t mac[6])
{
	uint8_t t[16];

	pkt_ip6(target, t);
	pkt_ip6("ff02::1:ff00:0", addr);
	memcpy(addr + 13, t + 13, 3);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, addr + 12, 4);
}

void ip6_hdr(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
	     const char *dst, uint8_t nh, uint8_t hlim)
{
	struct pkt_ip6 ip = { .nexthdr = nh, .hlim = hlim };

	pkt_ip6(src, ip.saddr);
	pkt_ip6(dst, ip.daddr);
	pkt_init(p);
	pkt_eth(p, edst, esrc, 0x86dd);
	pkt_ipv6(p, &ip);
}

void udp6_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
		const char *dst, size_t payload)
{
	ip6_hdr(p, edst, esrc, src, dst, 17, 64);
	/* A traffic class and flow label the encapsulation must read. */
	p->buf[14] = 0x6a;
	p->buf[15] = 0x81;
	p->buf[16] = 0x23;
	p->buf[17] = 0x45;
	pkt_udp(p, 1000, 2000);
	pkt_pattern(p, payload);
	ck_assert_int_eq(pkt_finish(p), 0);
}

void udp6_w1(struct pkt *p, const char *dst)
{
	udp6_frame(p, MAC_GW, MAC_W1, W1_IP6, dst, 32);
}

void ns_frame(struct pkt *p, const uint8_t *edst, const char *src, const char *dst,
	      const char *target, uint8_t hlim, const uint8_t *sllao)
{
	ip6_hdr(p, edst, MAC_W1, src, dst, 58, hlim);
	pkt_icmp6(p, 135, 0, 0);
	pkt_nd_target(p, A6(target));
	if (sllao)
		pkt_nd_lla(p, 1, sllao);
	ck_assert_int_eq(pkt_finish(p), 0);
}

void ns_w1(struct pkt *p, const char *target)
{
	uint8_t sn[16], mac[6];
	char dst[64];

	sol_node(target, sn, mac);
	inet_ntop(AF_INET6, sn, dst, sizeof(dst));
	ns_frame(p, mac, W1_IP6, dst, target, 255, MAC_W1);
}

void na_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
	      const char *dst, uint32_t flags, const char *target, const uint8_t *tlla)
{
	ip6_hdr(p, edst, esrc, src, dst, 58, 255);
	pkt_icmp6(p, 136, 0, flags);
	pkt_nd_target(p, A6(target));
	if (tlla)
		pkt_nd_lla(p, 2, tlla);
	ck_assert_int_eq(pkt_finish(p), 0);
}

void na_to_w1(struct pkt *p, const char *target, const uint8_t *mac, uint32_t flags)
{
	na_frame(p, MAC_W1, mac, target, W1_IP6, flags, target, mac);
}

void rs_frame(struct pkt *p, const char *src)
{
	ip6_hdr(p, PKT_MAC(0x33, 0x33, 0, 0, 0, 2), MAC_W1, src, "ff02::2", 58, 255);
	pkt_icmp6(p, 133, 0, 0);
	if (strcmp(src, "::"))
		pkt_nd_lla(p, 1, MAC_W1);
	ck_assert_int_eq(pkt_finish(p), 0);
}

void ra_frame(struct pkt *p, const uint8_t *edst, const char *dst, uint32_t mtu, int pio)
{
	ip6_hdr(p, edst, MAC_GW, GW_LL, dst, 58, 255);
	/* cur hop limit 64, no M/O, router lifetime 1800 */
	pkt_icmp6(p, 134, 0, 64u << 24 | 1800);
	pkt_put(p, "\0\0\0\0\0\0\0\0", 8); /* reachable time, retrans timer */
	pkt_nd_lla(p, 1, MAC_GW);
	if (mtu) {
		uint8_t o[8] = { 5, 1, 0, 0, mtu >> 24, mtu >> 16, mtu >> 8, mtu };

		pkt_put(p, o, 8);
	}
	if (pio) {
		/* L and A, valid 2592000 s, preferred 604800 s */
		uint8_t o[32] = { 3, 4, 64, 0xc0, 0x00, 0x27, 0x8d, 0x00, 0x00, 0x09, 0x3a, 0x80 };

		memcpy(o + 16, A6("2001:db8:1::"), 16);
		pkt_put(p, o, 32);
	}
	ck_assert_int_eq(pkt_finish(p), 0);
}

void echo6_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
		 const char *dst, uint8_t type, uint8_t hlim)
{
	ip6_hdr(p, edst, esrc, src, dst, 58, hlim);
	pkt_icmp6(p, type, 0, 0x7777u << 16 | 3);
	pkt_pattern(p, 56);
	ck_assert_int_eq(pkt_finish(p), 0);
}
