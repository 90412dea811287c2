/* port_fixture.c - see port_fixture.h. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "port_fixture.h"
#include "port_fixture6.h"
#include "portrate.h"

const uint8_t *const MAC_GW = PKT_MAC(2, 0, 0, 0, 1, 0);
const uint8_t *const MAC_W1 = PKT_MAC(2, 0, 0, 0, 0, 0x11);
const uint8_t *const MAC_W2 = PKT_MAC(2, 0, 0, 0, 0, 0x12);
const uint8_t *const MAC_R21 = PKT_MAC(2, 0, 0, 0, 0, 0x21);
const uint8_t *const MAC_NH = PKT_MAC(2, 0, 0, 0, 0x99, 0x02);
const uint8_t *const MAC_EVIL = PKT_MAC(2, 0, 0, 0, 0, 0x66);

struct harness h;
static int port_fixture_check_mtu = 1;
struct port_tc_bpf *skel;
int prog_fd;
int if_w1, if_w2, if_up;
uint8_t mac_up[6];

/* ---- fixture ---------------------------------------------------------- */

static void setup(void)
{
	struct vtep_vni v = { .prefixlen = 16, .arp_reply = VTEP_ARP_REPLY_GATEWAY };
	struct vtep_port p1 = { .vni = VNI }, p2 = { .vni = VNI };
	struct vtep_route r;

	ck_assert_int_eq(harness_init(&h, HARNESS_NETNS), 0);
	skel = port_tc_bpf__open_opts(harness_open_opts(&h));
	ck_assert_ptr_nonnull(skel);
	/* RAs with the MTU option (bpf/features.h: off until vtepd probes). */
	skel->rodata->vtep_have_check_mtu = port_fixture_check_mtu;
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
	port6_setup();
}

static void teardown(void)
{
	port_tc_bpf__destroy(skel);
	skel = NULL;
	harness_fini(&h);
}

/* The loader's check_mtu knob off, as on a kernel without bpf_check_mtu
 * (Linux < 5.12): the same fixture, loaded with vtep_have_check_mtu 0. */
static void setup_no_check_mtu(void)
{
	port_fixture_check_mtu = 0;
	setup();
	port_fixture_check_mtu = 1;
}

TCase *port_tcase_no_check_mtu(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup_no_check_mtu, teardown);
	tcase_set_timeout(tc, 60);
	return tc;
}

TCase *port_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	return tc;
}

/* ---- frame builders ------------------------------------------------- */

void arp_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, uint16_t op,
	       const uint8_t *sha, const char *spa, const uint8_t *tha, const char *tpa)
{
	pkt_init(p);
	pkt_eth(p, edst, esrc, 0x0806);
	pkt_arp(p, op, sha, IP(spa), tha, IP(tpa));
	ck_assert_int_eq(pkt_finish(p), 0);
}

void arp_req_w1(struct pkt *p, const char *tpa)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, tpa);
}

void arp_reply_to_w1(struct pkt *p, const char *tpa, const uint8_t *mac, const char *spa)
{
	arp_frame(p, MAC_W1, mac, 2, mac, tpa, MAC_W1, spa);
}

void udp_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *saddr,
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

void udp_w1(struct pkt *p, const char *daddr)
{
	udp_frame(p, MAC_GW, MAC_W1, "10.1.0.11", daddr, 1, 32);
}

void icmp_echo_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *saddr,
		     const char *daddr, uint8_t type, uint8_t ttl)
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

void expect_counters(const size_t *offs, int n)
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

void run_w1(const struct pkt *in, struct harness_result *r)
{
	ck_assert_int_eq(harness_run_tc(prog_fd, if_w1, in->buf, in->len, r), 0);
}

uint32_t port_vtep_for(const char *daddr)
{
	struct harness_result r;
	struct pkt in;
	uint32_t d;

	udp_w1(&in, daddr);
	run_w1(&in, &r);
	if (r.retval != TC_ACT_REDIRECT || r.out_len != in.len + 50)
		return 0;
	memcpy(&d, r.out + 14 + 16, 4);
	return d;
}

void port_remote_route(const char *ip, const char *vtep)
{
	struct vtep_route r = { .vtep = IP(vtep), .source = VTEP_SRC_BGP };

	memcpy(r.mac, MAC_R21, 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP(ip), &r), 0);
}

void expect_bytes(const struct harness_result *r, const struct pkt *want)
{
	size_t d = pkt_hexdiff(stderr, want->buf, want->len, r->out, r->out_len);

	ck_assert_msg(d == 0, "output differs from the expected frame in %zu bytes", d);
}

/* ---- the table -------------------------------------------------------- */

void port_case_run(const struct port_case *c)
{
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
	if ((int)r.retval != c->verdict)
		harness_stats_dump(&h, stderr);
	ck_assert_msg((int)r.retval == c->verdict, "%s: verdict %d, want %d", c->name,
		      (int)r.retval, c->verdict);
	if (pkt_hexdiff(stderr, want.buf, want.len, r.out, r.out_len))
		ck_abort_msg("%s: output bytes differ", c->name);
	while (n < 2 && c->ctr[n] != NO_CTR)
		n++;
	expect_counters(c->ctr, n);
}

/* ---- frames and map variations of more than one test file ------------- */

void in_udp_local(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
}

const uint8_t ip_opts[4] = { 0x01, 0x01, 0x01, 0x00 }; /* NOP NOP NOP EOL */

void opt_frame(struct pkt *p, const uint8_t *edst, const char *daddr, int mf)
{
	pkt_init(p);
	pkt_eth(p, edst, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP(daddr),
				      .proto = IPPROTO_ICMP, .opts = ip_opts, .optlen = 4, .mf = mf });
	pkt_icmp_echo(p, 8, 1, 1);
	ck_assert_int_eq(pkt_finish(p), 0);
}

void frag_frame(struct pkt *p, const char *daddr, uint16_t off, int mf)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP(daddr),
				      .proto = IPPROTO_ICMP, .mf = mf, .frag_off = off });
	pkt_icmp_echo(p, 8, 1, 1);
	ck_assert_int_eq(pkt_finish(p), 0);
}

void prep_no_vni(void)
{
	uint32_t vni = VNI;

	ck_assert_int_eq(harness_map_delete(&h, HM_VNIS, &vni), 0);
}

void prep_no_default_route(void)
{
	ck_assert_int_eq(harness_sh("ip route del default"), 0);
}

static void set_vni_flags(uint8_t flags)
{
	struct vtep_vni v;
	uint32_t vni = VNI;

	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &vni, &v), 0);
	v.flags |= flags;
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
}

void prep_outside_host(void) { set_vni_flags(VTEP_VNI_F_OUTSIDE_HOST); }

/* A workload of VNI 200 on this host (10.2.0.13 behind ta-w3), with the /32
 * route vtepd gives the host to it. */
void prep_other_vni_port(void)
{
	struct vtep_vni v2 = { .prefixlen = 16 };
	struct vtep_port p3 = { .vni = 200 };
	int if_w3;

	prep_outside_host();
	if_w3 = harness_veth(&h, "ta-w3", "ta-w3p");
	ck_assert_int_gt(if_w3, 0);
	v2.subnet = IP("10.2.0.0");
	v2.gateway_ip = IP("10.2.255.254");
	memcpy(v2.gateway_mac, MAC_GW, 6);
	ck_assert_int_eq(harness_vni_add(&h, 200, &v2), 0);
	p3.ip = IP("10.2.0.13");
	memcpy(p3.mac, PKT_MAC(2, 0, 0, 0, 2, 0x13), 6);
	strcpy(p3.ifname, "ta-w3");
	ck_assert_int_eq(harness_port_add(&h, if_w3, &p3), 0);
	ck_assert_int_eq(harness_sh("sysctl -qw net.ipv4.conf.ta-w1.forwarding=1 && "
				    "ip route add 10.2.0.13/32 dev ta-w3 scope link"), 0);
}

/* w1 as the host link's datapath end: host_ip 10.1.0.11. */
void prep_hostlink(void)
{
	struct vtep_port p1 = { .vni = VNI, .flags = VTEP_PORT_F_HOSTLINK };

	prep_outside_host();
	p1.ip = IP("10.1.0.11");
	memcpy(p1.mac, MAC_W1, 6);
	strcpy(p1.ifname, "ta-w1");
	ck_assert_int_eq(harness_port_add(&h, if_w1, &p1), 0);
}

/* ---- frames and map variations of the drop-reason walk (test_port_drops.c)
 * that other files test on their own ---------------------------------- */

void unlearn_w1(void)
{
	struct vtep_port p1 = { .vni = VNI, .flags = VTEP_PORT_F_MAC_AUTO };

	p1.ip = IP("10.1.0.11");
	ck_assert_int_eq(harness_port_add(&h, if_w1, &p1), 0);
}

void in_arp_unknown(struct pkt *p)
{
	arp_req_w1(p, "10.1.0.99");
}

void in_probe_self(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 1, MAC_W1, "0.0.0.0", PKT_MAC_ZERO, "10.1.0.11");
}

void in_arp_op3(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 3, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, "10.1.0.12");
}

void in_arp_reply_to_linklocal(struct pkt *p)
{
	arp_frame(p, PKT_MAC(2, 0, 0, 0, 0xaa, 1), MAC_W1, 2, MAC_W1, "10.1.0.11",
		  PKT_MAC(2, 0, 0, 0, 0xaa, 1), "169.254.1.1");
}

void in_opts_gw(struct pkt *p)
{
	opt_frame(p, MAC_GW, "10.1.255.254", 0);
}

void in_frag_first_gw(struct pkt *p)
{
	frag_frame(p, "10.1.255.254", 0, 1);
}

void in_no_route(struct pkt *p)
{
	udp_w1(p, "10.1.0.99");
}

void in_udp_remote(struct pkt *p)
{
	udp_w1(p, "10.1.0.21");
}

void prep_remote_unreachable(void)
{
	struct vtep_route r = { .vtep = IP("203.0.113.9"), .source = VTEP_SRC_STATIC };

	memcpy(r.mac, MAC_R21, 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.21"), &r), 0);
}


void prep_rate_w1(uint64_t rate, uint64_t burst)
{
	struct vtep_port_rate v;
	__u32 key = if_w1;

	struct vtep_port p;

	portrate_value(rate, burst, &v);
	ck_assert_int_eq(harness_map_update(&h, HM_PORT_RATES, &key, &v), 0);
	/* the flag that makes the program look the bucket up, as vtepd sets it */
	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_PORTS], &key, &p), 0);
	p.flags |= VTEP_PORT_F_POLICED;
	ck_assert_int_eq(harness_port_add(&h, key, &p), 0);
}

void prep_rate_w1_tiny(void)
{
	prep_rate_w1(1000, 1);
}
