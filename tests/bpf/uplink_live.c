/* uplink_live.c - the uplink programs attached to veths, frames on the
 * wire: BPF_PROG_TEST_RUN cannot hand an skb program metadata (EINVAL on
 * data_meta on this kernel), so the XDP -> metadata -> TC ->
 * bpf_redirect_peer() chain runs live. Programs attached to tu-up, frames
 * injected from tu-upp with a packet socket, the workload end tu-w1p in a
 * namespace of its own (bpf_redirect_peer() refuses a peer in the same
 * namespace), captured there and answered by the workload's own stack (ICMP
 * echo, ARP). Every namespace is anonymous, held only by this process:
 * nothing outlives a failed test. Per mode (tc and xdp, a port flagged tap
 * or not), and a jumbo frame on a 9000-MTU veth through the native XDP
 * build.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "uplink_fixture.h"

/* The tc modes first: tcase "live" runs [0, LIVE_N_TC) everywhere, tcase
 * "live-xdp" the rest where the kernel runs the XDP half. */
enum live_mode { LIVE_TC, LIVE_TC_TAPFLAG, LIVE_XDP_DRV, LIVE_XDP_SKB, LIVE_XDP_TAPFLAG,
		 LIVE_N };
#define LIVE_N_TC LIVE_XDP_DRV
/* match() says 1 (the frame waited for), -1 (a frame that must not come)
 * or 0 (unrelated). Returns match()'s verdict, or 0 at the deadline; with
 * pkttype, the matching frame's packet type and skb->protocol (sll_protocol,
 * network order) in *pkttype and *proto. */
typedef int (*frame_match)(const uint8_t *f, size_t len, const void *arg);

struct exact {
	const uint8_t *want;
	size_t wlen;
	const uint8_t *forbid[2];
	size_t flen[2];
};

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
	e = (struct exact){ .want = inner, .wlen = expected_inner(&uplink_cases[0], &vx, inner),
			    .forbid = { forged.buf, tagged_inner },
			    .flen = { forged.len, expected_inner(&uplink_cases[0], &tagged, tagged_inner) } };
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
	e = (struct exact){ .want = inner, .wlen = expected_inner(&uplink_cases[0], &arp_rep, inner) };
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

/* The workload's ICMPv6 echo reply to the remote workload. */
static int match_echo6_reply(const uint8_t *f, size_t len, const void *arg)
{
	const uint8_t *ip6 = f + ETH_HLEN;
	uint16_t id = *(const uint16_t *)arg;
	uint8_t w1[16], r[16];

	pkt_ip6(W1_IP6, w1);
	pkt_ip6(R_IP6, r);
	if (len < ETH_HLEN + 48 || f[12] != 0x86 || f[13] != 0xdd || ip6[6] != 58)
		return 0;
	if (memcmp(ip6 + 8, w1, 16) || memcmp(ip6 + 24, r, 16))
		return 0;
	return ip6[40] == 129 && !memcmp(ip6 + 44, &(uint16_t){ htons(id) }, 2);
}

/* Any ICMPv6 NS (the workload must see none: the uplink answers for it). */
static int match_any_ns(const uint8_t *f, size_t len, const void *arg)
{
	(void)arg;
	return len >= ETH_HLEN + 41 && f[12] == 0x86 && f[13] == 0xdd && f[ETH_HLEN + 6] == 58 &&
	       f[ETH_HLEN + 40] == 135 ? -1 : 0;
}

/* IPv6 inner frames on real devices, per mode: VXLAN to the workload's MAC
 * (the exact inner frame, delivered as IPv6: in tc mode the skb still says
 * ETH_P_IP after the decapsulation, so a peer redirect would hand it to the
 * workload's ip_rcv), an ICMPv6 echo request to the gateway MAC (routed by
 * vtep_routes6; the workload's stack must accept and answer it), and an
 * inner NS for the workload (answered in VXLAN out of the uplink, never
 * seen by the workload). */
START_TEST(test_live6)
{
	enum live_mode mode = (enum live_mode)_i;
	int tc_mode = mode == LIVE_TC || mode == LIVE_TC_TAPFLAG;
	int tapflag = mode == LIVE_XDP_TAPFLAG || mode == LIVE_TC_TAPFLAG;
	uint8_t inner[PKT_BUF], w1[16], r[16];
	struct pkt vx, echo, ns_req, answer;
	uint16_t proto = 0, echo_id = 0x6464;
	int ns_fd, inj, cap_w, cap_h, cap_u, pkttype = -1;
	struct exact e;
	char ns[64];

	ns_fd = netns_new();
	snprintf(ns, sizeof(ns), "/proc/%d/fd/%d", (int)getpid(), ns_fd);
	ck_assert_int_eq(harness_sh(
		"ip link set %2$s netns %1$s && "
		"nsenter --net=%1$s sh -c 'ip link set lo up && "
		"ip link set %2$s address 02:00:00:00:00:11 up && "
		"ip -6 addr add %3$s/64 dev %2$s nodad && "
		"ip -6 neigh add %4$s lladdr 02:00:00:00:00:21 dev %2$s nud permanent'",
		ns, W1_PEER, W1_IP6, R_IP6), 0);
	if (tapflag) {
		struct vtep_port port = { .vni = 100, .ip = pkt_ip(W1_IP), .flags = VTEP_PORT_F_TAP };

		memcpy(port.mac, W1_MAC, 6);
		ck_assert_int_eq(harness_port_add(&h, (uint32_t)if_w1, &port), 0);
	}
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

	pkt_init(&vx);
	b6_mac(&vx);
	ck_assert_int_eq(pkt_finish(&vx), 0);
	inject(inj, &vx);
	e = (struct exact){ .want = inner, .wlen = expected_inner(&uplink_cases[0], &vx, inner) };
	ck_assert_msg(wait_frame_proto(cap_w, match_exact, &e, &pkttype, &proto) == 1,
		      "%s: the inner IPv6 frame did not reach the workload", live_names[mode]);
	ck_assert_int_eq(pkttype, PACKET_HOST);
	ck_assert_msg(proto == htons(ETH_P_IPV6), "%s: delivered with protocol %#x",
		      live_names[mode], ntohs(proto));

	pkt_ip6(W1_IP6, w1);
	pkt_ip6(R_IP6, r);
	pkt_init(&echo);
	put_outer(&echo, &(struct outer){ 0 });
	pkt_eth(&echo, GW1_MAC, R_MAC, ETH_P_IPV6);
	{
		struct pkt_ip6 ip = { .nexthdr = 58, .hlim = 64 };

		memcpy(ip.saddr, r, 16);
		memcpy(ip.daddr, w1, 16);
		pkt_ipv6(&echo, &ip);
	}
	pkt_icmp6(&echo, 128, 0, (uint32_t)echo_id << 16 | 1);
	pkt_pattern(&echo, 24);
	ck_assert_int_eq(pkt_finish(&echo), 0);
	inject(inj, &echo);
	ck_assert_msg(wait_frame(cap_h, match_echo6_reply, &echo_id, NULL) == 1,
		      "%s: no ICMPv6 echo reply from the workload", live_names[mode]);

	pkt_init(&ns_req);
	b_ns(&ns_req);
	ck_assert_int_eq(pkt_finish(&ns_req), 0);
	pkt_init(&answer);
	w_na_answer(&answer);
	ck_assert_int_eq(pkt_finish(&answer), 0);
	inject(inj, &ns_req);
	e = (struct exact){ .want = answer.buf, .wlen = answer.len };
	ck_assert_msg(wait_frame(cap_u, match_exact, &e, NULL) == 1,
		      "%s: no NA in VXLAN out of the uplink", live_names[mode]);
	ck_assert_int_eq(recv_any(cap_w, match_any_ns), 0);

	ck_assert_uint_eq(harness_stat(&h, decap_deliver), 2);
	ck_assert_uint_eq(harness_stat(&h, nd_vx_reply), 1);
	ck_assert_uint_eq(harness_stat(&h, drop_vx_redirect), 0);

	close(inj);
	close(cap_u);
	close(cap_h);
	close(cap_w);
	close(ns_fd);
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

void uplink_live_add(Suite *s, bool xdp)
{
	TCase *tc = uplink_tcase("live", UPLINK_TC);

	tcase_add_loop_test(tc, test_live, 0, LIVE_N_TC);
	tcase_add_loop_test(tc, test_live6, 0, LIVE_N_TC);
	suite_add_tcase(s, tc);
	if (xdp) {
		TCase *x = uplink_tcase("live-xdp", UPLINK_XDP);

		tcase_add_loop_test(x, test_live, LIVE_N_TC, LIVE_N);
		tcase_add_loop_test(x, test_live6, LIVE_N_TC, LIVE_N);
		tcase_add_test(x, test_live_jumbo);
		suite_add_tcase(s, x);
	}
}
