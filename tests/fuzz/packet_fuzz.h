/* packet_fuzz.h - what fuzz_packet's three files share: the topology the
 * fixture builds (fuzz_packet.c's head comment describes it), named once so
 * that the seeds (packet_seeds.c) address the same workloads, gateways and
 * VTEPs the maps hold; the trap on a broken invariant; and the one function
 * of the fixture the others call.
 *
 * Why fuzz_packet is split: fuzz_packet.c sets up the namespace, programs
 * and maps and runs each input; packet_seeds.c only writes the seed corpus
 * (FUZZ_PACKET_SEEDS=DIR); packet_checks.c only judges the bytes a program
 * gave back. The seeds and the checks need pkt.h alone, not the harness or
 * the skeletons, and are compiled with tests/bpf's include path only.
 */
#ifndef FUZZ_PACKET_FUZZ_H
#define FUZZ_PACKET_FUZZ_H

#include <stdint.h>

#include "pkt.h"

/* A broken invariant traps, so libFuzzer reports the input. */
#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define VXLAN_PORT 4789
#define IP(s) pkt_ip(s)

/* The fixture's MACs and VNI 100's IPv6 addresses. */
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

static inline void ip6(const char *s, uint8_t out[16])
{
	pkt_ip6(s, out);
}

/* The fixture cannot go on (fuzz_packet.c): prints what and aborts. */
void pfuzz_die(const char *what);

#endif /* FUZZ_PACKET_FUZZ_H */
