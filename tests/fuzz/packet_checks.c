/* packet_checks.c - fuzz_packet's checks of the bytes a program gave back
 * (packet_checks.h): whatever a program wrote must be well formed, and what
 * came in as it is stays the sender's business, so each check first asks
 * whether the header or message is found in the input frame.
 */
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "packet_checks.h"
#include "packet_fuzz.h"

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
			pcheck_eth(eth, tot - ihl - 16, 1, in, inlen);
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

void pcheck_eth(const uint8_t *eth, size_t len, int depth, const uint8_t *in, size_t inlen)
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
