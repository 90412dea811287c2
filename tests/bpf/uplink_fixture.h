/* uplink_fixture.h - the fixture of test_uplink, the uplink programs' test
 * (bpf/uplink_xdp.bpf.c, uplink_tc.bpf.c, bpf/decap.h), whose cases are in
 * one file per feature: uplink_decap.c (the table of packets through each
 * mode's programs), uplink_cuts.c (truncated and multi-buffer frames),
 * uplink_modes.c (one program per mode, metadata it must not trust) and
 * uplink_live.c (attached to veths, frames on the wire); test_uplink.c
 * puts them in one suite and decides whether the XDP half can run here.
 *
 * Fixture (fresh for every test; Check forks each one): a private network
 * namespace and bpffs (harness.h), both skeletons loaded on the same pinned
 * maps (uplink_tc only, for the TC tcases, so they run where the kernel
 * refuses the XDP half), veths tu-up/tu-upp (the uplink), tu-w1/tu-w1p (a
 * port of VNI 100) and tu-w2/tu-w2p (a port of VNI 200), and the maps:
 * vtep_ip 192.0.2.1, remote VTEP 192.0.2.2, VNI 100 (gateway
 * 02:00:00:00:01:00) and 200, the workloads' local routes and fdb entries, a
 * remote host of VNI 100, and two deliberately wrong entries that point into
 * VNI 200's port (isolation).
 *
 * The table of packets (uplink_cases) gives for each the outcome (pass,
 * drop with its counter, delivery to a port with the exact inner frame, or
 * an ARP reply built independently with pkt.h); every run checks the whole
 * counter struct, so a verdict counted twice or under the wrong name fails
 * too. The code is in uplink_fixture.c.
 */
#ifndef VTEP_TEST_UPLINK_FIXTURE_H
#define VTEP_TEST_UPLINK_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "harness.h"
#include "pkt.h"
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
#define W1_IP6      "2001:db8:1::11"
#define R_IP6       "2001:db8:1::21"   /* a remote workload of VNI 100 */
#define GHOST_IP6   "2001:db8:1::99"   /* wrong route: VNI 100 -> VNI 200's port */
#define UNKNOWN_IP6 "2001:db8:1::50"

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

/* The harness, the two skeletons, the devices; xgen: the "xdp generic"
 * fixture runs vtep_uplink_gen; xlinear: run_xdp() keeps only this many
 * bytes linear (0: all that fit). */
extern struct harness h;
extern struct uplink_xdp_bpf *xskel;
extern struct uplink_tc_bpf *tskel;
extern int xgen;
extern uint32_t xlinear;
extern int if_up, if_w1, if_w2;

/* The fixtures, by what they load: UPLINK_TC uplink_tc alone (every
 * kernel), UPLINK_XDP both (the native XDP build runs), UPLINK_GEN both
 * with the generic build. */
enum uplink_fixture { UPLINK_TC, UPLINK_XDP, UPLINK_GEN };
/* A TCase with that fixture (set up in each forked case). */
TCase *uplink_tcase(const char *name, enum uplink_fixture f);

/* ---- packets ---------------------------------------------------------- */

struct outer {
	const char *saddr, *daddr; /* default REMOTE_IP -> VTEP_IP */
	uint16_t dport;            /* default 4789 */
	uint32_t vni;              /* default 100 */
	const uint8_t *opts;
	uint8_t optlen;
	int mf;
	uint16_t frag_off;
};

/* The outer Ethernet, IPv4, UDP and VXLAN headers, leaf -> uplink. */
void put_outer(struct pkt *p, const struct outer *o);
/* Frames of the table other files build too: VXLAN with an inner frame to
 * W1's MAC, to the gateway MAC (routed by IP), an inner ARP request for W1
 * and reply to it, a VLAN-tagged outer frame, a forged "decapsulated"
 * frame; w_arp_answer is the uplink's answer to b_arp_req; b_jumbo a
 * 6000-byte inner frame (multi-buffer). */
void b_mac(struct pkt *p);
void b_gw(struct pkt *p);
void b_arp_req(struct pkt *p);
void b_arp_reply(struct pkt *p);
void b_outer_vlan(struct pkt *p);
void b_forged(struct pkt *p);
void w_arp_answer(struct pkt *p);
void b_jumbo(struct pkt *p);
/* IPv6: VXLAN with inner UDP to W1's MAC, an inner NS for W1's address
 * from R, and the uplink's answer to it (W1's NA in VXLAN). */
void b6_mac(struct pkt *p);
void b_ns(struct pkt *p);
void w_na_answer(struct pkt *p);

/* ---- the table ---------------------------------------------------------- */

enum outcome { O_PASS, O_DROP, O_DELIVER, O_ARP_REPLY };

struct ucase {
	const char *name;
	void (*build)(struct pkt *p);
	void (*patch)(struct pkt *p); /* after pkt_finish(), or NULL */
	enum outcome out;
	size_t stat;            /* O_DROP: the drop reason; O_ARP_REPLY: the
	                         * answer's counter if not arp_vx_reply (an
	                         * inner NS's: nd_vx_reply) */
	int port;               /* deliveries: 1 = tu-w1, 2 = tu-w2 */
	const uint8_t *new_dst; /* deliveries: the inner destination MAC written */
	size_t trail;           /* bytes after the IPv4 packet, not delivered */
	void (*want)(struct pkt *p); /* O_ARP_REPLY: the frame sent back */
	void (*prep)(void);     /* map changes before the run, or NULL */
};

/* The table every mode runs (uplink_decap.c), and the multi-buffer frames
 * (uplink_cuts.c), with their sizes. */
extern const struct ucase uplink_cases[], mb_cases[];
extern const int uplink_ncases, mb_ncases;

/* c's frame into p, after c's map changes. */
void build(const struct ucase *c, struct pkt *p);
/* The frame a delivery must produce: the inner Ethernet frame. */
size_t expected_inner(const struct ucase *c, const struct pkt *p, uint8_t *out);
/* The port a delivery goes to. */
int case_ifindex(const struct ucase *c);

/* ---- runs and checks ------------------------------------------------------ */

/* Every counter back to 0. */
void stats_reset(void);
/* The counters one run of a case must leave, and nothing else. */
void expected_stats(const struct ucase *c, struct vtep_stats *s);
/* The counters are exactly want (all of them dumped if not). */
void assert_stats(const char *what, const struct vtep_stats *want);
/* got is want, byte for byte (a hex diff on stderr if not). */
void assert_bytes(const char *what, const void *want, size_t wlen, const void *got, size_t glen);
/* O_ARP_REPLY: exactly the answer, with correct IPv4 checksum and length. */
void assert_reply(const struct ucase *c, const uint8_t *got, size_t glen);

/* XDP run with metadata in and out (the harness's runner has no ctx_out).
 * test_run's data_out starts at data_meta; ctx_out.data is its length. */
struct xrun {
	uint32_t retval;
	uint8_t out[PKT_BUF + 64];
	uint32_t out_len;
	uint32_t meta_len;
};
/* The XDP program of the fixture (native or generic build), with meta in
 * front of the frame; the run fails the test if the kernel refuses it. */
void run_xdp(const void *meta, uint32_t metalen, const void *pkt, size_t len, struct xrun *r);
/* tc mode's program (vtep_uplink_tc). */
void run_tc(const void *pkt, size_t len, struct harness_result *r);
/* xdp mode's TC half (vtep_uplink_xtc). */
void run_xtc(const void *pkt, size_t len, struct harness_result *r);

/* ---- the features, put in one suite by test_uplink.c ----------------------- */

/* Each adds its tcases to s; with xdp false (the kernel refuses the XDP
 * half) only those that load uplink_tc alone. */
void uplink_decap_add(Suite *s, bool xdp);
void uplink_cuts_add(Suite *s, bool xdp);
void uplink_modes_add(Suite *s, bool xdp);
void uplink_live_add(Suite *s, bool xdp);
void uplink_ctsteer_add(Suite *s, bool xdp);

#endif /* VTEP_TEST_UPLINK_FIXTURE_H */
