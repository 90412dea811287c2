/* port_fixture6.h - the IPv6 part of the port program tests' fixture
 * (port_fixture.h), set up with the rest in every test's namespace:
 *   VNI 100        subnet6 2001:db8:1::/64, gateway 2001:db8:1::fffe (and
 *                  its link-local fe80::ff:fe00:100, the EUI-64 of the
 *                  gateway MAC 02:00:00:00:01:00)
 *   w1             2001:db8:1::11, link-local fe80::ff:fe00:11 (ip6_ll left
 *                  zero: the EUI-64 of its MAC), a local route
 *   w2             2001:db8:1::12, a local route
 *   2001:db8:1::21 remote host at VTEP 192.0.2.2, MAC 02:00:00:00:00:21
 *   2001:db8:1::31 remote router (VTEP_RT_F_ROUTER), MAC 02:00:00:00:00:31
 *   2001:db8:2::/48 a type-5 prefix at 192.0.2.2 (router MAC ...:fe)
 *   vtep_hostaddrs6 2001:db8:ffff::1
 * and the frame builders of the IPv6 tests (test_port_nd.c,
 * test_port_ipv6.c, the drop walk of test_port_drops.c).
 */
#ifndef VTEP_TEST_PORT_FIXTURE6_H
#define VTEP_TEST_PORT_FIXTURE6_H

#include <stdint.h>
#include "pkt.h"

#define W1_IP6   "2001:db8:1::11"
#define W1_LL    "fe80::ff:fe00:11"
#define W2_IP6   "2001:db8:1::12"
#define R21_IP6  "2001:db8:1::21"
#define RTR_IP6  "2001:db8:1::31"
#define GW_IP6   "2001:db8:1::fffe"
#define GW_LL    "fe80::ff:fe00:100"
#define PFX_IP6  "2001:db8:2::7"
#define HOST_IP6 "2001:db8:ffff::1"
#define NONE_IP6 "2001:db8:1::99"  /* nobody's */
#define ALL_NODES "ff02::1"

extern const uint8_t *const MAC_RTR, *const MAC_ALLNODES;

/* Called by port_fixture.c's setup(): the maps above. */
void port6_setup(void);

/* 16 bytes of a text address (a static buffer per call site: use at once). */
const uint8_t *A6(const char *s);
/* The solicited-node multicast address of target (RFC 4291 s.2.7.1) and
 * its MAC (RFC 2464 s.7). */
void sol_node(const char *target, uint8_t addr[16], uint8_t mac[6]);

/* An IPv6 header edst <- esrc, src -> dst, next header nh, hop limit hlim
 * (0: 64). The caller adds the rest and calls pkt_finish(). */
void ip6_hdr(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
	     const char *dst, uint8_t nh, uint8_t hlim);
/* UDP from src to dst (1000 -> 2000), payload pattern bytes, edst <- esrc. */
void udp6_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
		const char *dst, size_t payload);
/* UDP from w1 to dst through the gateway MAC, 32 bytes. */
void udp6_w1(struct pkt *p, const char *dst);
/* An NS src -> dst for target, hop limit hlim, with a source link-layer
 * address option carrying sllao (NULL: none), from w1's MAC to edst. */
void ns_frame(struct pkt *p, const uint8_t *edst, const char *src, const char *dst,
	      const char *target, uint8_t hlim, const uint8_t *sllao);
/* w1's NS for target to its solicited-node address, with its SLLAO. */
void ns_w1(struct pkt *p, const char *target);
/* An NA edst <- esrc, src -> dst, flags (ND_NA_F_* bits of the first
 * word), target, TLLAO tlla (NULL: none), hop limit 255. */
void na_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
	      const char *dst, uint32_t flags, const char *target, const uint8_t *tlla);
/* The proxy's NA to w1 for target answered with mac and flags. */
void na_to_w1(struct pkt *p, const char *target, const uint8_t *mac, uint32_t flags);
/* An RS from src (w1's link-local or ::) to ff02::2, with w1's SLLAO
 * unless src is ::. */
void rs_frame(struct pkt *p, const char *src);
/* The RA the gateway answers with, to dst (edst), MTU option mtu (0: none),
 * with the prefix option when pio. */
void ra_frame(struct pkt *p, const uint8_t *edst, const char *dst, uint32_t mtu, int pio);
/* An ICMPv6 echo request (128) or reply (129) src -> dst, hop limit hlim. */
void echo6_frame(struct pkt *p, const uint8_t *edst, const uint8_t *esrc, const char *src,
		 const char *dst, uint8_t type, uint8_t hlim);

#define NA_R 0x80000000u
#define NA_S 0x40000000u
#define NA_O 0x20000000u

#endif /* VTEP_TEST_PORT_FIXTURE6_H */
