/* packet_seeds.c - fuzz_packet's seed corpus (packet_seeds.h): frames built
 * with pkt.h that reach the fixture's paths, each behind the selector byte
 * that sends it through the right program from the right device (the
 * selector's bits are in fuzz_packet.c's head comment). Written with
 * FUZZ_PACKET_SEEDS=DIR; tests/fuzz/corpus/packet/ was made so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "packet_fuzz.h"
#include "packet_seeds.h"

/* The uplink's MAC, as pseed_write() was given it. */
static const uint8_t *mac_up;

static void seed(const char *dir, const char *name, uint8_t sel, const struct pkt *p)
{
	char path[512];
	FILE *f;

	if (pkt_finish((struct pkt *)p))
		pfuzz_die("seed too big");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(p->buf, 1, p->len, f) != p->len)
		pfuzz_die(path);
	fclose(f);
}

enum { SEL_PORT = 0, SEL_TC = 1, SEL_XTC = 2, SEL_XDP = 3 };
#define DEV(i) ((uint8_t)(((i) & 3) << 2 | ((i) & 4) << 4))

static void w1_ip(struct pkt *p, const uint8_t *dst, const char *daddr, uint8_t proto)
{
	pkt_init(p);
	pkt_eth(p, dst, MAC_W1, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP(daddr),
				       .proto = proto, .df = 1, .id = 7 });
	if (proto == IPPROTO_UDP)
		pkt_udp(p, 1000, 2000);
	else if (proto == IPPROTO_TCP)
		pkt_tcp(p, 40000, 80, 1, PKT_TCP_SYN);
	else
		pkt_icmp_echo(p, 8, 0x77, 1);
	pkt_pattern(p, 32);
}

static void w1_arp(struct pkt *p, uint16_t op, const char *spa, const char *tpa)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC_BCAST, MAC_W1, ETH_P_ARP);
	pkt_arp(p, op, MAC_W1, IP(spa), PKT_MAC_ZERO, IP(tpa));
}

/* An IPv6 header from esrc to edst, src -> dst. */
static void ip6_hdr(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
		    const char *dst, uint8_t nh, uint8_t hlim)
{
	struct pkt_ip6 ip = { .nexthdr = nh, .hlim = hlim };

	ip6(src, ip.saddr);
	ip6(dst, ip.daddr);
	pkt_init(p);
	pkt_eth(p, edst, esrc, ETH_P_IPV6);
	pkt_ipv6(p, &ip);
}

/* The solicited-node address of target and its MAC (RFC 4291 2.7.1). */
static void sol_node(const char *target, char *addr, size_t n, uint8_t mac[6])
{
	uint8_t t[16], sn[16];

	ip6(target, t);
	ip6("ff02::1:ff00:0", sn);
	memcpy(sn + 13, t + 13, 3);
	inet_ntop(AF_INET6, sn, addr, (socklen_t)n);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, sn + 12, 4);
}

/* An NS from w1 (src: "::" for DAD) for target. */
static void w1_ns(struct pkt *p, const char *src, const char *target)
{
	char dst[64];
	uint8_t mac[6], t[16];

	sol_node(target, dst, sizeof(dst), mac);
	ip6_hdr(p, mac, MAC_W1, src, dst, IPPROTO_ICMPV6, 255);
	pkt_icmp6(p, 135, 0, 0);
	ip6(target, t);
	pkt_nd_target(p, t);
	if (strcmp(src, "::"))
		pkt_nd_lla(p, 1, MAC_W1);
}

static void w1_udp6(struct pkt *p, const char *dst)
{
	ip6_hdr(p, MAC_GW1, MAC_W1, W1_IP6, dst, IPPROTO_UDP, 64);
	pkt_udp(p, 1000, 2000);
	pkt_pattern(p, 32);
}

static void outer(struct pkt *p, const char *saddr, uint32_t vni_id)
{
	pkt_init(p);
	pkt_eth(p, mac_up, MAC_LEAF, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP(saddr), .daddr = IP("192.0.2.1"),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(p, 51234, VXLAN_PORT);
	pkt_vxlan(p, vni_id);
}

void pseed_write(const char *dir, const uint8_t up[6])
{
	static const uint8_t sels[] = { SEL_TC, SEL_XTC, SEL_XDP };
	struct pkt p;
	uint8_t t[16];

	mac_up = up;

	/* From workloads (port program, w1). */
	w1_ip(&p, MAC_GW1, "10.1.0.12", IPPROTO_UDP);  seed(dir, "w1_udp_local", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "10.1.0.21", IPPROTO_UDP);  seed(dir, "w1_udp_remote", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "10.1.128.7", IPPROTO_TCP); seed(dir, "w1_tcp_prefix", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "10.1.0.24", IPPROTO_UDP);  seed(dir, "w1_udp_vtep_unreachable", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "10.1.255.254", IPPROTO_ICMP); seed(dir, "w1_icmp_gw", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "192.0.2.1", IPPROTO_TCP);  seed(dir, "w1_tcp_host", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "10.1.9.9", IPPROTO_UDP);   seed(dir, "w1_udp_noroute", SEL_PORT, &p);
	w1_ip(&p, MAC_GW1, "10.1.0.21", IPPROTO_UDP);
	pkt_pattern(&p, 1460);                           seed(dir, "w1_udp_remote_big", SEL_PORT | 0x20, &p);
	/* The same without GSO: too big for the underlay, DF set. */
	seed(dir, "w1_udp_remote_frag_needed", SEL_PORT, &p);
	w1_arp(&p, 1, "10.1.0.11", "10.1.255.254");    seed(dir, "w1_arp_gw", SEL_PORT, &p);
	w1_arp(&p, 1, "10.1.0.11", "10.1.0.12");       seed(dir, "w1_arp_local", SEL_PORT, &p);
	w1_arp(&p, 1, "10.1.0.11", "10.1.0.21");       seed(dir, "w1_arp_remote", SEL_PORT, &p);
	w1_arp(&p, 1, "10.1.0.11", "10.1.0.99");       seed(dir, "w1_arp_unknown", SEL_PORT, &p);
	w1_arp(&p, 1, "10.1.0.11", "10.1.0.11");       seed(dir, "w1_garp", SEL_PORT, &p);
	w1_arp(&p, 1, "0.0.0.0", "10.1.0.12");         seed(dir, "w1_arp_probe", SEL_PORT, &p);
	w1_arp(&p, 2, "10.1.0.11", "198.51.100.1");    seed(dir, "w1_arp_reply_host", SEL_PORT, &p);
	/* w3: VNI 200, real MACs, its own MAC not learned yet. */
	pkt_init(&p);
	pkt_eth(&p, MAC_GW2, PKT_MAC(2, 0, 0, 0, 0, 0x13), ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.2.0.13"), .daddr = IP("10.2.0.22"),
				       .proto = IPPROTO_UDP });
	pkt_udp(&p, 5, 6);                              seed(dir, "w3_udp_learn", SEL_PORT | DEV(2), &p);
	pkt_init(&p);
	pkt_eth(&p, PKT_MAC_BCAST, PKT_MAC(2, 0, 0, 0, 0, 0x13), ETH_P_ARP);
	pkt_arp(&p, 1, PKT_MAC(2, 0, 0, 0, 0, 0x13), IP("10.2.0.13"), PKT_MAC_ZERO, IP("10.2.0.22"));
	seed(dir, "w3_arp_real", SEL_PORT | DEV(2), &p);
	/* VLAN, and an IPv6 header without a valid payload. */
	pkt_init(&p);
	pkt_eth(&p, MAC_GW1, MAC_W1, 0x8100);
	pkt_vlan(&p, 10, ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.12"),
				       .proto = IPPROTO_UDP });
	pkt_udp(&p, 1, 2);                              seed(dir, "w1_vlan", SEL_PORT, &p);
	pkt_init(&p);
	pkt_eth(&p, MAC_GW1, MAC_W1, ETH_P_IPV6);
	pkt_pattern(&p, 40);                            seed(dir, "w1_ipv6", SEL_PORT, &p);

	/* IPv6 from w1: ND (bpf/nd_proxy.h), forwarding (bpf/port6.h). */
	w1_ns(&p, W1_IP6, GW_IP6);                      seed(dir, "w1_ns_gw", SEL_PORT, &p);
	w1_ns(&p, W1_LL, GW_LL);                        seed(dir, "w1_ns_gw_ll", SEL_PORT, &p);
	w1_ns(&p, W1_IP6, W2_IP6);                      seed(dir, "w1_ns_local", SEL_PORT, &p);
	w1_ns(&p, W1_IP6, R21_IP6);                     seed(dir, "w1_ns_remote", SEL_PORT, &p);
	w1_ns(&p, W1_IP6, RTR_IP6);                     seed(dir, "w1_ns_router", SEL_PORT, &p);
	w1_ns(&p, W1_IP6, "2001:db8:1::99");            seed(dir, "w1_ns_unknown", SEL_PORT, &p);
	w1_ns(&p, "::", W1_IP6);                        seed(dir, "w1_ns_dad", SEL_PORT, &p);
	ip6_hdr(&p, PKT_MAC(0x33, 0x33, 0, 0, 0, 2), MAC_W1, W1_LL, "ff02::2", IPPROTO_ICMPV6, 255);
	pkt_icmp6(&p, 133, 0, 0);
	pkt_nd_lla(&p, 1, MAC_W1);                      seed(dir, "w1_rs", SEL_PORT, &p);
	ip6_hdr(&p, PKT_MAC(0x33, 0x33, 0, 0, 0, 2), MAC_W1, "::", "ff02::2", IPPROTO_ICMPV6, 255);
	pkt_icmp6(&p, 133, 0, 0);                       seed(dir, "w1_rs_unspecified", SEL_PORT, &p);
	ip6_hdr(&p, PKT_MAC(0x33, 0x33, 0, 0, 0, 1), MAC_W1, W1_IP6, "ff02::1", IPPROTO_ICMPV6, 255);
	pkt_icmp6(&p, 136, 0, 0x20000000u);             /* O, not S: unsolicited */
	ip6(W1_IP6, t);
	pkt_nd_target(&p, t);
	pkt_nd_lla(&p, 2, MAC_W1);                      seed(dir, "w1_na_unsolicited", SEL_PORT, &p);
	ip6_hdr(&p, MAC_GW1, MAC_W1, W1_IP6, HOST_IP6, IPPROTO_ICMPV6, 255);
	pkt_icmp6(&p, 136, 0, 0x60000000u);             /* S and O: an answer */
	pkt_nd_target(&p, t);
	pkt_nd_lla(&p, 2, MAC_W1);                      seed(dir, "w1_na_to_host", SEL_PORT, &p);
	w1_udp6(&p, W2_IP6);                            seed(dir, "w1_udp6_local", SEL_PORT, &p);
	w1_udp6(&p, R21_IP6);                           seed(dir, "w1_udp6_remote", SEL_PORT, &p);
	w1_udp6(&p, "2001:db8:2::7");                   seed(dir, "w1_udp6_prefix", SEL_PORT, &p);
	w1_udp6(&p, HOST_IP6);                          seed(dir, "w1_udp6_host", SEL_PORT, &p);
	w1_udp6(&p, "2001:db8:1::99");                  seed(dir, "w1_udp6_noroute", SEL_PORT, &p);
	w1_udp6(&p, R21_IP6);
	pkt_pattern(&p, 1440);                          seed(dir, "w1_udp6_remote_big", SEL_PORT | 0x20, &p);
	seed(dir, "w1_udp6_remote_too_big", SEL_PORT, &p);
	ip6_hdr(&p, MAC_GW1, MAC_W1, W1_IP6, GW_IP6, IPPROTO_ICMPV6, 64);
	pkt_icmp6(&p, 128, 0, 0x7777u << 16 | 1);
	pkt_pattern(&p, 32);                            seed(dir, "w1_echo6_gw", SEL_PORT, &p);
	ip6_hdr(&p, MAC_GW1, MAC_W1, W1_LL, GW_LL, IPPROTO_ICMPV6, 64);
	pkt_icmp6(&p, 128, 0, 0x7777u << 16 | 2);
	pkt_pattern(&p, 32);                            seed(dir, "w1_echo6_gw_ll", SEL_PORT, &p);

	/* VNI 300 (outside "host"): w5 and the host link (bpf/outside.h). */
	pkt_init(&p);
	pkt_eth(&p, MAC_GW3, MAC_W5, ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.3.0.15"), .daddr = IP("8.8.8.8"),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(&p, 1000, 53);                          seed(dir, "w5_udp_outside", SEL_PORT | DEV(4), &p);
	pkt_init(&p);
	pkt_eth(&p, MAC_GW3, MAC_W5, ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.3.0.15"), .daddr = IP("10.2.2.10"),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(&p, 1000, 2000);                        seed(dir, "w5_udp_other_vni", SEL_PORT | DEV(4), &p);
	pkt_init(&p);
	pkt_eth(&p, MAC_GW3, MAC_HL, ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.3.0.50"), .daddr = IP("10.3.0.15"),
				       .proto = IPPROTO_TCP, .df = 1 });
	pkt_tcp(&p, 80, 40000, 9, PKT_TCP_SYN | PKT_TCP_ACK); seed(dir, "hl_tcp_dnat", SEL_PORT | DEV(5), &p);
	pkt_init(&p);
	pkt_eth(&p, MAC_GW3, MAC_HL, ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("8.8.8.8"), .daddr = IP("10.3.0.15"),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(&p, 53, 1000);                          seed(dir, "hl_udp_world_src", SEL_PORT | DEV(5), &p);
	pkt_init(&p);
	pkt_eth(&p, MAC_GW3, MAC_W6, ETH_P_IP);
	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.3.0.16"), .daddr = IP("10.3.0.15"),
				       .proto = IPPROTO_UDP, .df = 1 });
	pkt_udp(&p, 2000, 1000);                        seed(dir, "w6_udp_nat_reply", SEL_PORT | DEV(6), &p);

	/* From the fabric (uplink programs, uplink device), each program. */
	for (size_t i = 0; i < sizeof(sels); i++) {
		uint8_t s = sels[i] | DEV(3);
		char n[64], dst[64];
		uint8_t mac[6];

		outer(&p, "192.0.2.2", 100);
		pkt_eth(&p, MAC_W1, MAC_R21, ETH_P_IP);
		pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.1.0.21"), .daddr = IP("10.1.0.11"),
					       .proto = IPPROTO_UDP, .df = 1 });
		pkt_udp(&p, 1000, 2000);
		pkt_pattern(&p, 40);
		snprintf(n, sizeof(n), "up%u_vxlan_ipv4", s & 3);
		seed(dir, n, s, &p);
		outer(&p, "192.0.2.2", 100);
		pkt_eth(&p, MAC_GW1, MAC_R21, ETH_P_IP);
		pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.1.0.21"), .daddr = IP("10.1.0.12"),
					       .proto = IPPROTO_ICMP });
		pkt_icmp_echo(&p, 8, 1, 1);
		snprintf(n, sizeof(n), "up%u_vxlan_to_gw_mac", s & 3);
		seed(dir, n, s, &p);
		outer(&p, "192.0.2.2", 100);
		pkt_eth(&p, PKT_MAC_BCAST, MAC_R21, ETH_P_ARP);
		pkt_arp(&p, 1, MAC_R21, IP("10.1.0.21"), PKT_MAC_ZERO, IP("10.1.0.11"));
		snprintf(n, sizeof(n), "up%u_vxlan_arp", s & 3);
		seed(dir, n, s, &p);
		outer(&p, "192.0.2.3", 100);
		pkt_eth(&p, MAC_W1, MAC_R21, ETH_P_IP);
		pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.1.0.21"), .daddr = IP("10.1.0.11"),
					       .proto = IPPROTO_UDP });
		pkt_udp(&p, 1, 2);
		snprintf(n, sizeof(n), "up%u_vxlan_unknown_vtep", s & 3);
		seed(dir, n, s, &p);
		/* Inner IPv6 to w1, and an inner NS for w1's address. */
		outer(&p, "192.0.2.2", 100);
		pkt_eth(&p, MAC_W1, MAC_R21, ETH_P_IPV6);
		{
			struct pkt_ip6 ip = { .nexthdr = IPPROTO_UDP };

			ip6(R21_IP6, ip.saddr);
			ip6(W1_IP6, ip.daddr);
			pkt_ipv6(&p, &ip);
		}
		pkt_udp(&p, 1000, 2000);
		pkt_pattern(&p, 40);
		snprintf(n, sizeof(n), "up%u_vxlan_ipv6", s & 3);
		seed(dir, n, s, &p);
		outer(&p, "192.0.2.2", 100);
		sol_node(W1_IP6, dst, sizeof(dst), mac);
		pkt_eth(&p, mac, MAC_R21, ETH_P_IPV6);
		{
			struct pkt_ip6 ip = { .nexthdr = IPPROTO_ICMPV6, .hlim = 255 };

			ip6(R21_IP6, ip.saddr);
			ip6(dst, ip.daddr);
			pkt_ipv6(&p, &ip);
		}
		pkt_icmp6(&p, 135, 0, 0);
		ip6(W1_IP6, t);
		pkt_nd_target(&p, t);
		pkt_nd_lla(&p, 1, MAC_R21);
		snprintf(n, sizeof(n), "up%u_vxlan_ns", s & 3);
		seed(dir, n, s, &p);
		/* To the MAC-only route's MAC: not a local workload. */
		outer(&p, "192.0.2.2", 100);
		pkt_eth(&p, MAC_R23, MAC_R21, ETH_P_IP);
		pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("10.1.0.21"), .daddr = IP("10.1.0.23"),
					       .proto = IPPROTO_UDP });
		pkt_udp(&p, 1, 2);
		snprintf(n, sizeof(n), "up%u_vxlan_mac_only", s & 3);
		seed(dir, n, s, &p);
		pkt_init(&p);
		pkt_eth(&p, mac_up, MAC_LEAF, ETH_P_IP);
		pkt_ipv4(&p, &(struct pkt_ip){ .saddr = IP("198.51.100.2"), .daddr = IP("198.51.100.1"),
					       .proto = IPPROTO_TCP });
		pkt_tcp(&p, 179, 40000, 5, PKT_TCP_SYN | PKT_TCP_ACK);
		snprintf(n, sizeof(n), "up%u_bgp_tcp", s & 3);
		seed(dir, n, s, &p);
	}
	exit(0);
}
