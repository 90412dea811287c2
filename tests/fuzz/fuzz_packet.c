/* fuzz_packet.c - libFuzzer target for the datapath: frames through every
 * BPF program under BPF_PROG_TEST_RUN (needs root).
 *
 * Set-up, once per process (tests/bpf/harness.h): a private network and
 * mount namespace with its own bpffs, the port and uplink programs loaded on
 * shared maps (map layout 2, include/vtep_maps.h), real veths and maps
 * filled so that frames reach deep paths:
 *   VNI 100  10.1.0.0/16 and 2001:db8:1::/64, ARP/ND answered with the
 *            gateway MAC; ports w1 and w2 (IPv4 and IPv6, local routes and
 *            fdb entries); a remote workload (10.1.0.21 and 2001:db8:1::21),
 *            a remote IPv6 router (2001:db8:1::31), a remote prefix
 *            (10.1.128.0/24, 2001:db8:2::/48), a remote MAC-only route, a
 *            remote workload behind a VTEP the underlay cannot reach;
 *   VNI 200  10.2.0.0/16 with real MACs, port w3 whose MAC is "auto" and
 *            not learned yet, a remote workload (10.2.0.22); its host link's
 *            host end (hx) holds the route to 10.2.0.0/16;
 *   VNI 300  10.3.0.0/24 with outside "host": ports w5 and w6 and the VNI's
 *            host link (hl, VTEP_PORT_F_HOSTLINK, host_ip 10.3.0.2, its host
 *            end routes the subnet); conntrack(8) holds a flow from w5 to a
 *            service address that the host DNATed to w6 (bpf/ctsteer.h);
 *   the uplink with a resolved next hop and routes, our VTEP address on lo,
 *   the remote VTEP, the host's IPv4 and IPv6 addresses.
 *
 * Input: one selector byte, then the frame.
 *   bits 0-1  program: 0 vtep_port_ingress, 1 vtep_uplink_tc,
 *             2 vtep_uplink_xtc, 3 vtep_uplink_xdp (vtep_uplink_tc when
 *             this kernel does not load the XDP program: a note is printed)
 *   bits 2-3, 6  the device it arrives on: w1, w2, w3, the uplink; with
 *             bit 6: w5, hl, w6, the uplink
 *   bit  4    vtep_global.flags = TC only (VTEP_GF_UPLINK_TC)
 *   bit  5    a GSO skb (gso_size 1400, 2 segments), TC only
 *   bit  7    vtep_port_ingress with the route cache on (bpf/rcache.h): a
 *             fresh gen, so the frame fills the cache, then the same frame
 *             again, which finds what the first left
 * Checks, with a trap on any violation:
 *   - the verdict is one the program may give (TC_ACT_OK, SHOT, REDIRECT;
 *     XDP_PASS, DROP, TX, REDIRECT);
 *   - a drop is counted: some drop_* counter of vtep_stats rose, or one of
 *     the two reports that end in a drop by design (arp_garp: a gratuitous
 *     ARP, nd_announce: an unsolicited NA for the port's own IPv6);
 *   - a frame the program changed and did not drop is well formed: at least
 *     14 bytes; each IPv4 header it carries (outer and, for VXLAN, inner)
 *     has a valid checksum and a total length within the frame, and each
 *     IPv6 header a payload length within it, unless that very header came
 *     in as it is (a workload's own packet, forwarded); an ICMP or ICMPv6
 *     message that is not in the input as it is (one a program wrote: an
 *     echo reply, ND answers, fragmentation needed, Packet Too Big) has a
 *     valid checksum; a VXLAN outer UDP length matches the IPv4 total
 *     length;
 *   - with the route cache (bit 7), the second run gives the first's
 *     verdict and the same bytes: a copy answers as vtep_routes did.
 * The BPF code has no libFuzzer counters: the counters each program moved
 * are fed back as extra coverage (feedback()).
 * FUZZ_PACKET_STATS=1 prints, at exit, every counter the run moved.
 * FUZZ_PACKET_SEEDS=DIR writes the seed corpus (frames built with pkt.h)
 * into DIR and exits: tests/fuzz/corpus/packet/ was made so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "counters.h"
#include "harness.h"
#include "pkt.h"
#include "port_tc.skel.h"
#include "uplink_tc.skel.h"
#include "uplink_xdp.skel.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define VXLAN_PORT 4789
#define IP(s) pkt_ip(s)

static const uint8_t *MAC_GW1 = PKT_MAC(2, 0, 0, 0, 1, 0);
static const uint8_t *MAC_GW2 = PKT_MAC(2, 0, 0, 0, 2, 0);
static const uint8_t *MAC_GW3 = PKT_MAC(2, 0, 0, 0, 3, 0);
static const uint8_t *MAC_W1 = PKT_MAC(2, 0, 0, 0, 0, 0x11);
static const uint8_t *MAC_W2 = PKT_MAC(2, 0, 0, 0, 0, 0x12);
static const uint8_t *MAC_W5 = PKT_MAC(2, 0, 0, 0, 3, 0x15);
static const uint8_t *MAC_W6 = PKT_MAC(2, 0, 0, 0, 3, 0x16);
static const uint8_t *MAC_HL = PKT_MAC(2, 0, 0, 0, 3, 0x02);
static const uint8_t *MAC_R21 = PKT_MAC(2, 0, 0, 0, 0, 0x21);
static const uint8_t *MAC_R22 = PKT_MAC(2, 0, 0, 0, 0, 0x22);
static const uint8_t *MAC_R23 = PKT_MAC(2, 0, 0, 0, 0, 0x23);
static const uint8_t *MAC_R24 = PKT_MAC(2, 0, 0, 0, 0, 0x24);
static const uint8_t *MAC_RTR = PKT_MAC(2, 0, 0, 0, 0, 0x31);
static const uint8_t *MAC_LEAF = PKT_MAC(2, 0, 0, 0, 0x99, 0x02);

#define W1_IP6   "2001:db8:1::11"
#define W1_LL    "fe80::ff:fe00:11"
#define W2_IP6   "2001:db8:1::12"
#define R21_IP6  "2001:db8:1::21"
#define RTR_IP6  "2001:db8:1::31"
#define GW_IP6   "2001:db8:1::fffe"
#define GW_LL    "fe80::ff:fe00:100"
#define HOST_IP6 "2001:db8:ffff::1"

static struct harness h;
static struct port_tc_bpf *pskel;
static struct uplink_tc_bpf *tskel;
static struct uplink_xdp_bpf *xskel;
static int prog_port, prog_tc, prog_xtc, prog_xdp = -1;
/* The devices by selector (see above): w1, w2, w3, up, w5, hl, w6, up. */
enum { D_W1, D_W2, D_W3, D_UP, D_W5, D_HL, D_W6, N_DEVS };
static int ifs[N_DEVS];
static const int dev_of_sel[8] = { D_W1, D_W2, D_W3, D_UP, D_W5, D_HL, D_W6, D_UP };
static uint8_t mac_up[6];
static struct harness_result res;
static size_t drop_off[VTEP_CTR_COUNT];
static size_t n_drop;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_packet set-up: %s\n", what);
	abort();
}

#define MUST(x) do { if ((x) != 0) die(#x); } while (0)

static void set_global(uint32_t flags)
{
	struct vtep_global g = {
		.vtep_ip = IP("192.0.2.1"), .layout_version = VTEP_LAYOUT_VERSION,
		.flags = flags, .vxlan_port = htons(VXLAN_PORT),
	};
	uint32_t zero = 0;

	MUST(harness_map_update(&h, HM_GLOBAL, &zero, &g));
}

static void ip6(const char *s, uint8_t out[16])
{
	pkt_ip6(s, out);
}

static void route6(uint32_t vni, const char *addr, const struct vtep_route *r)
{
	struct vtep_route6_key k = { .vni = vni };

	ip6(addr, k.ip);
	MUST(harness_map_update(&h, HM_ROUTES6, &k, r));
}

/* A local port: its vtep_ports entry, and (once its MAC is known) its host
 * routes and fdb entry, as mapsync writes them. */
static void port(int d, const char *ifname, uint32_t vni, const char *ip, const char *ip6s,
		 const uint8_t *mac, uint8_t flags)
{
	struct vtep_port p = { .vni = vni, .ip = IP(ip), .flags = flags };
	struct vtep_route r = { .ifindex = (uint32_t)ifs[d], .source = VTEP_SRC_LOCAL };
	struct vtep_fdb f = { .ifindex = (uint32_t)ifs[d], .source = VTEP_SRC_LOCAL };

	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname);
	if (ip6s)
		ip6(ip6s, p.ip6);
	if (mac) {
		memcpy(p.mac, mac, 6);
		memcpy(r.mac, mac, 6);
		MUST(harness_route_add(&h, vni, IP(ip), &r));
		if (ip6s)
			route6(vni, ip6s, &r);
		MUST(harness_fdb_add(&h, vni, mac, &f));
	} else {
		p.flags |= VTEP_PORT_F_MAC_AUTO;
	}
	MUST(harness_port_add(&h, (uint32_t)ifs[d], &p));
}

/* A remote MAC+IP route: its host route only (layout 2: the MAC is in the
 * route; vtep_fdb holds no entry for it). */
static void remote(uint32_t vni, const char *ip, const uint8_t *mac)
{
	struct vtep_route r = { .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP, .seq = 1 };

	memcpy(r.mac, mac, 6);
	MUST(harness_route_add(&h, vni, IP(ip), &r));
}

static void vni(uint32_t id, const char *subnet, uint8_t len, const char *gw, const uint8_t *gwmac,
		uint8_t arp, uint8_t flags)
{
	struct vtep_vni v = { .prefixlen = len, .arp_reply = arp, .flags = flags,
			      .subnet = IP(subnet), .gateway_ip = IP(gw) };

	memcpy(v.gateway_mac, gwmac, 6);
	if (id == 100) {
		v.prefixlen6 = 64;
		ip6("2001:db8:1::", v.subnet6);
		ip6(GW_IP6, v.gateway_ip6);
	}
	MUST(harness_vni_add(&h, id, &v));
}

static void setup(void)
{
	struct vtep_route r = { .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };
	struct vtep_fdb f = { .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP, .seq = 1 };
	struct vtep_prefix6_key pk6 = { .prefixlen = 32 + 48, .vni = htonl(100) };
	struct vtep_hostaddr ha6 = { .ifindex = 1 };
	struct vtep_hostlink hl;
	uint8_t a6[16];
	uint32_t key;
	int hx_host, hl_host;

	MUST(harness_init(&h, HARNESS_NETNS));
	MUST(harness_sh("sysctl -qw net.ipv4.ip_forward=1"));
	pskel = port_tc_bpf__open_opts(harness_open_opts(&h));
	if (!pskel)
		die("port_tc open");
	/* RAs carry the MTU option where the kernel has bpf_check_mtu (5.12;
	 * vtepd probes it, bpf/features.h). */
	pskel->rodata->vtep_have_check_mtu = 1;
	if (port_tc_bpf__load(pskel))
		die("port_tc load");
	tskel = uplink_tc_bpf__open_opts(harness_open_opts(&h));
	if (!tskel || uplink_tc_bpf__load(tskel))
		die("uplink_tc load");
	/* The XDP half alone may be refused (bpf_xdp_adjust_meta on some
	 * kernels): the TC programs run without it, as vtepd's tc mode does. */
	harness_bpflog_begin();
	xskel = uplink_xdp_bpf__open_opts(harness_open_opts(&h));
	if (xskel && uplink_xdp_bpf__load(xskel) == 0) {
		char none[8];

		harness_bpflog_end(none, sizeof(none));
		prog_xdp = bpf_program__fd(xskel->progs.vtep_uplink_xdp);
	} else {
		char why[256] = "";

		harness_bpflog_end(why, sizeof(why));
		fprintf(stderr, "fuzz_packet: NOTE: this kernel does not load vtep_uplink_xdp "
			"(%s): XDP is skipped, selector 3 runs vtep_uplink_tc\n",
			why[0] ? why : "no reason given");
		uplink_xdp_bpf__destroy(xskel);
		xskel = NULL;
	}
	prog_port = bpf_program__fd(pskel->progs.vtep_port_ingress);
	prog_tc = bpf_program__fd(tskel->progs.vtep_uplink_tc);
	prog_xtc = bpf_program__fd(tskel->progs.vtep_uplink_xtc);
	MUST(harness_maps_open(&h));

	ifs[D_W1] = harness_veth(&h, "fp-w1", "fp-w1p");
	ifs[D_W2] = harness_veth(&h, "fp-w2", "fp-w2p");
	ifs[D_W3] = harness_veth(&h, "fp-w3", "fp-w3p");
	ifs[D_UP] = harness_veth(&h, "fp-up", "fp-upp");
	ifs[D_W5] = harness_veth(&h, "fp-w5", "fp-w5p");
	ifs[D_HL] = harness_veth(&h, "fp-hl", "fp-hlh");
	ifs[D_W6] = harness_veth(&h, "fp-w6", "fp-w6p");
	for (int i = 0; i < N_DEVS; i++)
		if (ifs[i] <= 0)
			die("veth");
	if (harness_veth(&h, "fp-hx", "fp-hxh") <= 0)
		die("veth");
	/* The host ends of the host links: fp-hlh (VNI 300's), fp-hxh (VNI
	 * 200's; its datapath end is not here). */
	hl_host = harness_ifindex("fp-hlh");
	hx_host = harness_ifindex("fp-hxh");
	if (hl_host <= 0 || hx_host <= 0)
		die("veth ends");
	MUST(harness_ifmac("fp-up", mac_up));
	MUST(harness_sh("ip addr add 192.0.2.1/32 dev lo && "
			"ip addr add 198.51.100.1/24 dev fp-up && "
			"ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:02 dev fp-up nud permanent && "
			"ip route add 192.0.2.2/32 via 198.51.100.2 && "
			"ip route add default via 198.51.100.2 && "
			"ip route add unreachable 203.0.113.0/24 && "
			/* the host links' host ends (docs/kubernetes.md) */
			"ip addr add 10.3.0.2/32 dev fp-hlh && "
			"ip route add 10.3.0.0/24 via 10.3.0.1 dev fp-hlh onlink && "
			"ip addr add 10.2.1.1/32 dev fp-hxh && "
			"ip route add 10.2.0.0/16 via 10.2.255.254 dev fp-hxh onlink"));

	set_global(0);
	vni(100, "10.1.0.0", 16, "10.1.255.254", MAC_GW1, VTEP_ARP_REPLY_GATEWAY, 0);
	vni(200, "10.2.0.0", 16, "10.2.255.254", MAC_GW2, VTEP_ARP_REPLY_REAL, 0);
	vni(300, "10.3.0.0", 24, "10.3.0.1", MAC_GW3, VTEP_ARP_REPLY_GATEWAY,
	    VTEP_VNI_F_OUTSIDE_HOST);
	port(D_W1, "fp-w1", 100, "10.1.0.11", W1_IP6, MAC_W1, 0);
	port(D_W2, "fp-w2", 100, "10.1.0.12", W2_IP6, MAC_W2, 0);
	port(D_W3, "fp-w3", 200, "10.2.0.13", NULL, NULL, 0);
	port(D_W5, "fp-w5", 300, "10.3.0.15", NULL, MAC_W5, 0);
	port(D_W6, "fp-w6", 300, "10.3.0.16", NULL, MAC_W6, 0);
	port(D_HL, "fp-hl", 300, "10.3.0.2", NULL, MAC_HL, VTEP_PORT_F_HOSTLINK);
	/* w5 asked 10.96.0.10:2000 (a ClusterIP); the host DNATed it to w6,
	 * whose replies must go up to the host (ct_nat_host). For as long as
	 * a run lasts; without conntrack(8), a note. */
	if (harness_sh("conntrack -I -p udp -s 10.3.0.15 -d 10.96.0.10 --sport 1000 "
		       "--dport 2000 --dst-nat 10.3.0.16:2000 -t 4000000 >/dev/null 2>&1"))
		fprintf(stderr, "fuzz_packet: NOTE: no conntrack entry (conntrack(8) missing?): "
			"ct_nat_host is not reached\n");
	hl = (struct vtep_hostlink){ .ifindex = (uint32_t)ifs[D_HL], .ip = IP("10.3.0.2") };
	key = 300;
	MUST(harness_map_update(&h, HM_HOSTLINKS, &key, &hl));
	key = VTEP_HOSTLINK_IF | (uint32_t)hl_host;
	MUST(harness_map_update(&h, HM_HOSTLINKS, &key, &hl));
	/* VNI 200's host link: only its host end is here (the other VNI a
	 * packet of VNI 300 must not be routed into). */
	hl = (struct vtep_hostlink){ .ifindex = 4242, .ip = IP("10.2.1.1") };
	key = VTEP_HOSTLINK_IF | (uint32_t)hx_host;
	MUST(harness_map_update(&h, HM_HOSTLINKS, &key, &hl));

	remote(100, "10.1.0.21", MAC_R21);
	remote(200, "10.2.0.22", MAC_R22);
	/* A remote workload behind a VTEP the underlay cannot reach. */
	r = (struct vtep_route){ .vtep = IP("203.0.113.9"), .source = VTEP_SRC_BGP, .seq = 1 };
	memcpy(r.mac, MAC_R24, 6);
	MUST(harness_route_add(&h, 100, IP("10.1.0.24"), &r));
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };
	/* A MAC-only route: vtep_fdb's remote entries (layout 2). */
	MUST(harness_fdb_add(&h, 100, MAC_R23, &f));
	memcpy(r.mac, PKT_MAC(2, 0, 0, 0, 0, 0xfe), 6);
	MUST(harness_prefix_add(&h, 100, IP("10.1.128.0"), 24, &r));
	ip6("2001:db8:2::", pk6.ip);
	MUST(harness_map_update(&h, HM_PREFIXES6, &pk6, &r));
	r = (struct vtep_route){ .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP, .seq = 1 };
	memcpy(r.mac, MAC_R21, 6);
	route6(100, R21_IP6, &r);
	r.flags = VTEP_RT_F_ROUTER;
	memcpy(r.mac, MAC_RTR, 6);
	route6(100, RTR_IP6, &r);
	MUST(harness_remote_add(&h, IP("192.0.2.2")));
	MUST(harness_hostaddr_add(&h, IP("192.0.2.1"), 1));
	MUST(harness_hostaddr_add(&h, IP("198.51.100.1"), (uint32_t)ifs[D_UP]));
	MUST(harness_hostaddr_add(&h, IP("10.3.0.2"), (uint32_t)hl_host));
	MUST(harness_hostaddr_add(&h, IP("10.2.1.1"), (uint32_t)hx_host));
	ip6(HOST_IP6, a6);
	MUST(harness_map_update(&h, HM_HOSTADDRS6, a6, &ha6));

	for (size_t i = 0; i < counter_count && n_drop < VTEP_CTR_COUNT; i++)
		/* A drop reason; or a report that ends in a drop by design
		 * (docs/design.md): a gratuitous ARP (arp_garp) or an
		 * unsolicited NA (nd_announce) for the port's own address is
		 * told to the agent and not passed on. */
		if (!strncmp(counter_descs[i].name, "drop_", 5) ||
		    !strcmp(counter_descs[i].name, "arp_garp") ||
		    !strcmp(counter_descs[i].name, "nd_announce"))
			drop_off[n_drop++] = i;
}

/* ---- seeds ---- */

static void seed(const char *dir, const char *name, uint8_t sel, const struct pkt *p)
{
	char path[512];
	FILE *f;

	if (pkt_finish((struct pkt *)p))
		die("seed too big");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(p->buf, 1, p->len, f) != p->len)
		die(path);
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

static void write_seeds(const char *dir)
{
	static const uint8_t sels[] = { SEL_TC, SEL_XTC, SEL_XDP };
	struct pkt p;
	uint8_t t[16];

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_PACKET_SEEDS");

	(void)argc;
	(void)argv;
	setup();
	if (seeds)
		write_seeds(seeds);
	return 0;
}

__attribute__((destructor)) static void cleanup(void)
{
	/* FUZZ_PACKET_STATS=1: which counters the inputs run reached (replay a
	 * corpus with -runs=0 to see what the datapath paths it covers). */
	if (getenv("FUZZ_PACKET_STATS") && h.mounted) {
		fprintf(stderr, "vtep_stats after this run:\n");
		harness_stats_dump(&h, stderr);
	}
	if (xskel)
		uplink_xdp_bpf__destroy(xskel);
	if (tskel)
		uplink_tc_bpf__destroy(tskel);
	if (pskel)
		port_tc_bpf__destroy(pskel);
	if (h.mounted)
		harness_fini(&h);
}

/* ---- checks ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether the n bytes at hdr occur in the input as they are. */
static bool came_in(const uint8_t *hdr, size_t n, const uint8_t *in, size_t inlen)
{
	for (size_t i = 0; i + n <= inlen; i++)
		if (in[i] == hdr[0] && !memcmp(in + i, hdr, n))
			return true;
	return false;
}

static void check_eth(const uint8_t *eth, size_t len, int depth, const uint8_t *in, size_t inlen);

/* An echo reply is the request turned round with its checksum updated for
 * the type word only (RFC 1624; bpf/icmp.h, icmp6.h): it is valid exactly
 * when the request's was. The request is the input frame's packet (only
 * the port program answers echoes). */
static bool request_csum_ok(const uint8_t *in, size_t inlen, int v6)
{
	const uint8_t *ip = in + ETH_HLEN;
	size_t avail = inlen - ETH_HLEN;

	/* The fixed header: 40 bytes for IPv6, 20 for IPv4. An echo request
	 * shorter than 40 bytes of IPv4 is as valid as a long one
	 * (tests/fuzz/regress/packet/echo_request_short: 33 bytes, an odd
	 * ICMP length, a correct checksum). */
	if (inlen < ETH_HLEN + (v6 ? 40 : 20))
		return false;
	if (v6)
		return get16(in + 12) == ETH_P_IPV6 &&
		       pkt_ip6_l4_csum_ok(ip, 40 + (size_t)get16(ip + 4) <= avail ?
					  40 + (size_t)get16(ip + 4) : avail);
	return get16(in + 12) == ETH_P_IP && get16(ip + 2) <= avail &&
	       pkt_l4_csum_ok(ip, get16(ip + 2));
}

static void check_ipv4(const uint8_t *ip, size_t avail, int depth, const uint8_t *in,
		       size_t inlen)
{
	size_t ihl, tot;

	if (avail < 20 || ip[0] >> 4 != 4)
		return;    /* not an IPv4 header we can read: nothing we wrote */
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || ihl > avail) {
		CHECK(came_in(ip, 20, in, inlen));
		return;
	}
	tot = get16(ip + 2);
	if (!pkt_ipv4_csum_ok(ip) || tot < ihl || tot > avail) {
		/* A header we did not write or touch is the sender's business. */
		CHECK(came_in(ip, ihl, in, inlen));
		return;
	}
	/* An ICMP message a program wrote (fragmentation needed, an echo
	 * reply): not in the input as it is, and not a fragment. */
	if (ip[9] == IPPROTO_ICMP && !(get16(ip + 6) & 0x3fff) && tot >= ihl + 8 &&
	    !came_in(ip + ihl, tot - ihl, in, inlen))
		CHECK(pkt_l4_csum_ok(ip, tot) == (ip[ihl] != 0 || request_csum_ok(in, inlen, 0)));
	/* VXLAN that a program wrote (outer only, not a fragment): UDP length =
	 * IPv4 payload. UDP to port 4789 between two workloads, forwarded as
	 * it came in, is theirs: the headers are found in the input as they
	 * are (tests/fuzz/regress/packet/workload_udp_4789_bad_length). */
	if (depth == 0 && ip[9] == IPPROTO_UDP && !(get16(ip + 6) & 0x3fff) && tot >= ihl + 16 &&
	    get16(ip + ihl + 2) == VXLAN_PORT && !came_in(ip, ihl + 8, in, inlen)) {
		const uint8_t *udp = ip + ihl, *eth = udp + 16;

		CHECK(get16(udp + 4) == tot - ihl);
		if (tot - ihl - 16 >= ETH_HLEN)
			check_eth(eth, tot - ihl - 16, 1, in, inlen);
	}
}

static void check_ipv6(const uint8_t *ip6h, size_t avail, const uint8_t *in, size_t inlen)
{
	size_t plen;

	if (avail < 40 || ip6h[0] >> 4 != 6)
		return;
	plen = get16(ip6h + 4);
	if (40 + plen > avail) {
		/* Only a header that came in so (forwarded, decapsulated). */
		CHECK(came_in(ip6h, 40, in, inlen));
		return;
	}
	/* ICMPv6 a program wrote (NA, RA, echo reply, Packet Too Big): not in
	 * the input as it is; its checksum covers the pseudo-header. */
	if (ip6h[6] == IPPROTO_ICMPV6 && plen >= 4 && !came_in(ip6h + 40, plen, in, inlen))
		CHECK(pkt_ip6_l4_csum_ok(ip6h, 40 + plen) ==
		      (ip6h[40] != 129 || request_csum_ok(in, inlen, 1)));
}

static void check_eth(const uint8_t *eth, size_t len, int depth, const uint8_t *in, size_t inlen)
{
	size_t off = 12;
	uint16_t et;

	CHECK(len >= ETH_HLEN);
	et = get16(eth + off);
	for (int tags = 0; tags < 2 && (et == 0x8100 || et == 0x88a8) && len >= off + 6; tags++) {
		off += 4;
		et = get16(eth + off);
	}
	if (et == ETH_P_IP)
		check_ipv4(eth + off + 2, len - off - 2, depth, in, inlen);
	else if (et == ETH_P_IPV6)
		check_ipv6(eth + off + 2, len - off - 2, in, inlen);
}

/* The BPF programs are not instrumented for libFuzzer, so what they did is
 * fed back as extra coverage: which counters each program moved (one per
 * program and counter), its verdict, and the combination of counters moved
 * (hashed), so that a frame reaching a new path (a new counter or a new set
 * of them) is kept in the corpus. */
#define N_PROGS 4
#define N_COMBO 4096
static uint8_t extra[N_PROGS * VTEP_CTR_COUNT + N_PROGS * 8 + N_COMBO]
	__attribute__((section("__libfuzzer_extra_counters"), used));

static void feedback(int prog, uint32_t verdict, const struct vtep_stats *a,
		     const struct vtep_stats *b)
{
	uint32_t combo = 2166136261u ^ (uint32_t)prog;

	for (size_t i = 0; i < counter_count && i < VTEP_CTR_COUNT; i++) {
		if (counter_value(b, i) > counter_value(a, i)) {
			extra[prog * VTEP_CTR_COUNT + i] = 1;
			combo = (combo ^ (uint32_t)i) * 16777619u;
		}
	}
	extra[N_PROGS * VTEP_CTR_COUNT + prog * 8 + (verdict & 7)] = 1;
	extra[N_PROGS * VTEP_CTR_COUNT + N_PROGS * 8 + combo % N_COMBO] = 1;
}

static bool dropped_counted(const struct vtep_stats *a, const struct vtep_stats *b)
{
	for (size_t i = 0; i < n_drop; i++)
		if (counter_value(b, drop_off[i]) > counter_value(a, drop_off[i]))
			return true;
	return false;
}

/* The route cache on with a gen no entry holds yet, or off (gen 0), as
 * vtepd writes vtep_rcache_ctl (agent/dp/rcache.c). */
static void rcache_set(bool on)
{
	static uint32_t gen;
	struct vtep_rcache_ctl c = { .gen = 0 };
	uint32_t zero = 0;
	int ncpu = libbpf_num_possible_cpus();

	if (on) {
		c.gen = ++gen ? gen : ++gen;
		c.mask = bpf_map__max_entries(pskel->maps.vtep_rcache) / (uint32_t)(ncpu > 0 ? ncpu : 1) - 1;
	}
	CHECK(bpf_map_update_elem(bpf_map__fd(pskel->maps.vtep_rcache_ctl), &zero, &c, BPF_ANY) == 0);
}

/* Bit 7: the frame again, through the copy the first run left in the
 * route cache; the same verdict and bytes, or a counted drop as before. */
static void rerun_cached(const struct __sk_buff *ctx, const uint8_t *frame, size_t len)
{
	static struct harness_result again;
	struct vtep_stats before, after;
	struct vtep_event ev[64];

	CHECK(harness_stats(&h, &before) == 0);
	harness_run_tc_ctx(prog_port, ctx, frame, len, &again);
	CHECK(harness_stats(&h, &after) == 0);
	harness_events(&h, ev, 64);
	rcache_set(false);
	CHECK(again.err == 0);
	CHECK(again.retval == res.retval);
	CHECK(again.out_len == res.out_len && !memcmp(again.out, res.out, res.out_len));
	if (again.retval == TC_ACT_SHOT)
		CHECK(dropped_counted(&before, &after));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t cur_flags;
	struct vtep_stats before, after;
	struct __sk_buff ctx = { 0 };
	bool cached;
	struct vtep_event ev[64];
	uint8_t sel;
	const uint8_t *frame;
	size_t len;
	int prog, dev, is_xdp;
	bool dropped;

	if (size < 1 + ETH_HLEN || size > 1 + 4000)
		return -1;
	sel = data[0];
	frame = data + 1;
	len = size - 1;
	dev = ifs[dev_of_sel[((sel >> 2) & 3) | ((sel >> 4) & 4)]];
	switch (sel & 3) {
	case 0: prog = prog_port; break;
	case 1: prog = prog_tc; break;
	case 2: prog = prog_xtc; break;
	default: prog = prog_xdp >= 0 ? prog_xdp : prog_tc; break;
	}
	is_xdp = prog == prog_xdp;
	ctx.ifindex = (uint32_t)dev;
	ctx.ingress_ifindex = (uint32_t)dev;
	if ((sel & 0x10) != cur_flags) {
		cur_flags = sel & 0x10;
		set_global(cur_flags ? VTEP_GF_UPLINK_TC : 0);
	}
	cached = (sel & 0x80) && prog == prog_port;
	if (cached)
		rcache_set(true);
	CHECK(harness_stats(&h, &before) == 0);
	if (is_xdp) {
		harness_run_xdp(prog, (uint32_t)dev, frame, len, &res);
	} else {
		if (sel & 0x20) {
			ctx.gso_size = 1400;
			ctx.gso_segs = 2;
		}
		harness_run_tc_ctx(prog, &ctx, frame, len, &res);
	}
	if (res.err) {
		if (cached)
			rcache_set(false);
		return 0;   /* refused by BPF_PROG_TEST_RUN itself (e.g. a GSO frame too short) */
	}
	CHECK(harness_stats(&h, &after) == 0);
	/* the events the programs report are read, so the ring never fills */
	harness_events(&h, ev, 64);

	if (is_xdp) {
		CHECK(res.retval == XDP_PASS || res.retval == XDP_DROP || res.retval == XDP_TX ||
		      res.retval == XDP_REDIRECT);
		dropped = res.retval == XDP_DROP;
	} else {
		CHECK(res.retval == TC_ACT_OK || res.retval == TC_ACT_SHOT ||
		      res.retval == TC_ACT_REDIRECT);
		dropped = res.retval == TC_ACT_SHOT;
	}
	feedback(sel & 3, res.retval, &before, &after);
	if (dropped)
		CHECK(dropped_counted(&before, &after));
	else if (res.out_len != len || memcmp(res.out, frame, len))
		check_eth(res.out, res.out_len, 0, frame, len);
	if (cached)
		rerun_cached(&ctx, frame, len);
	return 0;
}
