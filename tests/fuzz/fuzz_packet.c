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
 *   - a frame the program changed and did not drop is well formed
 *     (packet_checks.c): at least 14 bytes; each IPv4 header it carries
 *     (outer and, for VXLAN, inner) has a valid checksum and a total length
 *     within the frame, and each IPv6 header a payload length within it,
 *     unless that very header came in as it is (a workload's own packet,
 *     forwarded); an ICMP or ICMPv6 message that is not in the input as it
 *     is (one a program wrote: an echo reply, ND answers, fragmentation
 *     needed, Packet Too Big) has a valid checksum; a VXLAN outer UDP
 *     length matches the IPv4 total length;
 *   - with the route cache (bit 7), the second run gives the first's
 *     verdict and the same bytes: a copy answers as vtep_routes did.
 * The BPF code has no libFuzzer counters: the counters each program moved
 * are fed back as extra coverage (feedback()).
 * FUZZ_PACKET_STATS=1 prints, at exit, every counter the run moved.
 * FUZZ_PACKET_SEEDS=DIR writes the seed corpus (frames built with pkt.h,
 * packet_seeds.c) into DIR and exits: tests/fuzz/corpus/packet/ was made so.
 * This file is the fixture and the run of each input; what the three files
 * share (the topology's names, CHECK) is in packet_fuzz.h.
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
#include "packet_checks.h"
#include "packet_fuzz.h"
#include "packet_seeds.h"
#include "pkt.h"
#include "port_tc.skel.h"
#include "uplink_tc.skel.h"
#include "uplink_xdp.skel.h"

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

void pfuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_packet set-up: %s\n", what);
	abort();
}

#define MUST(x) do { if ((x) != 0) pfuzz_die(#x); } while (0)

static void set_global(uint32_t flags)
{
	struct vtep_global g = {
		.vtep_ip = IP("192.0.2.1"), .layout_version = VTEP_LAYOUT_VERSION,
		.flags = flags, .vxlan_port = htons(VXLAN_PORT),
	};
	uint32_t zero = 0;

	MUST(harness_map_update(&h, HM_GLOBAL, &zero, &g));
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
		pfuzz_die("port_tc open");
	/* RAs carry the MTU option where the kernel has bpf_check_mtu (5.12;
	 * vtepd probes it, bpf/features.h). */
	pskel->rodata->vtep_have_check_mtu = 1;
	if (port_tc_bpf__load(pskel))
		pfuzz_die("port_tc load");
	tskel = uplink_tc_bpf__open_opts(harness_open_opts(&h));
	if (!tskel || uplink_tc_bpf__load(tskel))
		pfuzz_die("uplink_tc load");
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
			pfuzz_die("veth");
	if (harness_veth(&h, "fp-hx", "fp-hxh") <= 0)
		pfuzz_die("veth");
	/* The host ends of the host links: fp-hlh (VNI 300's), fp-hxh (VNI
	 * 200's; its datapath end is not here). */
	hl_host = harness_ifindex("fp-hlh");
	hx_host = harness_ifindex("fp-hxh");
	if (hl_host <= 0 || hx_host <= 0)
		pfuzz_die("veth ends");
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_PACKET_SEEDS");

	(void)argc;
	(void)argv;
	setup();
	if (seeds)
		pseed_write(seeds, mac_up);
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
		pcheck_eth(res.out, res.out_len, 0, frame, len);
	if (cached)
		rerun_cached(&ctx, frame, len);
	return 0;
}
