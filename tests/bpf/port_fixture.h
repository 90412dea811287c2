/* port_fixture.h - the fixture of the port program tests (test_port_*.c):
 * BPF_PROG_TEST_RUN of vtep_port_ingress (bpf/port_tc.bpf.c).
 *
 * Every test runs in its own forked child with a fresh network namespace
 * (the harness unshares one, so nothing outlives the test) holding:
 *   ta-w1/ta-w1p   port w1: VNI 100, 10.1.0.11, 02:00:00:00:00:11
 *   ta-w2/ta-w2p   port w2: VNI 100, 10.1.0.12, 02:00:00:00:00:12 (local route)
 *   ta-up/ta-upp   the uplink: 198.51.100.1/24, next hop 198.51.100.2
 *                  (02:00:00:00:99:02, permanent), default route via it
 *   lo             192.0.2.1 (our VTEP IP, a host address)
 * and maps: vtep_hostaddrs 192.0.2.1 and 198.51.100.1 (as vtepd keeps them),
 * VNI 100 10.1.0.0/16 gw 10.1.255.254 02:00:00:00:01:00 (gateway mode), remote route 10.1.0.21 -> VTEP 192.0.2.2 mac 02:00:00:00:00:21,
 * prefix 10.1.128.0/24 -> 192.0.2.2, vtep_ip 192.0.2.1, UDP 4789; and the
 * IPv6 side of the same VNI and ports (port_fixture6.h).
 *
 * Each table case (struct port_case) gives the input frame, the verdict,
 * the exact output bytes and exactly which counters move (all others must
 * stay 0). Frame builders, checks and the map variations more than one
 * test file uses are here; the code is in port_fixture.c.
 */
#ifndef VTEP_TEST_PORT_FIXTURE_H
#define VTEP_TEST_PORT_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "pkt.h"
#include "port_tc.skel.h"

#define VNI 100
#define IP(s) pkt_ip(s)

extern const uint8_t *const MAC_GW, *const MAC_W1, *const MAC_W2, *const MAC_R21, *const MAC_NH,
	*const MAC_EVIL;

/* The test's harness, the loaded program, the devices, the uplink's MAC. */
extern struct harness h;
extern struct port_tc_bpf *skel;
extern int prog_fd;
extern int if_w1, if_w2, if_up;
extern uint8_t mac_up[6];

/* A TCase whose every case runs in a fresh namespace with the maps above
 * (a checked fixture: set up in the forked child). */
TCase *port_tcase(const char *name);

/* ---- frame builders ------------------------------------------------- */

/* An ARP frame: Ethernet edst <- esrc, op, sender sha/spa, target tha/tpa. */
void arp_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, uint16_t op, const uint8_t *sha, const char *spa, const uint8_t *tha, const char *tpa);
/* A request from w1 (10.1.0.11) for tpa. */
void arp_req_w1(struct pkt *p, const char *tpa);
/* The proxy's answer to w1 for tpa with mac (asker spa given). */
void arp_reply_to_w1(struct pkt *p, const char *tpa, const uint8_t *mac, const char *spa);
/* IPv4/UDP from w1 to daddr (10.1.0.11:1000 -> daddr:2000), payload bytes. */
void udp_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *saddr, const char *daddr, int df, size_t payload);
/* UDP from w1 to daddr through the gateway MAC, DF, 32 octets. */
void udp_w1(struct pkt *p, const char *daddr);
/* ICMP echo (type: 8 request, 0 reply) saddr -> daddr with TTL ttl. */
void icmp_echo_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *saddr, const char *daddr, uint8_t type, uint8_t ttl);

/* ---- running and checking ------------------------------------------- */

#define C(name) offsetof(struct vtep_stats, name)
#define NO_CTR ((size_t)-1)

/* Asserts that exactly the listed counters (besides port_rx, always 1)
 * are non-zero, each equal to 1. */
void expect_counters(const size_t *offs, int n);
/* in through w1's ingress; the test fails if the run does. */
void run_w1(const struct pkt *in, struct harness_result *r);
/* UDP from w1 to daddr (udp_w1); the outer destination (the VTEP) of the
 * encapsulated frame, 0 when it was not encapsulated. */
uint32_t port_vtep_for(const char *daddr);
/* A BGP host route (VNI, ip) -> vtep, MAC_R21, written straight into
 * vtep_routes (behind whatever copy the datapath keeps of it). */
void port_remote_route(const char *ip, const char *vtep);
/* The output frame is want, byte for byte (a hex diff on stderr if not). */
void expect_bytes(const struct harness_result *r, const struct pkt *want);

/* ---- the table: one frame in, verdict + bytes + counters out --------- */

struct port_case {
	const char *name;
	void (*in)(struct pkt *p);
	void (*want)(struct pkt *p); /* NULL: the frame leaves unchanged */
	int verdict;
	size_t ctr[2];               /* NO_CTR-padded */
	void (*prep)(void);          /* extra map/netns state, or NULL */
};
#define CTR1(a) { C(a), NO_CTR }
#define CTR2(a, b) { C(a), C(b) }
#define PORT_CASES(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* The fixture with the loader's check_mtu knob 0 (a kernel without
 * bpf_check_mtu): RAs carry no MTU option. */
TCase *port_tcase_no_check_mtu(const char *name);

/* Runs one case: prep, the frame through w1, then verdict, bytes and
 * counters. */
void port_case_run(const struct port_case *c);

/* ---- frames and map variations of more than one test file ------------- */

/* UDP from w1 to w2 (10.1.0.12). */
void in_udp_local(struct pkt *p);
/* IPv4 options NOP NOP NOP EOL. */
extern const uint8_t ip_opts[4];
/* An ICMP echo from w1 to daddr (Ethernet destination edst) with ip_opts,
 * MF set when mf. Options towards anyone but the gateway are forwarded
 * untouched. */
void opt_frame(struct pkt *p, const uint8_t *edst, const char *daddr, int mf);
/* An ICMP echo fragment from w1 to daddr at offset off (8-octet units). */
void frag_frame(struct pkt *p, const char *daddr, uint16_t off, int mf);
/* VNI 100 gone from vtep_vnis. */
void prep_no_vni(void);
/* The host without a default route: the FIB has no route for 8.8.8.8, which
 * bpf_fib_lookup() reports as NOT_FWDED, the same as a local address. */
void prep_no_default_route(void);

/* VNI 100 with outside "host" (VTEP_VNI_F_OUTSIDE_HOST). */
void prep_outside_host(void);
/* That, and a workload of VNI 200 on this host: 10.2.0.13 behind ta-w3,
 * with the host's /32 route to it. */
void prep_other_vni_port(void);
/* That, and w1 as the VNI's host link (VTEP_PORT_F_HOSTLINK, host_ip
 * 10.1.0.11). */
void prep_hostlink(void);

/* w1 with an egress limit (vtep_port_rates): rate bits/s, a bucket of
 * burst bytes, full (lib/portrate.h, as vtepd writes it). */
void prep_rate_w1(uint64_t rate, uint64_t burst);
/* w1 limited to 1000 bit/s with a 1-byte bucket: no frame fits. */
void prep_rate_w1_tiny(void);

/* ---- frames and map variations of the drop-reason walk (test_port_drops.c)
 * that other files test on their own ---------------------------------- */

/* w1 in "mac: auto" before vtepd learned its MAC. */
void unlearn_w1(void);
/* ARP from w1 for an IP nobody has (10.1.0.99). */
void in_arp_unknown(struct pkt *p);
/* An RFC 5227 probe from w1 for its own IP. */
void in_probe_self(struct pkt *p);
/* ARP with op 3 (neither request nor reply). */
void in_arp_op3(struct pkt *p);
/* An ARP reply from w1 to an address that is not the host's. */
void in_arp_reply_to_linklocal(struct pkt *p);
/* ICMP with IPv4 options to the gateway. */
void in_opts_gw(struct pkt *p);
/* The first fragment of an ICMP echo to the gateway. */
void in_frag_first_gw(struct pkt *p);
/* UDP from w1 to 10.1.0.99: no route in VNI 100. */
void in_no_route(struct pkt *p);
/* UDP from w1 to the remote workload 10.1.0.21. */
void in_udp_remote(struct pkt *p);
/* 10.1.0.21 routed to VTEP 203.0.113.9, which the underlay cannot reach. */
void prep_remote_unreachable(void);

#endif /* VTEP_TEST_PORT_FIXTURE_H */
