/* test_port_arp.c - vtep_port_ingress (bpf/port_tc.bpf.c) answering ARP for
 * its workloads: the proxy in gateway mode (every address answered with the
 * gateway MAC) and in real mode (the target's own MAC, from the route, the
 * neighbour map or the gateway's as a fallback), unicast refreshes, RFC
 * 5227 probes, replies to the host passed up and all others dropped, and
 * ARP that is forged, malformed or from a port without its VNI: each with
 * the verdict, the exact frame and the counters (port_fixture.h).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"

static void in_arp_gw(struct pkt *p) { arp_req_w1(p, "10.1.255.254"); }
static void want_arp_gw(struct pkt *p) { arp_reply_to_w1(p, "10.1.255.254", MAC_GW, "10.1.0.11"); }
static void in_arp_local(struct pkt *p) { arp_req_w1(p, "10.1.0.12"); }
static void want_arp_local_gw(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.12", MAC_GW, "10.1.0.11"); }
static void in_arp_remote(struct pkt *p) { arp_req_w1(p, "10.1.0.21"); }
static void want_arp_remote_gw(struct pkt *p) { arp_reply_to_w1(p, "10.1.0.21", MAC_GW, "10.1.0.11"); }
static void in_arp_prefix(struct pkt *p) { arp_req_w1(p, "10.1.128.5"); }
static void want_arp_prefix(struct pkt *p) { arp_reply_to_w1(p, "10.1.128.5", MAC_GW, "10.1.0.11"); }

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

static void in_arp_reply_to_remote(struct pkt *p)
{
	arp_frame(p, MAC_R21, MAC_W1, 2, MAC_W1, "10.1.0.11", MAC_R21, "10.1.0.21");
}

static void in_arp_reply_bcast(struct pkt *p)
{
	arp_frame(p, PKT_MAC_BCAST, MAC_W1, 2, MAC_W1, "10.1.0.11", PKT_MAC_ZERO, "10.1.0.12");
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

static void prep_real(void)
{
	struct vtep_vni v = { .prefixlen = 16, .arp_reply = VTEP_ARP_REPLY_REAL };

	v.subnet = IP("10.1.0.0");
	v.gateway_ip = IP("10.1.255.254");
	memcpy(v.gateway_mac, MAC_GW, 6);
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
}

/* The ARP answer in real mode is the host route's own MAC: a route updated
 * to another MAC (the workload's MAC changed) answers the new one. */
static void prep_real_neigh(void)
{
	struct vtep_route r = { .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };

	prep_real();
	memcpy(r.mac, PKT_MAC(2, 0, 0, 0, 0, 0xaa), 6);
	ck_assert_int_eq(harness_route_add(&h, VNI, IP("10.1.0.21"), &r), 0);
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
	{ "arp real: the route's MAC", in_arp_remote, want_arp_remote_neigh, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real_neigh },
	{ "arp real no mac", in_arp_remote, want_arp_remote_gw, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real_nomac },
	{ "arp real prefix", in_arp_prefix, want_arp_prefix, TC_ACT_REDIRECT, CTR1(arp_reply), prep_real },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_arp");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	suite_add_tcase(s, tc);
	return s;
}
