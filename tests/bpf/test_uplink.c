/* test_uplink.c - the uplink programs (bpf/uplink_xdp.bpf.c, uplink_tc.bpf.c,
 * bpf/decap.h) under BPF_PROG_TEST_RUN, and live on veths.
 *
 * Fixture (fresh for every test; Check forks each one): a private network
 * namespace and bpffs (harness.h), both skeletons loaded on the same pinned
 * maps, veths tu-up/tu-upp (the uplink), tu-w1/tu-w1p (a port of VNI 100)
 * and tu-w2/tu-w2p (a port of VNI 200), and the maps: vtep_ip 192.0.2.1,
 * remote VTEP 192.0.2.2, VNI 100 (gateway 02:00:00:00:01:00) and 200, the
 * workloads' local routes and fdb entries, a remote host of VNI 100, and two
 * deliberately wrong entries that point into VNI 200's port (isolation).
 *
 * The XDP half is two programs with one body (bpf/uplink_xdp.bpf.c): the
 * native-mode build with multi-buffer support (vtep_uplink_xdp) and the
 * generic-mode build without (vtep_uplink_gen); the table runs through both,
 * and multi-buffer frames (jumbo VXLAN, a trailer or padding in the last
 * fragment) through the native one, under BPF_PROG_TEST_RUN (a frame over
 * one page becomes fragments there as on a veth) and live on a veth whose
 * peer has a 9000 MTU (refused without frags).
 *
 * The TC side is one program per uplink mode (bpf/uplink_tc.bpf.c):
 * vtep_uplink_tc in tc mode classifies and decapsulates by itself;
 * vtep_uplink_xtc, the TC half of xdp mode, acts only on frames carrying the
 * XDP half's metadata. A test picks the program of the mode it tests (no
 * global flag switches modes).
 *
 * One table of packets runs three ways: the XDP program in xdp mode (verdict,
 * output bytes, XDP metadata), vtep_uplink_tc (verdict, output bytes) and,
 * for what arrives without metadata, vtep_uplink_xtc. Every
 * run checks the whole counter struct, so a verdict counted twice or under
 * the wrong name fails too. An inner ARP request for a local workload is
 * answered by the uplink itself: the expected reply is built independently
 * with pkt.h and compared byte for byte (XDP: written, and handed to the TC
 * half with VTEP_META_MAGIC_TX; TC: redirected to the uplink's egress).
 *
 * BPF_PROG_TEST_RUN cannot hand an skb program metadata (EINVAL on data_meta
 * on this kernel), so the XDP -> metadata -> TC -> bpf_redirect_peer() chain
 * runs live: programs attached to tu-up, frames injected from tu-upp with a
 * packet socket, the workload end tu-w1p in a namespace of its own
 * (bpf_redirect_peer() refuses a peer in the same namespace), captured there
 * and answered by the workload's own stack (ICMP echo, ARP). Every namespace
 * is anonymous, held only by this process: nothing outlives a failed test.
 *
 * Kernels that cannot run the XDP half (a verifier that refuses
 * bpf_xdp_adjust_meta in XDP programs, as some builds do): main() first
 * loads uplink_xdp once, in a child, through the harness. When the kernel
 * refuses it, and refuses one of the XDP capabilities vtepd itself probes
 * (bpf/probe.bpf.c) too, the XDP tcases ("xdp", "xdp-generic", "live-xdp")
 * are not added and one line `SKIP test_uplink [xdp]: <verifier line>` says
 * so (tests/run-unit.sh counts it). A refusal on a kernel that passes those
 * probes is our program's fault: the XDP tcases run and fail. Everything on
 * the TC side ("tc", "xtc", "live") runs on every kernel: it carries the
 * decapsulation contract of tc mode, vtepd's fallback.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "harness.h"
#include "pkt.h"
#include "probe.skel.h"
#include "uplink_tc.skel.h"
#include "uplink_xdp.skel.h"

#define UPLINK      "tu-up"
#define UPLINK_PEER "tu-upp"
#define W1          "tu-w1"
#define W1_PEER     "tu-w1p"
#define W2          "tu-w2"
#define W2_PEER     "tu-w2p"

#define VTEP_IP     "192.0.2.1"
#define REMOTE_IP   "192.0.2.2"
#define STRANGER_IP "192.0.2.3" /* not a known VTEP */
#define OTHER_IP    "192.0.2.9" /* some other host's address */
#define W1_IP       "10.1.0.11"
#define R_IP        "10.1.0.21" /* a remote workload of VNI 100 */
#define GHOST_IP    "10.1.0.99" /* wrong route: VNI 100 -> VNI 200's port */
#define UNKNOWN_IP  "10.1.0.50"
#define W2_IP       "10.2.0.12"

#define UPLINK_MAC  PKT_MAC(0x02, 0, 0, 0, 0xaa, 0x01)
#define LEAF_MAC    PKT_MAC(0x02, 0, 0, 0, 0xbb, 0x01)
#define GW1_MAC     PKT_MAC(0x02, 0, 0, 0, 0x01, 0x00)
#define GW2_MAC     PKT_MAC(0x02, 0, 0, 0, 0x02, 0x00)
#define W1_MAC      PKT_MAC(0x02, 0, 0, 0, 0, 0x11)
#define W2_MAC      PKT_MAC(0x02, 0, 0, 0, 0, 0x12)
#define R_MAC       PKT_MAC(0x02, 0, 0, 0, 0, 0x21)
#define STRAY_MAC   PKT_MAC(0x02, 0, 0, 0, 0, 0x99) /* wrong fdb: -> VNI 200's port */
#define UNKNOWN_MAC PKT_MAC(0x02, 0, 0, 0, 0, 0x55)

#define STAT(name)  offsetof(struct vtep_stats, name)
#define NO_STAT     ((size_t)-1)

static struct harness h;
static struct uplink_xdp_bpf *xskel;
static struct uplink_tc_bpf *tskel;
static int xgen; /* the "xdp generic" tcase: run vtep_uplink_gen */
static uint32_t xlinear; /* run_xdp(): bytes kept linear, 0 = all that fit */
static int if_up, if_w1, if_w2;

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

/* ------------------------------------------------------- packet builders */

struct outer {
	const char *saddr, *daddr; /* default REMOTE_IP -> VTEP_IP */
	uint16_t dport;            /* default 4789 */
	uint32_t vni;              /* default 100 */
	const uint8_t *opts;
	uint8_t optlen;
	int mf;
	uint16_t frag_off;
};

static void put_outer(struct pkt *p, const struct outer *o)
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
static void w_arp_answer(struct pkt *p)
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

static void b_mac(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, W1_MAC, W1_IP);
}
static void b_gw(struct pkt *p)
{
	vx_to(p, &(struct outer){ 0 }, GW1_MAC, W1_IP);
}
static void b_arp_req(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	put_inner_arp(p, PKT_MAC_BCAST, 1, W1_IP);
}
static void b_arp_reply(struct pkt *p)
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
static void b_inner_v6(struct pkt *p)
{
	put_outer(p, &(struct outer){ 0 });
	pkt_eth(p, W1_MAC, R_MAC, ETH_P_IPV6);
	pkt_pattern(p, 60);
}
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
static void b_outer_vlan(struct pkt *p)
{
	pkt_eth(p, UPLINK_MAC, LEAF_MAC, ETH_P_8021Q);
	pkt_vlan(p, 20, ETH_P_IP);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = pkt_ip(REMOTE_IP), .daddr = pkt_ip(VTEP_IP),
				       .proto = IPPROTO_UDP });
	pkt_udp(p, 51234, VTEP_VXLAN_PORT);
	pkt_vxlan(p, 100);
	put_inner_udp(p, W1_MAC, R_MAC, R_IP, W1_IP);
}
static void b_forged(struct pkt *p)
{
	/* What a decapsulated frame looks like, arriving natively. */
	put_inner_udp(p, W1_MAC, R_MAC, R_IP, W1_IP);
}

/* ------------------------------------------------------------ the table */

enum outcome { O_PASS, O_DROP, O_DELIVER, O_ARP_REPLY };

struct ucase {
	const char *name;
	void (*build)(struct pkt *p);
	void (*patch)(struct pkt *p); /* after pkt_finish(), or NULL */
	enum outcome out;
	size_t stat;            /* O_DROP: the drop reason */
	int port;               /* deliveries: 1 = tu-w1, 2 = tu-w2 */
	const uint8_t *new_dst; /* deliveries: the inner destination MAC written */
	size_t trail;           /* bytes after the IPv4 packet, not delivered */
	void (*want)(struct pkt *p); /* O_ARP_REPLY: the frame sent back */
	void (*prep)(void);     /* map changes before the run, or NULL */
};

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

static const struct ucase cases[] = {
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
	{ "inner IPv6", b_inner_v6, NULL,
	  O_DROP, STAT(drop_vx_inner), 0, NULL, 0, NULL, NULL },
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
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void build(const struct ucase *c, struct pkt *p)
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
static size_t expected_inner(const struct ucase *c, const struct pkt *p, uint8_t *out)
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

static int case_ifindex(const struct ucase *c)
{
	return c->port == 2 ? if_w2 : if_w1;
}

/* ------------------------------------------------------ runs and checks */

static void stats_reset(void)
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
static void expected_stats(const struct ucase *c, struct vtep_stats *s)
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
		s->arp_vx_reply = 1;
		return;
	}
}

static void assert_stats(const char *what, const struct vtep_stats *want)
{
	struct vtep_stats got;

	ck_assert_int_eq(harness_stats(&h, &got), 0);
	if (memcmp(&got, want, sizeof(got))) {
		fprintf(stderr, "%s: counters differ; got:\n", what);
		harness_stats_dump(&h, stderr);
		ck_abort_msg("%s: unexpected counters", what);
	}
}

static void assert_bytes(const char *what, const void *want, size_t wlen, const void *got,
			 size_t glen)
{
	if (pkt_hexdiff(stderr, want, wlen, got, glen))
		ck_abort_msg("%s: output bytes differ", what);
}

/* O_ARP_REPLY: exactly the answer, with correct IPv4 checksum and length. */
static void assert_reply(const struct ucase *c, const uint8_t *got, size_t glen)
{
	struct pkt want;

	pkt_init(&want);
	c->want(&want);
	ck_assert_int_eq(pkt_finish(&want), 0);
	ck_assert_msg(pkt_ipv4_csum_ok(got + ETH_HLEN), "%s: bad IPv4 checksum", c->name);
	assert_bytes(c->name, want.buf, want.len, got, glen);
}

/* XDP run with metadata in and out (the harness's runner has no ctx_out).
 * test_run's data_out starts at data_meta; ctx_out.data is its length. */
struct xrun {
	uint32_t retval;
	uint8_t out[PKT_BUF + 64];
	uint32_t out_len;
	uint32_t meta_len;
};

static int xdp_fd(void)
{
	return bpf_program__fd(xgen ? xskel->progs.vtep_uplink_gen : xskel->progs.vtep_uplink_xdp);
}

static void run_xdp(const void *meta, uint32_t metalen, const void *pkt, size_t len,
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
static void run_tc(const void *pkt, size_t len, struct harness_result *r)
{
	run_tc_prog(tskel->progs.vtep_uplink_tc, pkt, len, r);
}

/* xdp mode's TC half (vtep_uplink_xtc). */
static void run_xtc(const void *pkt, size_t len, struct harness_result *r)
{
	run_tc_prog(tskel->progs.vtep_uplink_xtc, pkt, len, r);
}

/* ---------------------------------------------------------------- tests */

/* xdp mode, the XDP half: XDP_PASS untouched, XDP_DROP, or XDP_PASS with the
 * inner frame and the metadata naming the port. */
START_TEST(test_xdp_case)
{
	const struct ucase *c = &cases[_i];
	struct vtep_stats want;
	uint8_t inner[PKT_BUF];
	struct vtep_xdp_meta meta;
	struct xrun r;
	struct pkt p;
	size_t ilen;

	build(c, &p);
	run_xdp(NULL, 0, p.buf, p.len, &r);
	switch (c->out) {
	case O_PASS:
		ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
		ck_assert_uint_eq(r.meta_len, 0);
		assert_bytes(c->name, p.buf, p.len, r.out, r.out_len);
		break;
	case O_DROP:
		ck_assert_msg(r.retval == XDP_DROP, "%s: verdict %u", c->name, r.retval);
		break;
	case O_ARP_REPLY:
		/* The reply, and the metadata that has the TC half send it
		 * back out of the uplink. */
		ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
		ck_assert_uint_eq(r.meta_len, sizeof(meta));
		memcpy(&meta, r.out, sizeof(meta));
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC_TX);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)if_up);
		assert_reply(c, r.out + r.meta_len, r.out_len - r.meta_len);
		break;
	case O_DELIVER:
		ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
		ck_assert_uint_eq(r.meta_len, sizeof(meta));
		memcpy(&meta, r.out, sizeof(meta));
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)case_ifindex(c));
		ilen = expected_inner(c, &p, inner);
		assert_bytes(c->name, inner, ilen, r.out + r.meta_len, r.out_len - r.meta_len);
		break;
	}
	expected_stats(c, &want);
	assert_stats(c->name, &want);
}
END_TEST

/* tc mode, vtep_uplink_tc alone: TC_ACT_OK untouched, TC_ACT_SHOT, or
 * TC_ACT_REDIRECT with exactly the inner frame. */
START_TEST(test_tc_case)
{
	const struct ucase *c = &cases[_i];
	struct harness_result r;
	struct vtep_stats want;
	uint8_t inner[PKT_BUF];
	struct pkt p;
	size_t ilen;

	build(c, &p);
	run_tc(p.buf, p.len, &r);
	switch (c->out) {
	case O_PASS:
		ck_assert_msg(r.retval == TC_ACT_OK, "%s: verdict %u", c->name, r.retval);
		assert_bytes(c->name, p.buf, p.len, r.out, r.out_len);
		break;
	case O_DROP:
		ck_assert_msg(r.retval == TC_ACT_SHOT, "%s: verdict %u", c->name, r.retval);
		break;
	case O_ARP_REPLY:
		ck_assert_msg(r.retval == TC_ACT_REDIRECT, "%s: verdict %u", c->name, r.retval);
		assert_reply(c, r.out, r.out_len);
		break;
	case O_DELIVER:
		ck_assert_msg(r.retval == TC_ACT_REDIRECT, "%s: verdict %u", c->name, r.retval);
		ilen = expected_inner(c, &p, inner);
		assert_bytes(c->name, inner, ilen, r.out, r.out_len);
		break;
	}
	expected_stats(c, &want);
	assert_stats(c->name, &want);
}
END_TEST

/* xdp mode, the TC half (vtep_uplink_xtc), on what arrives without
 * metadata (everything the XDP half passed, and whatever it would have
 * dropped): untouched, uncounted, never redirected. */
START_TEST(test_tc_xdp_mode_without_meta)
{
	const struct ucase *c = &cases[_i];
	struct harness_result r;
	struct vtep_stats zero;
	struct pkt p;

	build(c, &p);
	run_xtc(p.buf, p.len, &r);
	ck_assert_msg(r.retval == TC_ACT_OK, "%s: verdict %u", c->name, r.retval);
	assert_bytes(c->name, p.buf, p.len, r.out, r.out_len);
	memset(&zero, 0, sizeof(zero));
	assert_stats(c->name, &zero);
}
END_TEST

/* One frame, both TC programs: the mode is the program, not a flag. VXLAN
 * for a local workload with no XDP metadata (as it arrives in xdp mode when
 * the XDP half was detached, or was never there): vtep_uplink_xtc leaves it
 * to the host byte for byte with no counter moved (in xdp mode the XDP half
 * counts every frame, so a count here would count it twice); vtep_uplink_tc
 * on the very same bytes decapsulates and delivers it. The
 * second frame is an inner ARP request for the workload: xtc passes it
 * untouched, tc answers it out of the uplink. */
START_TEST(test_tc_program_per_mode)
{
	const struct ucase *c[] = { &cases[0], &cases[2] }; /* deliver, ARP reply */
	struct harness_result r;
	struct vtep_stats zero, want;
	uint8_t inner[PKT_BUF];
	struct pkt p;
	size_t ilen;

	ck_assert_int_eq(c[0]->out, O_DELIVER);
	ck_assert_int_eq(c[1]->out, O_ARP_REPLY);
	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < 2; i++) {
		build(c[i], &p);
		stats_reset();
		run_xtc(p.buf, p.len, &r);
		ck_assert_msg(r.retval == TC_ACT_OK, "xtc, %s: verdict %u", c[i]->name, r.retval);
		assert_bytes(c[i]->name, p.buf, p.len, r.out, r.out_len);
		assert_stats(c[i]->name, &zero);

		run_tc(p.buf, p.len, &r);
		expected_stats(c[i], &want);
		assert_stats(c[i]->name, &want);
		ck_assert_msg(r.retval == TC_ACT_REDIRECT, "tc, %s: verdict %u", c[i]->name,
			      r.retval);
		if (c[i]->out == O_ARP_REPLY) {
			assert_reply(c[i], r.out, r.out_len);
		} else {
			ilen = expected_inner(c[i], &p, inner);
			assert_bytes(c[i]->name, inner, ilen, r.out, r.out_len);
		}
	}
}
END_TEST

/* Cut a VXLAN packet at every length: until the UDP header is complete
 * nothing says it is VXLAN (pass; the host drops the runt), from there on it
 * is malformed VXLAN for our VTEP. Both inner kinds the classifier reads
 * into (IPv4 routed by the gateway MAC, ARP). An skb test run refuses an
 * IPv4 frame shorter than Ethernet + IPv4 header (EINVAL), so TC starts
 * there. */
static void truncations(int tc_mode)
{
	void (*builders[])(struct pkt *) = { b_gw, b_arp_req };
	const size_t udp_end = ETH_HLEN + 20 + 8;
	struct harness_result tr;
	struct vtep_stats want;
	struct xrun xr;
	struct pkt p;

	for (size_t b = 0; b < 2; b++) {
		pkt_init(&p);
		builders[b](&p);
		ck_assert_int_eq(pkt_finish(&p), 0);
		for (size_t len = tc_mode ? ETH_HLEN + 20 : ETH_HLEN; len < p.len; len++) {
			int pass = len < udp_end;
			uint32_t verdict;

			stats_reset();
			if (tc_mode) {
				run_tc(p.buf, len, &tr);
				verdict = tr.retval;
				ck_assert_msg(verdict == (pass ? TC_ACT_OK : TC_ACT_SHOT),
					      "builder %zu cut at %zu: verdict %u", b, len, verdict);
				if (pass)
					assert_bytes("truncated pass", p.buf, len, tr.out, tr.out_len);
			} else {
				run_xdp(NULL, 0, p.buf, len, &xr);
				verdict = xr.retval;
				ck_assert_msg(verdict == (pass ? XDP_PASS : XDP_DROP),
					      "builder %zu cut at %zu: verdict %u", b, len, verdict);
				if (pass)
					assert_bytes("truncated pass", p.buf, len, xr.out, xr.out_len);
			}
			memset(&want, 0, sizeof(want));
			want.uplink_rx = 1;
			if (pass) {
				want.uplink_pass = 1;
			} else {
				want.vxlan_rx = 1;
				want.drop_vx_malformed = 1;
			}
			assert_stats("truncated", &want);
		}
	}
}

START_TEST(test_xdp_truncated)
{
	truncations(0);
}
END_TEST

START_TEST(test_tc_truncated)
{
	truncations(1);
}
END_TEST

/* Metadata the XDP half did not write must never reach the TC half as ours:
 * on a frame it passes, our magics are wiped; on a delivery, ours replaces
 * whatever was there. */
START_TEST(test_xdp_foreign_meta)
{
	struct vtep_xdp_meta tx = { .magic = VTEP_META_MAGIC_TX, .ifindex = 0 };
	struct vtep_xdp_meta meta = { .magic = VTEP_META_MAGIC, .ifindex = 0 };
	uint32_t big[4] = { VTEP_META_MAGIC, 999, 7, 7 };
	struct vtep_xdp_meta got;
	struct xrun r;
	struct pkt p;

	meta.ifindex = (uint32_t)if_w1;
	pkt_init(&p);
	b_forged(&p);
	ck_assert_int_eq(pkt_finish(&p), 0);
	run_xdp(&meta, sizeof(meta), p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, XDP_PASS);
	ck_assert_uint_eq(r.meta_len, sizeof(meta));
	memcpy(&got, r.out, sizeof(got));
	ck_assert_uint_ne(got.magic, VTEP_META_MAGIC);
	assert_bytes("forged frame", p.buf, p.len, r.out + r.meta_len, r.out_len - r.meta_len);

	tx.ifindex = (uint32_t)if_up;
	run_xdp(&tx, sizeof(tx), p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, XDP_PASS);
	ck_assert_uint_eq(r.meta_len, sizeof(tx));
	memcpy(&got, r.out, sizeof(got));
	ck_assert_uint_ne(got.magic, VTEP_META_MAGIC_TX);

	pkt_init(&p);
	b_mac(&p);
	ck_assert_int_eq(pkt_finish(&p), 0);
	run_xdp(big, sizeof(big), p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, XDP_PASS);
	ck_assert_uint_eq(r.meta_len, sizeof(got));
	memcpy(&got, r.out, sizeof(got));
	ck_assert_uint_eq(got.magic, VTEP_META_MAGIC);
	ck_assert_uint_eq(got.ifindex, (uint32_t)if_w1);
}
END_TEST

/* ------------------------------------------------------------ live tests */

/* The tc modes first: tcase "live" runs [0, LIVE_N_TC) everywhere, tcase
 * "live-xdp" the rest where the kernel runs the XDP half. */
enum live_mode { LIVE_TC, LIVE_TC_TAPFLAG, LIVE_XDP_DRV, LIVE_XDP_SKB, LIVE_XDP_TAPFLAG,
		 LIVE_N };
#define LIVE_N_TC LIVE_XDP_DRV
static const char *const live_names[LIVE_N] = { "tc", "tc, port flagged tap", "xdp (driver)",
						"xdp (generic)", "xdp, port flagged tap" };

static int open_ns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

/* A new network namespace, held by the returned fd only (not close-on-exec:
 * ip and nsenter reach it as /proc/<our pid>/fd/<fd>); we stay in ours. */
static int netns_new(void)
{
	int self = open_ns("/proc/self/ns/net"), fd;

	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	fd = open("/proc/self/ns/net", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setns(self, CLONE_NEWNET), 0);
	close(self);
	return fd;
}

/* A packet socket on ifname, created in the namespace behind ns_fd (-1:
 * the current one). */
static int packet_socket(int ns_fd, const char *ifname)
{
	int self = -1, fd, ifindex;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };

	if (ns_fd >= 0) {
		self = open_ns("/proc/self/ns/net");
		ck_assert_int_eq(setns(ns_fd, CLONE_NEWNET), 0);
	}
	ifindex = harness_ifindex(ifname);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (self >= 0) {
		ck_assert_int_eq(setns(self, CLONE_NEWNET), 0);
		close(self);
	}
	ck_assert_int_gt(ifindex, 0);
	ck_assert_int_ge(fd, 0);
	sll.sll_ifindex = ifindex;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* match() says 1 (the frame waited for), -1 (a frame that must not come)
 * or 0 (unrelated). Returns match()'s verdict, or 0 at the deadline; with
 * pkttype, the matching frame's packet type and skb->protocol (sll_protocol,
 * network order) in *pkttype and *proto. */
typedef int (*frame_match)(const uint8_t *f, size_t len, const void *arg);

static int wait_frame_proto(int fd, frame_match match, const void *arg, int *pkttype,
			    uint16_t *proto)
{
	struct timespec deadline;
	uint8_t buf[PKT_BUF];

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 5;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		long left = ms_left(&deadline);
		ssize_t n;
		int m;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return 0;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		m = match(buf, (size_t)n, arg);
		if (m) {
			if (pkttype)
				*pkttype = from.sll_pkttype;
			if (proto)
				*proto = from.sll_protocol;
			return m;
		}
	}
}

static int wait_frame(int fd, frame_match match, const void *arg, int *pkttype)
{
	return wait_frame_proto(fd, match, arg, pkttype, NULL);
}

/* Drains what fd holds now: match()'s first non-zero verdict, else 0. */
static int recv_any(int fd, frame_match match)
{
	uint8_t buf[PKT_BUF];
	ssize_t n;
	int m = 0;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0)
		if (!m)
			m = match(buf, (size_t)n, NULL);
	return m;
}

struct exact {
	const uint8_t *want;
	size_t wlen;
	const uint8_t *forbid[2];
	size_t flen[2];
};

static int match_exact(const uint8_t *f, size_t len, const void *arg)
{
	const struct exact *e = arg;

	if (len == e->wlen && !memcmp(f, e->want, len))
		return 1;
	for (int i = 0; i < 2; i++) {
		if (e->forbid[i] && len == e->flen[i] && !memcmp(f, e->forbid[i], len))
			return -1;
	}
	return 0;
}

/* The workload's ICMP echo reply to the remote workload. */
static int match_echo_reply(const uint8_t *f, size_t len, const void *arg)
{
	const uint8_t *ip = f + ETH_HLEN;
	uint16_t id = *(const uint16_t *)arg;

	if (len < ETH_HLEN + 28 || f[12] != 0x08 || f[13] != 0x00 || ip[9] != IPPROTO_ICMP)
		return 0;
	if (memcmp(ip + 12, &(uint32_t){ pkt_ip(W1_IP) }, 4) ||
	    memcmp(ip + 16, &(uint32_t){ pkt_ip(R_IP) }, 4))
		return 0;
	return ip[20] == 0 && !memcmp(ip + 24, &(uint16_t){ htons(id) }, 2);
}

/* Any ARP frame (the workload must see none: the uplink answers for it). */
static int match_any_arp(const uint8_t *f, size_t len, const void *arg)
{
	(void)arg;
	return len >= ETH_HLEN && f[12] == 0x08 && f[13] == 0x06 ? -1 : 0;
}

static void attach_tc(int ifindex, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);

	ck_assert_int_eq(bpf_tc_hook_create(&hook), 0);
	ck_assert_int_eq(bpf_tc_attach(&hook, &opts), 0);
}

static void inject(int fd, const struct pkt *p)
{
	ck_assert_int_eq(send(fd, p->buf, p->len, 0), (ssize_t)p->len);
}

/* The whole path on real devices. First two frames that must never reach
 * the workload: a forged "decapsulated" frame, and VXLAN on VLAN 20 (the
 * kernel moves the tag out of the data before TC ingress, so only
 * skb->vlan_present tells it apart). Then VXLAN to the workload's MAC (the
 * exact inner frame, as PACKET_HOST, must be the first of the three to
 * arrive), to the gateway MAC with an ICMP echo request (the workload's
 * stack must accept and answer it), and an ARP request for the workload
 * (the uplink must answer it in VXLAN, back out of the uplink, and the
 * workload must never see it). Last an inner ARP reply to the workload's
 * MAC: delivered as ARP (skb->protocol too: in tc mode a peer redirect would
 * keep the outer frame's ETH_P_IP, and the workload's stack would hand the
 * ARP to ip_rcv). */
START_TEST(test_live)
{
	enum live_mode mode = (enum live_mode)_i;
	int tc_mode = mode == LIVE_TC || mode == LIVE_TC_TAPFLAG;
	int tapflag = mode == LIVE_XDP_TAPFLAG || mode == LIVE_TC_TAPFLAG;
	uint8_t inner[PKT_BUF], tagged_inner[PKT_BUF];
	struct pkt forged, tagged, vx, echo, arp, arp_rep;
	uint16_t proto = 0;
	uint16_t echo_id = 0x4242;
	int ns_fd, inj, cap_w, cap_h, cap_u, pkttype = -1;
	struct pkt answer;
	struct exact e;
	char ns[64];

	ns_fd = netns_new();
	snprintf(ns, sizeof(ns), "/proc/%d/fd/%d", (int)getpid(), ns_fd);
	ck_assert_int_eq(harness_sh(
		"nsenter --net=%1$s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		"net.ipv6.conf.default.disable_ipv6=1 && "
		"ip link set %2$s netns %1$s && "
		"nsenter --net=%1$s sh -c 'ip link set lo up && "
		"ip link set %2$s address 02:00:00:00:00:11 up && "
		"ip addr add %3$s/16 dev %2$s && "
		"ip neigh add %4$s lladdr 02:00:00:00:00:21 dev %2$s nud permanent'",
		ns, W1_PEER, W1_IP, R_IP), 0);
	if (tapflag) {
		struct vtep_port port = { .vni = 100, .ip = pkt_ip(W1_IP), .flags = VTEP_PORT_F_TAP };

		memcpy(port.mac, W1_MAC, 6);
		ck_assert_int_eq(harness_port_add(&h, (uint32_t)if_w1, &port), 0);
	}
	/* Each mode its own TC program, as vtepd attaches them. */
	attach_tc(if_up, bpf_program__fd(tc_mode ? tskel->progs.vtep_uplink_tc
					 : tskel->progs.vtep_uplink_xtc));
	if (!tc_mode)
		ck_assert_int_eq(bpf_xdp_attach(if_up, mode == LIVE_XDP_SKB ?
						bpf_program__fd(xskel->progs.vtep_uplink_gen) :
						bpf_program__fd(xskel->progs.vtep_uplink_xdp),
						mode == LIVE_XDP_SKB ? XDP_FLAGS_SKB_MODE
								     : XDP_FLAGS_DRV_MODE, NULL), 0);

	cap_w = packet_socket(ns_fd, W1_PEER);
	cap_h = packet_socket(-1, W1);
	inj = packet_socket(-1, UPLINK_PEER);
	cap_u = packet_socket(-1, UPLINK_PEER);

	pkt_init(&forged);
	b_forged(&forged);
	ck_assert_int_eq(pkt_finish(&forged), 0);
	pkt_init(&tagged);
	b_outer_vlan(&tagged);
	ck_assert_int_eq(pkt_finish(&tagged), 0);
	tagged.buf[tagged.len - 1] ^= 0xff; /* its inner frame differs from vx's */
	pkt_init(&vx);
	b_mac(&vx);
	ck_assert_int_eq(pkt_finish(&vx), 0);
	inject(inj, &forged);
	inject(inj, &tagged);
	inject(inj, &vx);
	e = (struct exact){ .want = inner, .wlen = expected_inner(&cases[0], &vx, inner),
			    .forbid = { forged.buf, tagged_inner },
			    .flen = { forged.len, expected_inner(&cases[0], &tagged, tagged_inner) } };
	ck_assert_int_ne(memcmp(inner, tagged_inner, e.wlen), 0);
	ck_assert_msg(wait_frame(cap_w, match_exact, &e, &pkttype) == 1,
		      "%s: the inner frame did not reach the workload first", live_names[mode]);
	ck_assert_int_eq(pkttype, PACKET_HOST);

	pkt_init(&echo);
	put_outer(&echo, &(struct outer){ 0 });
	pkt_eth(&echo, GW1_MAC, R_MAC, ETH_P_IP);
	pkt_ipv4(&echo, &(struct pkt_ip){ .saddr = pkt_ip(R_IP), .daddr = pkt_ip(W1_IP),
					  .proto = IPPROTO_ICMP });
	pkt_icmp_echo(&echo, 8, echo_id, 1);
	pkt_pattern(&echo, 24);
	ck_assert_int_eq(pkt_finish(&echo), 0);
	inject(inj, &echo);
	ck_assert_msg(wait_frame(cap_h, match_echo_reply, &echo_id, NULL) == 1,
		      "%s: no echo reply from the workload", live_names[mode]);

	pkt_init(&arp);
	b_arp_req(&arp);
	ck_assert_int_eq(pkt_finish(&arp), 0);
	pkt_init(&answer);
	w_arp_answer(&answer);
	ck_assert_int_eq(pkt_finish(&answer), 0);
	inject(inj, &arp);
	e = (struct exact){ .want = answer.buf, .wlen = answer.len };
	ck_assert_msg(wait_frame(cap_u, match_exact, &e, NULL) == 1,
		      "%s: no ARP answer in VXLAN out of the uplink", live_names[mode]);
	/* Nothing ARP reached the workload (the echo reply came before). */
	ck_assert_int_eq(recv_any(cap_w, match_any_arp), 0);

	pkt_init(&arp_rep);
	b_arp_reply(&arp_rep);
	ck_assert_int_eq(pkt_finish(&arp_rep), 0);
	inject(inj, &arp_rep);
	e = (struct exact){ .want = inner, .wlen = expected_inner(&cases[0], &arp_rep, inner) };
	ck_assert_msg(wait_frame_proto(cap_w, match_exact, &e, &pkttype, &proto) == 1,
		      "%s: the inner ARP reply did not reach the workload", live_names[mode]);
	ck_assert_msg(proto == htons(ETH_P_ARP), "%s: delivered with protocol %#x",
		      live_names[mode], ntohs(proto));

	ck_assert_uint_eq(harness_stat(&h, decap_deliver), 3);
	ck_assert_uint_eq(harness_stat(&h, arp_vx_reply), 1);
	ck_assert_uint_eq(harness_stat(&h, decap_arp), 0);
	ck_assert_uint_eq(harness_stat(&h, drop_vx_redirect), 0);
	ck_assert_uint_ge(harness_stat(&h, uplink_pass), 1); /* the forged frame */

	close(inj);
	close(cap_u);
	close(cap_h);
	close(cap_w);
	close(ns_fd);
}
END_TEST

/* ------------------------------------------------- multi-buffer frames */

/* A jumbo VXLAN frame: BPF_PROG_TEST_RUN keeps one page minus headroom and
 * skb_shared_info linear (about 3.5k) and puts the rest in fragments, as a
 * veth or a NIC with a 9000 MTU does. */
#define JUMBO_PAYLOAD 6000

static void b_jumbo(struct pkt *p)
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

static const struct ucase mb_cases[] = {
	{ "jumbo inner frame to a workload MAC", b_jumbo, NULL,
	  O_DELIVER, NO_STAT, 1, NULL, 0, NULL, NULL },
	{ "jumbo inner frame, bytes after the outer IPv4 packet", b_jumbo, x_trailer,
	  O_DELIVER, NO_STAT, 1, NULL, 6, NULL, NULL },
	{ "inner ARP request padded into fragments", b_arp_req_jumbo, NULL,
	  O_ARP_REPLY, NO_STAT, 0, NULL, 0, w_arp_answer, NULL },
};

/* The native build takes the multi-buffer frame and decapsulates it whole:
 * the inner frame byte for byte (the lengths are the whole frame's, from
 * bpf_xdp_get_buff_len(): with data_end - data the IPv4 total length would
 * not fit and the frame would be dropped as malformed), the trailer trimmed
 * off the last fragment, the padded request cut down to the one-buffer
 * reply. (BPF_PROG_TEST_RUN builds fragments for any XDP program; the
 * frags flag matters at attach time, see test_live_jumbo.) */
START_TEST(test_xdp_multibuf)
{
	const struct ucase *c = &mb_cases[_i / 2];
	struct vtep_xdp_meta meta;
	static uint8_t inner[PKT_BUF];
	static struct xrun r;
	struct vtep_stats want;
	static struct pkt p;
	size_t ilen;

	build(c, &p);
	ck_assert_uint_gt(p.len, 4096);
	/* Odd runs: only 1024 bytes linear (a NIC's 2k buffer, a veth's
	 * page-pool fragment), the rest in fragments; even runs: as much
	 * linear as fits one page (about 3.5k). */
	xlinear = _i % 2 ? 1024 : 0;

	run_xdp(NULL, 0, p.buf, p.len, &r);
	ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
	ck_assert_uint_eq(r.meta_len, sizeof(meta));
	memcpy(&meta, r.out, sizeof(meta));
	if (c->out == O_ARP_REPLY) {
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC_TX);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)if_up);
		assert_reply(c, r.out + r.meta_len, r.out_len - r.meta_len);
	} else {
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)if_w1);
		ilen = expected_inner(c, &p, inner);
		ck_assert_uint_gt(ilen, 4096);
		assert_bytes(c->name, inner, ilen, r.out + r.meta_len, r.out_len - r.meta_len);
	}
	expected_stats(c, &want);
	assert_stats(c->name, &want);
}
END_TEST

/* Native XDP on a veth whose peer has a 9000 MTU (a jumbo underlay): the
 * kernel refuses a program without frags (veth_xdp_set(): ERANGE above one
 * page), takes the multi-buffer build, and a 6000-byte inner frame crosses
 * the whole path (XDP decap over fragments, metadata, TC peer redirect)
 * byte for byte. */
START_TEST(test_live_jumbo)
{
	static uint8_t inner[PKT_BUF];
	static struct pkt vx;
	int ns_fd, inj, cap_w, pkttype = -1;
	struct exact e;
	char ns[64];

	ns_fd = netns_new();
	snprintf(ns, sizeof(ns), "/proc/%d/fd/%d", (int)getpid(), ns_fd);
	ck_assert_int_eq(harness_sh(
		"ip link set %2$s mtu 9000 && ip link set %3$s mtu 9000 && "
		"ip link set %4$s mtu 9000 && ip link set %5$s mtu 9000 && "
		"ip link set %5$s netns %1$s && "
		"nsenter --net=%1$s sh -c 'ip link set lo up && "
		"ip link set %5$s address 02:00:00:00:00:11 up'",
		ns, UPLINK, UPLINK_PEER, W1, W1_PEER), 0);
	attach_tc(if_up, bpf_program__fd(tskel->progs.vtep_uplink_xtc));
	ck_assert_int_eq(bpf_xdp_attach(if_up, bpf_program__fd(xskel->progs.vtep_uplink_gen),
					XDP_FLAGS_DRV_MODE, NULL), -ERANGE);
	ck_assert_int_eq(bpf_xdp_attach(if_up, bpf_program__fd(xskel->progs.vtep_uplink_xdp),
					XDP_FLAGS_DRV_MODE, NULL), 0);

	cap_w = packet_socket(ns_fd, W1_PEER);
	inj = packet_socket(-1, UPLINK_PEER);
	pkt_init(&vx);
	b_jumbo(&vx);
	ck_assert_int_eq(pkt_finish(&vx), 0);
	inject(inj, &vx);
	e = (struct exact){ .want = inner, .wlen = expected_inner(&mb_cases[0], &vx, inner) };
	ck_assert_msg(wait_frame(cap_w, match_exact, &e, &pkttype) == 1,
		      "the jumbo inner frame did not reach the workload");
	ck_assert_int_eq(pkttype, PACKET_HOST);
	ck_assert_uint_eq(harness_stat(&h, decap_deliver), 1);
	ck_assert_uint_eq(harness_stat(&h, drop_vx_redirect), 0);

	close(inj);
	close(cap_w);
	close(ns_fd);
}
END_TEST

/* ------------------------------------------------ can XDP run here? */

enum xdp_here {
	XDP_HERE_OK,      /* uplink_xdp loads: run the XDP tcases */
	XDP_HERE_KERNEL,  /* the kernel lacks what it needs: skip them */
	XDP_HERE_BROKEN,  /* refused or not even opened on a kernel that has
			   * everything: our fault, run them and let them fail */
};

/* The XDP capabilities vtepd probes before it loads the XDP half
 * (bpf/probe.bpf.c): the programs the kernel must take for uplink_xdp to
 * load at all. */
static const char *const xdp_probes[] = { "probe_xdp", "probe_xdp_meta", "probe_xdp_frags" };

/* Loads probe.bpf.c with only `prog`; 0, or the refusal in why. */
static int probe_one(const char *prog, char *why, size_t len)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *p;
	int err;

	if (!skel) {
		snprintf(why, len, "cannot open the probe object: %s", strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	bpf_map__set_autocreate(skel->maps.probe_rb, false);
	harness_bpflog_begin();
	err = probe_bpf__load(skel);
	harness_bpflog_end(why, len);
	probe_bpf__destroy(skel);
	if (err && !why[0])
		snprintf(why, len, "%s", strerror(-err));
	return err;
}

/* In the child: load uplink_xdp as setup() does (the harness's private
 * namespaces and bpffs, so nothing is pinned outside), and judge a refusal. */
static enum xdp_here xdp_try(char *why, size_t len)
{
	char line[256] = "", note[256] = "";
	struct uplink_xdp_bpf *skel;
	int err;

	if (harness_init(&h, HARNESS_NETNS)) {
		snprintf(why, len, "harness_init failed");
		return XDP_HERE_BROKEN;
	}
	skel = uplink_xdp_bpf__open_opts(harness_open_opts(&h));
	if (!skel) {
		snprintf(why, len, "cannot open uplink_xdp: %s", strerror(errno));
		harness_fini(&h);
		return XDP_HERE_BROKEN;
	}
	harness_bpflog_begin();
	err = uplink_xdp_bpf__load(skel);
	harness_bpflog_end(line, sizeof(line));
	uplink_xdp_bpf__destroy(skel);
	harness_fini(&h);
	if (!err)
		return XDP_HERE_OK;
	if (!line[0])
		snprintf(line, sizeof(line), "%s", strerror(-err));
	for (size_t i = 0; i < sizeof(xdp_probes) / sizeof(xdp_probes[0]); i++) {
		if (probe_one(xdp_probes[i], note, sizeof(note))) {
			snprintf(why, len, "%s (the kernel refuses vtepd's %s probe too)", line,
				 xdp_probes[i]);
			return XDP_HERE_KERNEL;
		}
	}
	snprintf(why, len, "uplink_xdp refused (%s) by a kernel that passes every XDP "
		 "capability probe", line);
	return XDP_HERE_BROKEN;
}

/* Once, in a child process: the namespaces and the bpffs mount that
 * harness_init() makes die with it, and this process stays as Check left
 * it. The child writes one byte (enum xdp_here) and the reason. Anything
 * unexpected counts as broken, never as a skip. */
static enum xdp_here xdp_here(char *why, size_t len)
{
	char buf[513];
	int fds[2], status = -1;
	ssize_t n = 0, got;
	pid_t pid;

	snprintf(why, len, "the XDP probe child failed");
	if (pipe(fds) < 0)
		return XDP_HERE_BROKEN;
	fflush(stdout); /* nothing buffered twice */
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		buf[0] = (char)xdp_try(buf + 1, sizeof(buf) - 1);
		_exit(write(fds[1], buf, 1 + strlen(buf + 1)) > 0 ? 0 : 1);
	}
	close(fds[1]);
	while (pid > 0 && (size_t)n < sizeof(buf) - 1 &&
	       (got = read(fds[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += got;
	close(fds[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || n < 1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    (uint8_t)buf[0] > XDP_HERE_BROKEN)
		return XDP_HERE_BROKEN;
	buf[n] = '\0';
	snprintf(why, len, "%s", buf + 1);
	return (enum xdp_here)buf[0];
}

Suite *test_suite(void)
{
	Suite *s = suite_create("uplink");
	TCase *tc_t = tcase_create("tc");
	TCase *tc_xt = tcase_create("xtc");
	TCase *tc_l = tcase_create("live");
	TCase *tc_x, *tc_g, *tc_lx;
	char why[512];
	enum xdp_here xdp;

	/* The TC side, on every kernel: vtep_uplink_tc's table and cuts, the
	 * program of each mode on the same frames, vtep_uplink_xtc on frames
	 * without metadata, and the live tc modes. */
	tcase_add_checked_fixture(tc_t, setup_tc, teardown);
	tcase_add_loop_test(tc_t, test_tc_case, 0, NCASES);
	tcase_add_test(tc_t, test_tc_truncated);
	tcase_add_test(tc_t, test_tc_program_per_mode);
	suite_add_tcase(s, tc_t);

	tcase_add_checked_fixture(tc_xt, setup_tc, teardown);
	tcase_add_loop_test(tc_xt, test_tc_xdp_mode_without_meta, 0, NCASES);
	suite_add_tcase(s, tc_xt);

	tcase_add_checked_fixture(tc_l, setup_tc, teardown);
	tcase_add_loop_test(tc_l, test_live, 0, LIVE_N_TC);
	suite_add_tcase(s, tc_l);

	xdp = xdp_here(why, sizeof(why));
	if (xdp == XDP_HERE_KERNEL) {
		/* One line for tests/run-unit.sh to count: these cases are
		 * neither passed nor failed here. */
		printf("SKIP test_uplink [xdp]: %s\n", why);
		fflush(stdout);
	} else {
		if (xdp == XDP_HERE_BROKEN)
			fprintf(stderr, "test_uplink: %s; the XDP tests run and fail\n", why);
		tc_x = tcase_create("xdp");
		tc_g = tcase_create("xdp-generic");
		tc_lx = tcase_create("live-xdp");
		tcase_add_checked_fixture(tc_x, setup, teardown);
		tcase_add_loop_test(tc_x, test_xdp_case, 0, NCASES);
		tcase_add_test(tc_x, test_xdp_truncated);
		tcase_add_test(tc_x, test_xdp_foreign_meta);
		tcase_add_loop_test(tc_x, test_xdp_multibuf, 0,
				    2 * (int)(sizeof(mb_cases) / sizeof(mb_cases[0])));
		suite_add_tcase(s, tc_x);

		tcase_add_checked_fixture(tc_g, setup_gen, teardown);
		tcase_add_loop_test(tc_g, test_xdp_case, 0, NCASES);
		tcase_add_test(tc_g, test_xdp_truncated);
		tcase_add_test(tc_g, test_xdp_foreign_meta);
		suite_add_tcase(s, tc_g);

		tcase_add_checked_fixture(tc_lx, setup, teardown);
		tcase_add_loop_test(tc_lx, test_live, LIVE_N_TC, LIVE_N);
		tcase_add_test(tc_lx, test_live_jumbo);
		suite_add_tcase(s, tc_lx);
	}

	return s;
}
