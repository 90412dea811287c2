/* test_port.c - BPF_PROG_TEST_RUN of vtep_port_ingress (bpf/port_tc.bpf.c).
 *
 * Every test runs in its own forked child with a fresh network namespace
 * (the harness unshares one, so nothing outlives the test) holding:
 *   ta-w1/ta-w1p   port w1: VNI 100, 10.1.0.11, 02:00:00:00:00:11
 *   ta-w2/ta-w2p   port w2: VNI 100, 10.1.0.12, 02:00:00:00:00:12 (local route)
 *   ta-up/ta-upp   the uplink: 198.51.100.1/24, next hop 198.51.100.2
 *                  (02:00:00:00:99:02, permanent), default route via it
 *   lo             192.0.2.1 (our VTEP IP, a host address)
 * and maps: vtep_hostaddrs 192.0.2.1 and 198.51.100.1 (as vtepd keeps them), VNI 100 10.1.0.0/16 gw 10.1.255.254 02:00:00:00:01:00 (gateway
 * mode), remote route 10.1.0.21 -> VTEP 192.0.2.2 mac 02:00:00:00:00:21,
 * prefix 10.1.128.0/24 -> 192.0.2.2, vtep_ip 192.0.2.1, UDP 4789.
 *
 * Each case gives the input frame, the verdict, the exact output bytes and
 * exactly which counters move (all others must stay 0).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "harness.h"
#include "pkt.h"
#include "port_tc.skel.h"

#define VNI 100
static const uint8_t *MAC_GW = PKT_MAC(2, 0, 0, 0, 1, 0);
static const uint8_t *MAC_W1 = PKT_MAC(2, 0, 0, 0, 0, 0x11);
static const uint8_t *MAC_W2 = PKT_MAC(2, 0, 0, 0, 0, 0x12);
static const uint8_t *MAC_R21 = PKT_MAC(2, 0, 0, 0, 0, 0x21);
static const uint8_t *MAC_NH = PKT_MAC(2, 0, 0, 0, 0x99, 0x02);
static const uint8_t *MAC_EVIL = PKT_MAC(2, 0, 0, 0, 0, 0x66);

static struct harness h;
static struct port_tc_bpf *skel;
static int prog_fd;
static int if_w1, if_w2, if_up;
static uint8_t mac_up[6];

#define IP(s) pkt_ip(s)

/* ---- fixture ---------------------------------------------------------- */

static void setup(void)
{
	struct vtep_vni v = { .prefixlen = 16, .arp_reply = VTEP_ARP_REPLY_GATEWAY };
	struct vtep_port p1 = { .vni = VNI }, p2 = { .vni = VNI };
	struct vtep_route r;

	ck_assert_int_eq(harness_init(&h, HARNESS_NETNS), 0);
	skel = port_tc_bpf__open_opts(harness_open_opts(&h));
	ck_assert_ptr_nonnull(skel);
	ck_assert_int_eq(port_tc_bpf__load(skel), 0);
	ck_assert_int_eq(harness_maps_open(&h), 0);
	prog_fd = bpf_program__fd(skel->progs.vtep_port_ingress);

	if_w1 = harness_veth(&h, "ta-w1", "ta-w1p");
	if_w2 = harness_veth(&h, "ta-w2", "ta-w2p");
	if_up = harness_veth(&h, "ta-up", "ta-upp");
	ck_assert_int_gt(if_w1, 0);
	ck_assert_int_gt(if_w2, 0);
	ck_assert_int_gt(if_up, 0);
	ck_assert_int_eq(harness_ifmac("ta-up", mac_up), 0);
	/* bpf_fib_lookup() needs forwarding on the port (FWD_DISABLED else). */
	ck_assert_int_eq(harness_sh("sysctl -qw net.ipv4.ip_forward=1 && "
				    "ip addr add 192.0.2.1/32 dev lo && "
				    "ip addr add 198.51.100.1/24 dev ta-up && "
				    "ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:02 "
				    "dev ta-up nud permanent && "
				    "ip route add 192.0.2.2/32 via 198.51.100.2 && "
				    "ip route add default via 198.51.100.2 && "
				    "ip route add unreachable 203.0.113.0/24"), 0);

	ck_assert_int_eq(harness_global_set(&h, IP("192.0.2.1"), 4789), 0);
	v.subnet = IP("10.1.0.0");
	v.gateway_ip = IP("10.1.255.254");
	memcpy(v.gateway_mac, MAC_GW, 6);
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);

	p1.ip = IP("10.1.0.11");
	memcpy(p1.mac, MAC_W1, 6);
	strcpy(p1.ifname, "ta-w1");
	p2.ip = IP("10.1.0.12");
	memcpy(p2.mac, MAC_W2, 6);
	strcpy(p2.ifname, "ta-w2");
	ck_assert_int_eq(harness_port_add(&h, if_w1, &p1), 0);
	ck_assert_int_eq(harness_port_add(&h, if_w2, &p2), 0);

	r = (struct vtep_route){ .ifindex = if_w1, .source = VTEP_SRC_LOCAL };
	memcpy(r.mac, MAC_W1, 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.11"), &r), 0);
	r = (struct vtep_route){ .ifindex = if_w2, .source = VTEP_SRC_LOCAL };
	memcpy(r.mac, MAC_W2, 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.12"), &r), 0);
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_STATIC };
	memcpy(r.mac, MAC_R21, 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.21"), &r), 0);
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };
	memcpy(r.mac, PKT_MAC(2, 0, 0, 0, 0, 0xfe), 6);
	ck_assert_int_eq(harness_prefix_add(&h, VNI, IP("10.1.128.0"), 24, &r), 0);
	ck_assert_int_eq(harness_remote_add(&h, IP("192.0.2.2")), 0);
	ck_assert_int_eq(harness_hostaddr_add(&h, IP("192.0.2.1"), 1), 0);
	ck_assert_int_eq(harness_hostaddr_add(&h, IP("198.51.100.1"), if_up), 0);
}

static void teardown(void)
{
	port_tc_bpf__destroy(skel);
	skel = NULL;
	harness_fini(&h);
}

/* ---- frame builders ------------------------------------------------- */

static void arp_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, uint16_t op,
		      const uint8_t *sha, const char *spa, const uint8_t *tha, const char *tpa)
{
	pkt_init(p);
	pkt_eth(p, edst, esrc, 0x0806);
	pkt_arp(p, op, sha, IP(spa), tha, IP(tpa));
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* A request from w1 (10.1.0.11) for tpa. */
static void arp_req_w1(struct pkt *p, const char *tpa)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, tpa);
}

/* The proxy's answer to w1 for tpa with mac (asker spa given). */
static void arp_reply_to_w1(struct pkt *p, const char *tpa, const uint8_t *mac, const char *spa)
{
	arp_frame(p, MAC_W1, mac, 2, mac, tpa, MAC_W1, spa);
}

/* IPv4/UDP from w1 to daddr (10.1.0.11:1000 -> daddr:2000), payload bytes. */
static void udp_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *saddr,
		      const char *daddr, int df, size_t payload)
{
	pkt_init(p);
	pkt_eth(p, edst, esrc, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP(saddr), .daddr = IP(daddr),
				      .proto = IPPROTO_UDP, .df = df, .id = 0x4242, .tos = 0x28 });
	pkt_udp(p, 1000, 2000);
	pkt_pattern(p, payload);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void udp_w1(struct pkt *p, const char *daddr)
{
	udp_frame(p, MAC_GW, MAC_W1, "10.1.0.11", daddr, 1, 32);
}

static void icmp_echo_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc,
			    const char *saddr, const char *daddr, uint8_t type, uint8_t ttl)
{
	pkt_init(p);
	pkt_eth(p, edst, esrc, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP(saddr), .daddr = IP(daddr),
				      .proto = IPPROTO_ICMP, .ttl = ttl, .df = 1, .id = 0x1234 });
	pkt_icmp_echo(p, type, 0x7777, 3);
	pkt_pattern(p, 56);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* ---- running and checking ------------------------------------------- */

#define C(name) offsetof(struct vtep_stats, name)
#define NO_CTR ((size_t)-1)

/* Asserts that exactly the listed counters (besides port_rx, always 1)
 * are non-zero, each equal to 1. */
static void expect_counters(const size_t *offs, int n)
{
	struct vtep_stats s;
	uint64_t v;

	ck_assert_int_eq(harness_stats(&h, &s), 0);
	for (size_t off = 0; off < sizeof(s); off += sizeof(uint64_t)) {
		uint64_t want = off == C(port_rx) ? 1 : 0;

		for (int i = 0; i < n; i++)
			if (offs[i] == off)
				want = 1;
		memcpy(&v, (char *)&s + off, sizeof(v));
		if (v != want) {
			harness_stats_dump(&h, stderr);
			ck_abort_msg("counter at offset %zu is %llu, want %llu", off,
				     (unsigned long long)v, (unsigned long long)want);
		}
	}
}

static void run_w1(const struct pkt *in, struct harness_result *r)
{
	ck_assert_int_eq(harness_run_tc(prog_fd, if_w1, in->buf, in->len, r), 0);
}

static void expect_bytes(const struct harness_result *r, const struct pkt *want)
{
	size_t d = pkt_hexdiff(stderr, want->buf, want->len, r->out, r->out_len);

	ck_assert_msg(d == 0, "output differs from the expected frame in %zu bytes", d);
}

/* ---- the table: one frame in, verdict + bytes + counters out --------- */

struct port_case {
	const char *name;
	void (*in)(struct pkt *p);
	void (*want)(struct pkt *p); /* NULL: the frame leaves unchanged */
	int verdict;
	size_t ctr[2];               /* NO_CTR-padded */
	void (*prep)(void);          /* extra map/netns state, or NULL */
};

/* ARP */
static void in_arp_gw(struct pkt *p) { arp_req_w1(p, "10.1.255.254"); }
static void want_arp_gw(struct pkt *p) { arp_reply_to_w1(p, "10.1.255.254", MAC_GW, "10.1.0.11"); }
static void in_arp_local(struct pkt *p) { arp_req_w1(p, "10.1.0.12"); }
static void want_arp_local_gw(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.12", MAC_GW, "10.1.0.11"); }
static void in_arp_remote(struct pkt *p) { arp_req_w1(p, "10.1.0.21"); }
static void want_arp_remote_gw(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.21", MAC_GW, "10.1.0.11"); }
static void in_arp_prefix(struct pkt *p) { arp_req_w1(p, "10.1.128.5"); }
static void want_arp_prefix(struct pkt *p) { arp_reply_to_w1(p, "10.1.128.5", MAC_GW, "10.1.0.11"); }
static void in_arp_unknown(struct pkt *p) { arp_req_w1(p, "10.1.0.99"); }
/* A unicast refresh to the gateway MAC is answered too. */
static void in_arp_unicast(struct pkt *p)
{
	arp_frame(p, MAC_GW, MAC_W1, 1, MAC_W1, "10.1.0.11", MAC_GW, "10.1.255.254");
}
/* RFC 5227 probes: sender IP 0.0.0.0. */
static void in_probe_other(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "0.0.0.0", PKT_MAC_ZERO, "10.1.0.12");
}
static void want_probe_other(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.12", MAC_GW, "0.0.0.0"); }
static void in_probe_self(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "0.0.0.0", PKT_MAC_ZERO, "10.1.0.11");
}
static void in_probe_unknown(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "0.0.0.0", PKT_MAC_ZERO, "10.1.0.99");
}
/* Replies: to a host address (the host ARPs for its workloads through
 * their /32 routes), and to anything else, which nobody can have asked. */
static void in_arp_reply_to_host(struct pkt *p)
{
	arp_frame(p, PKT_MAC(2, 0, 0, 0, 0xaa, 1), MAC_W1, 2, MAC_W1, "10.1.0.11",
		  PKT_MAC(2, 0, 0, 0, 0xaa, 1), "198.51.100.1");
}
static void in_arp_reply_to_linklocal(struct pkt *p)
{
	arp_frame(p, PKT_MAC(2, 0, 0, 0, 0xaa, 1), MAC_W1, 2, MAC_W1, "10.1.0.11",
		  PKT_MAC(2, 0, 0, 0, 0xaa, 1), "169.254.1.1");
}
static void in_arp_reply_to_remote(struct pkt *p)
{
	arp_frame(p, MAC_R21, MAC_W1, 2, MAC_W1, "10.1.0.11", MAC_R21, "10.1.0.21");
}
static void in_arp_reply_bcast(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 2, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, "10.1.0.12");
}
static void in_arp_op3(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 3, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, "10.1.0.12");
}
static void in_arp_spoof_eth(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_EVIL, 1, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, "10.1.0.12");
}
static void in_arp_spoof_sha(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_EVIL, "10.1.0.11", PKT_MAC_ZERO, "10.1.0.12");
}
static void in_arp_spoof_spa(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "10.1.0.12", PKT_MAC_ZERO, "10.1.255.254");
}
static void in_arp_short(struct pkt *p)
{
	in_arp_gw(p);
	pkt_truncate(p, 14 + 20);
}
static void in_arp_bad_htype(struct pkt *p)
{
	in_arp_gw(p);
	p->buf[15] = 6; /* IEEE 802 instead of Ethernet */
}
static void in_arp_bad_plen(struct pkt *p)
{
	in_arp_gw(p);
	p->buf[14 + 5] = 16;
}

/* IPv4 */
static void in_udp_local(struct pkt *p) { udp_w1(p, "10.1.0.12"); }
static void want_udp_local(struct pkt *p)
{
	udp_frame(p, MAC_W2, MAC_W1, "10.1.0.11", "10.1.0.12", 1, 32);
}
/* Options towards anyone but the gateway are forwarded untouched. */
static const uint8_t ip_opts[4] = { 0x01, 0x01, 0x01, 0x00 }; /* NOP NOP NOP EOL */
static void opt_frame(struct pkt *p, const uint8_t *edst, const char *daddr, int mf)
{
	pkt_init(p);
	pkt_eth(p, edst, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP(daddr),
				      .proto = IPPROTO_ICMP, .opts = ip_opts, .optlen = 4, .mf = mf });
	pkt_icmp_echo(p, 8, 1, 1);
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_opts_local(struct pkt *p) { opt_frame(p, MAC_GW, "10.1.0.12", 0); }
static void want_opts_local(struct pkt *p) { opt_frame(p, MAC_W2, "10.1.0.12", 0); }
static void in_opts_gw(struct pkt *p) { opt_frame(p, MAC_GW, "10.1.255.254", 0); }
static void frag_frame(struct pkt *p, const char *daddr, uint16_t off, int mf)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP(daddr),
				      .proto = IPPROTO_ICMP, .mf = mf, .frag_off = off });
	pkt_icmp_echo(p, 8, 1, 1);
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_frag_first_gw(struct pkt *p) { frag_frame(p, "10.1.255.254", 0, 1); }
static void in_frag_last_gw(struct pkt *p) { frag_frame(p, "10.1.255.254", 100, 0); }
static void in_frag_local(struct pkt *p) { frag_frame(p, "10.1.0.12", 100, 0); }
static void want_frag_local(struct pkt *p)
{
	frag_frame(p, "10.1.0.12", 100, 0);
	memcpy(p->buf, MAC_W2, 6);
}
static void in_udp_gw(struct pkt *p) { udp_w1(p, "10.1.255.254"); }
static void in_icmp_unreach_gw(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.255.254"),
				      .proto = IPPROTO_ICMP });
	pkt_icmp(p, 3, 3, 0);
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_echo_gw(struct pkt *p)
{
	icmp_echo_frame(p, MAC_GW, MAC_W1, "10.1.0.11", "10.1.255.254", 8, 63);
}
static void want_echo_gw(struct pkt *p)
{
	icmp_echo_frame(p, MAC_W1, MAC_GW, "10.1.255.254", "10.1.0.11", 0, 64);
}
static void in_echo_gw_short(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.255.254"),
				      .proto = IPPROTO_ICMP });
	pkt_put(p, "\x08\x00\x00", 3);
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_no_route(struct pkt *p) { udp_w1(p, "10.1.0.99"); }
static void in_udp_remote(struct pkt *p) { udp_w1(p, "10.1.0.21"); }
static void in_host(struct pkt *p) { udp_w1(p, "192.0.2.1"); }
static void in_outside(struct pkt *p) { udp_w1(p, "8.8.8.8"); }
static void in_spoof_mac(struct pkt *p)
{
	udp_frame(p, MAC_GW, MAC_EVIL, "10.1.0.11", "10.1.0.12", 1, 32);
}
static void in_spoof_ip(struct pkt *p)
{
	udp_frame(p, MAC_GW, MAC_W1, "10.1.0.12", "10.1.0.21", 1, 32);
}
static void in_bcast(struct pkt *p)
{
	udp_frame(p, PKT_MAC_BCAST, MAC_W1, "10.1.0.11", "10.1.255.255", 0, 32);
}
static void in_mcast(struct pkt *p)
{
	udp_frame(p, PKT_MAC(1, 0, 0x5e, 0, 0, 0xfb), MAC_W1, "10.1.0.11", "224.0.0.251", 0, 32);
}
static void in_ip_short(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	pkt_truncate(p, 14 + 19);
}
static void in_eth_only(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	pkt_truncate(p, 14);
}
static void in_ihl4(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[14] = 0x44;
}
static void in_ihl15(struct pkt *p)
{
	/* Claims 60 bytes of header; the frame has 20 + 8. */
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.12"),
				      .proto = IPPROTO_UDP });
	pkt_udp(p, 1, 2);
	ck_assert_int_eq(pkt_finish(p), 0);
	p->buf[14] = 0x4f;
}
static void in_ver6(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[14] = 0x65;
}
static void in_totlen_long(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[16] = 0x05; /* tot_len 0x05xx > frame */
}
static void in_totlen_short(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[16] = 0;
	p->buf[17] = 19; /* below the header length */
}
static void in_vlan(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x8100);
	pkt_vlan(p, 100, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.12"),
				      .proto = IPPROTO_UDP });
	pkt_udp(p, 1, 2);
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_qinq(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC_BCAST, MAC_W1, 0x88a8);
	pkt_vlan(p, 7, 0x0806);
	pkt_arp(p, 1, MAC_W1, IP("10.1.0.11"), PKT_MAC_ZERO, IP("10.1.255.254"));
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_ipv6(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC(0x33, 0x33, 0, 0, 0, 1), MAC_W1, 0x86dd);
	pkt_pattern(p, 40);
	ck_assert_int_eq(pkt_finish(p), 0);
}
static void in_lldp(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC(1, 0x80, 0xc2, 0, 0, 0xe), MAC_W1, 0x88cc);
	pkt_pattern(p, 46);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* Map variations. */
static void prep_real(void)
{
	struct vtep_vni v = { .prefixlen = 16, .arp_reply = VTEP_ARP_REPLY_REAL };

	v.subnet = IP("10.1.0.0");
	v.gateway_ip = IP("10.1.255.254");
	memcpy(v.gateway_mac, MAC_GW, 6);
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
}
static void prep_real_neigh(void)
{
	prep_real();
	ck_assert_int_eq(harness_neigh_add(&h, VNI, IP("10.1.0.21"),
					   PKT_MAC(2, 0, 0, 0, 0, 0xaa)), 0);
}
static void prep_real_nomac(void)
{
	struct vtep_route r = { .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };

	prep_real();
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.21"), &r), 0);
}
static void want_arp_local_real(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.12", MAC_W2, "10.1.0.11"); }
static void want_arp_remote_real(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.21", MAC_R21, "10.1.0.11"); }
static void want_arp_remote_neigh(struct pkt *p)
{
	arp_reply_to_w1(p, "10.1.0.21", PKT_MAC(2, 0, 0, 0, 0, 0xaa), "10.1.0.11");
}
static void prep_w2_tap(void)
{
	struct vtep_port p2 = { .vni = VNI, .flags = VTEP_PORT_F_TAP };

	p2.ip = IP("10.1.0.12");
	memcpy(p2.mac, MAC_W2, 6);
	ck_assert_int_eq(harness_port_add(&h, if_w2, &p2), 0);
}
static void prep_no_vni(void)
{
	uint32_t vni = VNI;

	ck_assert_int_eq(harness_map_delete(&h, HM_VNIS, &vni), 0);
}
static void prep_stale_local(void)
{
	uint32_t k = if_w2;

	ck_assert_int_eq(harness_map_delete(&h, HM_PORTS, &k), 0);
}
/* The host without a default route: the FIB has no route for 8.8.8.8, which
 * bpf_fib_lookup() reports as NOT_FWDED, the same as a local address. */
static void prep_no_default_route(void)
{
	ck_assert_int_eq(harness_sh("ip route del default"), 0);
}
/* An address vtepd has not listed (e.g. removed since) is not the host's,
 * whatever the FIB says. */
static void prep_hostaddr_unlisted(void)
{
	uint32_t ip = IP("192.0.2.1");

	ck_assert_int_eq(harness_map_delete(&h, HM_HOSTADDRS, &ip), 0);
}
/* A listed address is the host's, whatever the FIB says (here: a route
 * "unreachable 203.0.113.0/24"). */
static void prep_hostaddr_listed(void)
{
	ck_assert_int_eq(harness_hostaddr_add(&h, IP("203.0.113.77"), 1), 0);
}
static void in_host_listed(struct pkt *p) { udp_w1(p, "203.0.113.77"); }
static void in_host_uplink(struct pkt *p) { udp_w1(p, "198.51.100.1"); }

static void prep_remote_unreachable(void)
{
	struct vtep_route r = { .vtep = IP("203.0.113.9"), .source = VTEP_SRC_STATIC };

	memcpy(r.mac, MAC_R21, 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.21"), &r), 0);
}

#define CTR1(a) { C(a), NO_CTR }
#define CTR2(a, b) { C(a), C(b) }

static const struct port_case cases[] = {
	/* ARP proxy, gateway mode */
	{ "arp gateway", in_arp_gw, want_arp_gw, TC_ACT_REDIRECT, CTR1(arp_reply), NULL },
	{ "arp local workload", in_arp_local, want_arp_local_gw, TC_ACT_REDIRECT, CTR1(arp_reply), NULL },
	{ "arp remote host", in_arp_remote, want_arp_remote_gw, TC_ACT_REDIRECT, CTR1(arp_reply), NULL },
	{ "arp prefix", in_arp_prefix, want_arp_prefix, TC_ACT_REDIRECT, CTR1(arp_reply), NULL },
	{ "arp unicast refresh", in_arp_unicast, want_arp_gw, TC_ACT_REDIRECT, CTR1(arp_reply), NULL },
	{ "arp unknown target", in_arp_unknown, NULL, TC_ACT_SHOT, CTR1(drop_arp_unknown), NULL },
	{ "arp probe other", in_probe_other, want_probe_other, TC_ACT_REDIRECT, CTR1(arp_reply), NULL },
	{ "arp probe self", in_probe_self, NULL, TC_ACT_SHOT, CTR1(drop_arp_self), NULL },
	{ "arp probe unknown", in_probe_unknown, NULL, TC_ACT_SHOT, CTR1(drop_arp_unknown), NULL },
	{ "arp reply to host", in_arp_reply_to_host, NULL, TC_ACT_OK, CTR1(arp_pass), NULL },
	{ "arp reply to a non-host address", in_arp_reply_to_linklocal, NULL, TC_ACT_SHOT, CTR1(drop_arp_reply), NULL },
	{ "arp reply to a remote workload", in_arp_reply_to_remote, NULL, TC_ACT_SHOT, CTR1(drop_arp_reply), NULL },
	{ "arp reply broadcast", in_arp_reply_bcast, NULL, TC_ACT_SHOT, CTR1(drop_arp_reply), NULL },
	{ "arp reply to the host's VTEP IP, no default route", in_arp_reply_to_host, NULL, TC_ACT_OK, CTR1(arp_pass), prep_no_default_route },
	{ "arp op 3", in_arp_op3, NULL, TC_ACT_SHOT, CTR1(drop_arp_other), NULL },
	{ "arp spoof eth src", in_arp_spoof_eth, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "arp spoof sha", in_arp_spoof_sha, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "arp spoof spa", in_arp_spoof_spa, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip), NULL },
	{ "arp short", in_arp_short, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "arp bad htype", in_arp_bad_htype, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "arp bad plen", in_arp_bad_plen, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "arp no vni", in_arp_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_port), prep_no_vni },
	/* ARP proxy, real mode */
	{ "arp real gateway", in_arp_gw, want_arp_gw, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real },
	{ "arp real local", in_arp_local, want_arp_local_real, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real },
	{ "arp real remote", in_arp_remote, want_arp_remote_real, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real },
	{ "arp real neigh", in_arp_remote, want_arp_remote_neigh, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real_neigh },
	{ "arp real no mac", in_arp_remote, want_arp_remote_gw, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real_nomac },
	{ "arp real prefix", in_arp_prefix, want_arp_prefix, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real },
	/* the gateway */
	{ "echo to gateway", in_echo_gw, want_echo_gw, TC_ACT_REDIRECT, CTR1(icmp_echo_reply), NULL },
	{ "echo to gateway short", in_echo_gw_short, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "icmp unreach to gateway", in_icmp_unreach_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "udp to gateway", in_udp_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "options to gateway", in_opts_gw, NULL, TC_ACT_SHOT, CTR1(drop_ip_options), NULL },
	{ "first fragment to gateway", in_frag_first_gw, NULL, TC_ACT_SHOT, CTR1(drop_frag), NULL },
	{ "last fragment to gateway", in_frag_last_gw, NULL, TC_ACT_SHOT, CTR1(drop_frag), NULL },
	/* forwarding */
	{ "local delivery", in_udp_local, want_udp_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "local delivery tap", in_udp_local, want_udp_local, TC_ACT_REDIRECT, CTR1(fwd_local), prep_w2_tap },
	{ "local options", in_opts_local, want_opts_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "local fragment", in_frag_local, want_frag_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "stale local route", in_udp_local, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_stale_local },
	{ "no route", in_no_route, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "outside the vni", in_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "host address", in_host, NULL, TC_ACT_OK, CTR1(fwd_host), NULL },
	{ "host uplink address", in_host_uplink, NULL, TC_ACT_OK, CTR1(fwd_host), NULL },
	{ "host address, no default route", in_host, NULL, TC_ACT_OK, CTR1(fwd_host), prep_no_default_route },
	{ "no route at all (no default route)", in_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_no_default_route },
	{ "no route in the vni, no default route", in_no_route, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_no_default_route },
	{ "host address not in vtep_hostaddrs", in_host, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_hostaddr_unlisted },
	{ "address in vtep_hostaddrs, FIB unreachable", in_host_listed, NULL, TC_ACT_OK, CTR1(fwd_host), prep_hostaddr_listed },
	{ "underlay unreachable", in_udp_remote, NULL, TC_ACT_SHOT, CTR1(drop_fib), prep_remote_unreachable },
	/* anti-spoofing and filters */
	{ "spoofed mac", in_spoof_mac, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "spoofed ip", in_spoof_ip, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip), NULL },
	{ "broadcast ipv4", in_bcast, NULL, TC_ACT_SHOT, CTR1(drop_bcast), NULL },
	{ "multicast ipv4", in_mcast, NULL, TC_ACT_SHOT, CTR1(drop_bcast), NULL },
	{ "ip no vni", in_udp_local, NULL, TC_ACT_SHOT, CTR1(drop_no_port), prep_no_vni },
	/* malformed */
	{ "ihl 4", in_ihl4, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "ihl 15 truncated", in_ihl15, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "version 6 in ipv4", in_ver6, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "tot_len past the end", in_totlen_long, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "tot_len below header", in_totlen_short, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "vlan tag", in_vlan, NULL, TC_ACT_SHOT, CTR1(drop_vlan), NULL },
	{ "802.1ad tag", in_qinq, NULL, TC_ACT_SHOT, CTR1(drop_vlan), NULL },
	{ "ipv6", in_ipv6, NULL, TC_ACT_SHOT, CTR1(drop_ethertype), NULL },
	{ "lldp", in_lldp, NULL, TC_ACT_SHOT, CTR1(drop_ethertype), NULL },
};

START_TEST(test_table)
{
	const struct port_case *c = &cases[_i];
	struct harness_result r;
	struct pkt in, want;
	int n = 0;

	if (c->prep)
		c->prep();
	c->in(&in);
	if (c->want)
		c->want(&want);
	else
		want = in;
	run_w1(&in, &r);
	ck_assert_msg((int)r.retval == c->verdict, "%s: verdict %d, want %d", c->name,
		      (int)r.retval, c->verdict);
	if (pkt_hexdiff(stderr, want.buf, want.len, r.out, r.out_len))
		ck_abort_msg("%s: output bytes differ", c->name);
	while (n < 2 && c->ctr[n] != NO_CTR)
		n++;
	expect_counters(c->ctr, n);
}
END_TEST

/* Frames too short for their IPv4 header: this kernel's BPF_PROG_TEST_RUN
 * refuses to build such an skb (-EINVAL), so the program's own check can
 * only be exercised where the kernel lets the frame through. */
START_TEST(test_short_ipv4)
{
	void (*build[])(struct pkt *) = { in_eth_only, in_ip_short };
	size_t ctr[] = { C(drop_malformed) };

	for (int i = 0; i < 2; i++) {
		struct harness_result r;
		struct pkt in;
		int err;

		build[i](&in);
		err = harness_run_tc(prog_fd, if_w1, in.buf, in.len, &r);
		if (err == -EINVAL)
			continue;
		ck_assert_int_eq(err, 0);
		ck_assert_int_eq(r.retval, TC_ACT_SHOT);
		expect_counters(ctr, 1);
		ck_assert_int_eq(harness_map_delete(&h, HM_STATS, &(uint32_t){ 0 }), 0);
	}
}
END_TEST

START_TEST(test_unknown_port)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(drop_no_port) };

	in_udp_local(&in);
	ck_assert_int_eq(harness_run_tc(prog_fd, if_up, in.buf, in.len, &r), 0);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
}
END_TEST

/* ---- ring buffer events --------------------------------------------- */

static void garp(int op)
{
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(arp_garp) };

	arp_frame(&in, PKT_MAC_BCAST, MAC_W1, op, MAC_W1, "10.1.0.11",
		  op == 1 ? PKT_MAC_ZERO : PKT_MAC_BCAST, "10.1.0.11");
	ck_assert_int_eq(harness_events(&h, ev, 4), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
	ck_assert_int_eq(harness_events(&h, ev, 4), 1);
	ck_assert_uint_eq(ev[0].type, VTEP_EV_GARP);
	ck_assert_uint_eq(ev[0].ifindex, (uint32_t)if_w1);
	ck_assert_uint_eq(ev[0].vni, VNI);
	ck_assert_uint_eq(ev[0].ip, IP("10.1.0.11"));
	ck_assert_mem_eq(ev[0].mac, MAC_W1, 6);
}

START_TEST(test_garp_request) { garp(1); }
END_TEST

START_TEST(test_garp_reply) { garp(2); }
END_TEST

/* w1 in "mac: auto" before vtepd learned its MAC. */
static void unlearn_w1(void)
{
	struct vtep_port p1 = { .vni = VNI, .flags = VTEP_PORT_F_MAC_AUTO };

	p1.ip = IP("10.1.0.11");
	ck_assert_int_eq(harness_port_add(&h, if_w1, &p1), 0);
}

static void expect_learn(const struct pkt *in, const uint8_t *mac)
{
	struct vtep_event ev[4];
	struct harness_result r;
	size_t ctr[] = { C(mac_learn), C(drop_mac_unknown) };

	run_w1(in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 2);
	ck_assert_int_eq(harness_events(&h, ev, 4), 1);
	ck_assert_uint_eq(ev[0].type, VTEP_EV_MAC_LEARN);
	ck_assert_uint_eq(ev[0].ifindex, (uint32_t)if_w1);
	ck_assert_uint_eq(ev[0].vni, VNI);
	ck_assert_uint_eq(ev[0].ip, IP("10.1.0.11"));
	ck_assert_mem_eq(ev[0].mac, mac, 6);
}

START_TEST(test_learn_arp)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct pkt in;

	unlearn_w1();
	arp_frame(&in, PKT_MAC_BCAST, mac, 1, mac, "10.1.0.11", PKT_MAC_ZERO, "10.1.255.254");
	expect_learn(&in, mac);
}
END_TEST

START_TEST(test_learn_ipv4)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct pkt in;

	unlearn_w1();
	udp_frame(&in, MAC_GW, mac, "10.1.0.11", "10.1.0.12", 1, 32);
	expect_learn(&in, mac);
}
END_TEST

/* A frame from another IP names no MAC: dropped, no event. */
START_TEST(test_learn_other_ip)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(drop_mac_unknown) };

	unlearn_w1();
	udp_frame(&in, MAC_GW, mac, "10.1.0.99", "10.1.0.12", 1, 32);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
	ck_assert_int_eq(harness_events(&h, ev, 4), 0);
}
END_TEST

/* ---- ICMP echo: checksums verified independently ---------------------- */

START_TEST(test_echo_checksums)
{
	struct harness_result r;
	struct pkt in;

	in_echo_gw(&in);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len);
	ck_assert(pkt_ipv4_csum_ok(r.out + 14));
	ck_assert(pkt_l4_csum_ok(r.out + 14, r.out_len - 14));
	ck_assert_uint_eq(r.out[14 + 20], 0);       /* echo reply */
	ck_assert_uint_eq(r.out[14 + 8], 64);       /* fresh TTL */
	ck_assert_mem_eq(r.out + 14 + 20 + 4, in.buf + 14 + 20 + 4, 4 + 56); /* id, seq, data */
}
END_TEST

/* ---- VXLAN encapsulation -------------------------------------------- */

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Checks every field of the 50 pushed bytes and that the inner packet is
 * the original one; returns the outer UDP source port. */
static uint16_t check_encap(const struct pkt *in, const struct harness_result *r, int df,
			    int outer_macs)
{
	const uint8_t *o = r->out, *ip = o + 14, *udp = ip + 20, *vx = udp + 8, *ie = vx + 8;
	size_t ilen = in->len - 14;
	uint16_t sport;

	ck_assert_int_eq(r->retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r->out_len, in->len + 50);
	if (outer_macs) {
		ck_assert_mem_eq(o, MAC_NH, 6);
		ck_assert_mem_eq(o + 6, mac_up, 6);
	}
	ck_assert_uint_eq(get16(o + 12), 0x0800);
	/* outer IPv4 */
	ck_assert_uint_eq(ip[0], 0x45);
	ck_assert_uint_eq(ip[1], in->buf[15]);             /* TOS copied */
	ck_assert_uint_eq(get16(ip + 2), ilen + 50);
	ck_assert_uint_eq(get16(ip + 6), df ? 0x4000 : 0); /* DF copied */
	ck_assert_uint_eq(ip[8], 64);
	ck_assert_uint_eq(ip[9], 17);
	ck_assert(pkt_ipv4_csum_ok(ip));
	ck_assert_mem_eq(ip + 12, &(uint32_t){ IP("192.0.2.1") }, 4);
	ck_assert_mem_eq(ip + 16, &(uint32_t){ IP("192.0.2.2") }, 4);
	/* UDP */
	sport = get16(udp);
	ck_assert_uint_ge(sport, 49152);
	ck_assert_uint_eq(get16(udp + 2), 4789);
	ck_assert_uint_eq(get16(udp + 4), ilen + 30);
	ck_assert_uint_eq(get16(udp + 6), 0);
	/* VXLAN: I flag, reserved zero, VNI 100 */
	ck_assert_mem_eq(vx, "\x08\x00\x00\x00\x00\x00\x64\x00", 8);
	/* inner Ethernet + the original packet */
	ck_assert_mem_eq(ie, MAC_R21, 6);
	ck_assert_mem_eq(ie + 6, MAC_W1, 6);
	ck_assert_uint_eq(get16(ie + 12), 0x0800);
	ck_assert_mem_eq(ie + 14, in->buf + 14, ilen);
	return sport;
}

/* The whole frame, byte for byte, as the builder makes it. */
static void want_encap(struct pkt *p, const struct pkt *in, uint16_t sport, int df)
{
	pkt_init(p);
	pkt_eth(p, MAC_NH, mac_up, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("192.0.2.1"), .daddr = IP("192.0.2.2"),
				      .proto = IPPROTO_UDP, .df = df, .tos = in->buf[15],
				      .id = get16(in->buf + 18) });
	pkt_udp(p, sport, 4789);
	pkt_vxlan(p, VNI);
	pkt_eth(p, MAC_R21, MAC_W1, 0x0800);
	pkt_put(p, in->buf + 14, in->len - 14);
	ck_assert_int_eq(pkt_finish(p), 0);
}

START_TEST(test_encap)
{
	struct harness_result r;
	struct pkt in, want;
	size_t ctr[] = { C(fwd_encap) };
	uint16_t sport;

	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 1, 100);
	run_w1(&in, &r);
	sport = check_encap(&in, &r, 1, 1);
	want_encap(&want, &in, sport, 1);
	expect_bytes(&r, &want);
	expect_counters(ctr, 1);
}
END_TEST

START_TEST(test_encap_no_df)
{
	struct harness_result r;
	struct pkt in, want;
	uint16_t sport;

	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 0, 100);
	run_w1(&in, &r);
	sport = check_encap(&in, &r, 0, 1);
	want_encap(&want, &in, sport, 0);
	expect_bytes(&r, &want);
}
END_TEST

/* A type-5 prefix route encapsulates like a host route. */
START_TEST(test_encap_prefix)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(fwd_encap) };

	udp_w1(&in, "10.1.128.7");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	ck_assert_mem_eq(r.out + 50, PKT_MAC(2, 0, 0, 0, 0, 0xfe), 6);
	expect_counters(ctr, 1);
}
END_TEST

/* Next hop without a neighbour entry: bpf_redirect_neigh resolves it. */
START_TEST(test_encap_no_neigh)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(fwd_encap) };

	ck_assert_int_eq(harness_sh("ip neigh del 198.51.100.2 dev ta-up"), 0);
	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 1, 100);
	run_w1(&in, &r);
	check_encap(&in, &r, 1, 0);
	expect_counters(ctr, 1);
}
END_TEST

/* The source port follows the inner flow: stable for one flow, spread in
 * 49152-65535 over many. */
START_TEST(test_encap_sport)
{
	struct harness_result r;
	uint16_t first = 0, seen_other = 0;
	struct pkt in;

	for (int i = 0; i < 32; i++) {
		uint16_t sport;

		udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 1, 20);
		in.buf[14 + 20] = (uint8_t)i; /* UDP source port high byte */
		ck_assert_int_eq(pkt_finish(&in), 0);
		run_w1(&in, &r);
		ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
		sport = get16(r.out + 34);
		ck_assert_uint_ge(sport, 49152);
		if (i == 0)
			first = sport;
		else if (sport != first)
			seen_other = 1;
		run_w1(&in, &r);
		ck_assert_uint_eq(get16(r.out + 34), sport);
	}
	ck_assert_msg(seen_other, "32 flows all got source port %u", first);
}
END_TEST

/* Fragments of one packet share a source port: ports are only in the
 * first, so no fragment's hash uses them (bpf/encap.h encap_flow_hash);
 * an unfragmented packet of the same flow hashes its ports too. */
static uint16_t sport_of(const struct pkt_ip *ip, int with_udp)
{
	struct harness_result r;
	struct pkt in;

	pkt_init(&in);
	pkt_eth(&in, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(&in, ip);
	if (with_udp)
		pkt_udp(&in, 1000, 2000);
	pkt_pattern(&in, 24);
	ck_assert_int_eq(pkt_finish(&in), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	return get16(r.out + 34);
}

START_TEST(test_encap_sport_fragments)
{
	struct pkt_ip ip = { .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.21"),
			     .proto = IPPROTO_UDP, .id = 0x77 };
	uint16_t whole, first, second;

	whole = sport_of(&ip, 1);
	ip.mf = 1;
	first = sport_of(&ip, 1);
	ip.mf = 0;
	ip.frag_off = 4;
	second = sport_of(&ip, 0);
	ck_assert_uint_ge(first, 49152);
	ck_assert_uint_eq(first, second);
	ck_assert_uint_ne(whole, first);
}
END_TEST

/* ---- the underlay cache (vtep_underlay, bpf/encap.h) ------------------ */

static struct vtep_underlay_key ul_key(void)
{
	return (struct vtep_underlay_key){ .vtep = IP("192.0.2.2"), .ifindex = (uint32_t)if_w1 };
}

static int ul_fd(void)
{
	return bpf_map__fd(skel->maps.vtep_underlay);
}

/* Runs one encapsulated frame from w1 to 10.1.0.21 and returns its outer
 * destination MAC in dmac (the frame must be an encapsulation). */
static void encap_dmac(uint8_t dmac[6], uint8_t smac[6])
{
	struct harness_result r;
	struct pkt in;

	udp_w1(&in, "10.1.0.21");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	memcpy(dmac, r.out, 6);
	if (smac)
		memcpy(smac, r.out + 6, 6);
}

/* Polls (2 s deadline) until the encapsulated frame's outer destination
 * MAC is want: the cache entry must expire by itself. */
static int encap_dmac_becomes(const uint8_t *want)
{
	struct timespec t0, t;
	uint8_t dmac[6];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		encap_dmac(dmac, NULL);
		if (!memcmp(dmac, want, 6))
			return 1;
		usleep(2000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	return 0;
}

/* A resolved answer is cached: egress, both MACs, the route's MTU, and a
 * deadline at most VTEP_UNDERLAY_TTL_NS away. */
START_TEST(test_underlay_cached)
{
	struct vtep_underlay_key k = ul_key();
	struct vtep_underlay c;
	struct timespec now;
	uint64_t now_ns;
	uint8_t dmac[6];

	ck_assert_int_ne(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_int_eq(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	ck_assert_uint_eq(c.ifindex, (uint32_t)if_up);
	ck_assert_uint_eq(c.mtu, 1500);
	ck_assert_mem_eq(c.dmac, MAC_NH, 6);
	ck_assert_mem_eq(c.smac, mac_up, 6);
	/* bpf_ktime_get_coarse_ns() is CLOCK_MONOTONIC_COARSE. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	ck_assert_uint_gt(c.expires_ns, now_ns);
	ck_assert_uint_le(c.expires_ns, now_ns + VTEP_UNDERLAY_TTL_NS);
}
END_TEST

/* The cache serves packets: a (planted) entry's MACs are used as they are,
 * and once it has expired the kernel's answer is back. */
START_TEST(test_underlay_serves_and_expires)
{
	struct vtep_underlay_key k = ul_key();
	const uint8_t *fake = PKT_MAC(2, 0, 0, 0, 0x77, 0x77);
	struct vtep_underlay c;
	uint8_t dmac[6];

	encap_dmac(dmac, NULL);
	ck_assert_int_eq(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	memcpy(c.dmac, fake, 6);
	ck_assert_int_eq(bpf_map_update_elem(ul_fd(), &k, &c, BPF_EXIST), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, fake, 6);
	/* Past its deadline: asked again, and cached again. */
	c.expires_ns = 1;
	ck_assert_int_eq(bpf_map_update_elem(ul_fd(), &k, &c, BPF_EXIST), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_int_eq(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	ck_assert_mem_eq(c.dmac, MAC_NH, 6);
}
END_TEST

/* The next hop's MAC changes: the new one is used right after vtepd empties
 * the map, and within the lifetime when nobody does. */
START_TEST(test_underlay_neigh_change)
{
	const uint8_t *nh2 = PKT_MAC(2, 0, 0, 0, 0x99, 0x03), *nh3 = PKT_MAC(2, 0, 0, 0, 0x99, 0x04);
	struct vtep_underlay_key k = ul_key();
	uint8_t dmac[6];

	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_int_eq(harness_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:03 "
				    "dev ta-up nud permanent"), 0);
	ck_assert_int_eq(bpf_map_delete_elem(ul_fd(), &k), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, nh2, 6);
	ck_assert_int_eq(harness_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:04 "
				    "dev ta-up nud permanent"), 0);
	ck_assert_msg(encap_dmac_becomes(nh3), "the old next-hop MAC outlived the cache lifetime");
}
END_TEST

/* The route to the VTEP moves to another uplink: outer source MAC and next
 * hop follow within the lifetime. */
START_TEST(test_underlay_route_change)
{
	const uint8_t *nh_b = PKT_MAC(2, 0, 0, 0, 0x98, 0x02);
	uint8_t dmac[6], smac[6], mac_b[6];

	ck_assert_int_gt(harness_veth(&h, "ta-upb", "ta-upbp"), 0);
	ck_assert_int_eq(harness_ifmac("ta-upb", mac_b), 0);
	ck_assert_int_eq(harness_sh("ip addr add 198.51.101.1/24 dev ta-upb && "
				    "ip neigh replace 198.51.101.2 lladdr 02:00:00:00:98:02 "
				    "dev ta-upb nud permanent"), 0);
	encap_dmac(dmac, smac);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_mem_eq(smac, mac_up, 6);
	ck_assert_int_eq(harness_sh("ip route replace 192.0.2.2/32 via 198.51.101.2"), 0);
	ck_assert_msg(encap_dmac_becomes(nh_b), "the old route outlived the cache lifetime");
	encap_dmac(dmac, smac);
	ck_assert_mem_eq(smac, mac_b, 6);
}
END_TEST

/* An unresolved next hop is never cached (bpf_redirect_neigh resolves it
 * on every packet until the kernel has the neighbour). */
START_TEST(test_underlay_no_neigh_not_cached)
{
	struct vtep_underlay_key k = ul_key();
	struct vtep_underlay c;
	struct harness_result r;
	struct pkt in;

	ck_assert_int_eq(harness_sh("ip neigh del 198.51.100.2 dev ta-up"), 0);
	udp_w1(&in, "10.1.0.21");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_int_ne(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
}
END_TEST

/* ---- MTU ------------------------------------------------------------ */

/* UDP from w1 to the remote host with an IPv4 total length of ip_len. */
static void big_udp(struct pkt *p, size_t ip_len, int df)
{
	udp_frame(p, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", df, ip_len - 28);
}

static void want_frag_needed(struct pkt *p, const struct pkt *in, uint16_t mtu, size_t quote)
{
	pkt_init(p);
	pkt_eth(p, MAC_W1, MAC_GW, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.255.254"), .daddr = IP("10.1.0.11"),
				      .proto = IPPROTO_ICMP, .tos = 0xc0 });
	pkt_icmp(p, 3, 4, mtu);
	pkt_put(p, in->buf + 14, quote);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* 1450 + 50 fits a 1500 uplink exactly; 1451 does not. */
START_TEST(test_mtu_fits)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(fwd_encap) };

	big_udp(&in, 1450, 1);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, 14 + 1500);
	expect_counters(ctr, 1);
}
END_TEST

START_TEST(test_frag_needed)
{
	struct harness_result r;
	struct pkt in, want;
	size_t ctr[] = { C(icmp_frag_needed) };

	big_udp(&in, 1451, 1);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_frag_needed(&want, &in, 1450, 20 + 8);
	expect_bytes(&r, &want);
	ck_assert(pkt_ipv4_csum_ok(r.out + 14));
	ck_assert(pkt_l4_csum_ok(r.out + 14, r.out_len - 14));
	expect_counters(ctr, 1);
}
END_TEST

/* TCP: the quote carries the whole TCP header (see icmp.h). */
START_TEST(test_frag_needed_tcp)
{
	struct harness_result r;
	struct pkt in, want;

	pkt_init(&in);
	pkt_eth(&in, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(&in, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.21"),
				       .proto = IPPROTO_TCP, .df = 1 });
	pkt_tcp(&in, 40000, 80, 12345, PKT_TCP_ACK);
	pkt_pattern(&in, 1460);
	ck_assert_int_eq(pkt_finish(&in), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_frag_needed(&want, &in, 1450, 20 + 20);
	expect_bytes(&r, &want);
}
END_TEST

/* A route MTU is honoured where the kernel's forwarding path honours it
 * (ip_mtu_from_fib_result: a locked route MTU, or ip_forward_use_pmtu). */
START_TEST(test_frag_needed_route_mtu)
{
	struct harness_result r;
	struct pkt in, want;

	ck_assert_int_eq(harness_sh("ip route replace 192.0.2.2/32 via 198.51.100.2 mtu lock 1400"),
			 0);
	big_udp(&in, 1351, 1);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_frag_needed(&want, &in, 1350, 28);
	expect_bytes(&r, &want);
}
END_TEST

/* The route's MTU drops while 1351-byte packets flow (1401 outer: fit the
 * cached 1500): within the cache lifetime they get fragmentation-needed with
 * the new MTU; and one above the cached MTU is the kernel's to judge at
 * once. */
START_TEST(test_underlay_mtu_change)
{
	struct harness_result r;
	struct pkt in, want, big;
	struct timespec t0, t;
	int ok = 0;

	big_udp(&in, 1351, 1);
	run_w1(&in, &r);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	ck_assert_int_eq(harness_sh("ip route replace 192.0.2.2/32 via 198.51.100.2 mtu lock 1400"),
			 0);
	big_udp(&big, 1451, 1);
	run_w1(&big, &r);
	want_frag_needed(&want, &big, 1350, 28);
	expect_bytes(&r, &want);
	want_frag_needed(&want, &in, 1350, 28);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		run_w1(&in, &r);
		ok = r.out_len == want.len && !memcmp(r.out, want.buf, want.len);
		if (!ok)
			usleep(2000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!ok && (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	ck_assert_msg(ok, "the old MTU outlived the cache lifetime");
}
END_TEST

START_TEST(test_mtu_no_df)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(drop_mtu) };

	big_udp(&in, 1451, 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_bytes(&r, &in);
	expect_counters(ctr, 1);
}
END_TEST

/* A GSO skb is judged per segment: TCP segments of MSS 1460 (IPv4 1500)
 * fit a 1500 uplink once the MSS drops by 50; an MSS of 2000 does not. */
static void gso_run(uint32_t gso_size, struct pkt *in, struct harness_result *r)
{
	struct __sk_buff ctx = { .ifindex = if_w1, .ingress_ifindex = if_w1,
				 .gso_size = gso_size, .gso_segs = 2 };

	pkt_init(in);
	pkt_eth(in, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(in, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.21"),
				      .proto = IPPROTO_TCP, .df = 1 });
	pkt_tcp(in, 40000, 80, 1, PKT_TCP_ACK);
	pkt_pattern(in, 2 * gso_size < 3000 ? 2 * gso_size : 3000);
	ck_assert_int_eq(pkt_finish(in), 0);
	ck_assert_int_eq(harness_run_tc_ctx(prog_fd, &ctx, in->buf, in->len, r), 0);
}

START_TEST(test_gso_too_big)
{
	struct harness_result r;
	struct pkt in, want;
	size_t ctr[] = { C(icmp_frag_needed) };

	gso_run(1500, &in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_frag_needed(&want, &in, 1450, 40);
	expect_bytes(&r, &want);
	expect_counters(ctr, 1);
}
END_TEST

START_TEST(test_gso_fits)
{
	struct harness_result r;
	struct pkt in;

	gso_run(1460, &in, &r);
	/* BPF_PROG_TEST_RUN cannot set gso_type, so the kernel refuses to
	 * encapsulate its fake GSO skb (bpf_skb_net_grow: not TCP GSO);
	 * what matters here is that the MTU check let it through. */
	ck_assert_uint_eq(harness_stat(&h, icmp_frag_needed), 0);
	ck_assert_uint_eq(harness_stat(&h, drop_mtu), 0);
}
END_TEST

/* ---- suite ---------------------------------------------------------- */

Suite *test_suite(void)
{
	Suite *s = suite_create("port_tc");
	TCase *tc = tcase_create("port");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_short_ipv4);
	tcase_add_test(tc, test_unknown_port);
	tcase_add_test(tc, test_garp_request);
	tcase_add_test(tc, test_garp_reply);
	tcase_add_test(tc, test_learn_arp);
	tcase_add_test(tc, test_learn_ipv4);
	tcase_add_test(tc, test_learn_other_ip);
	tcase_add_test(tc, test_echo_checksums);
	tcase_add_test(tc, test_encap);
	tcase_add_test(tc, test_encap_no_df);
	tcase_add_test(tc, test_encap_prefix);
	tcase_add_test(tc, test_encap_no_neigh);
	tcase_add_test(tc, test_encap_sport);
	tcase_add_test(tc, test_encap_sport_fragments);
	tcase_add_test(tc, test_underlay_cached);
	tcase_add_test(tc, test_underlay_serves_and_expires);
	tcase_add_test(tc, test_underlay_neigh_change);
	tcase_add_test(tc, test_underlay_route_change);
	tcase_add_test(tc, test_underlay_no_neigh_not_cached);
	tcase_add_test(tc, test_mtu_fits);
	tcase_add_test(tc, test_frag_needed);
	tcase_add_test(tc, test_frag_needed_tcp);
	tcase_add_test(tc, test_frag_needed_route_mtu);
	tcase_add_test(tc, test_underlay_mtu_change);
	tcase_add_test(tc, test_mtu_no_df);
	tcase_add_test(tc, test_gso_too_big);
	tcase_add_test(tc, test_gso_fits);
	suite_add_tcase(s, tc);
	return s;
}
