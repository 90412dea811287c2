/* icmp6.h - the ICMPv6 messages the gateway of a VNI sends to its workloads
 * (RFC 4443): echo replies (ping the gateway) and Packet Too Big (path MTU
 * discovery through the VXLAN overhead, RFC 8201). Both rewrite the packet
 * in place and send it back out of the port it came from; both return a
 * final verdict: a TC verdict they have counted, or DROP(reason) (drop.h).
 * icmp.h does the same for IPv4.
 */
#ifndef VTEP_ICMP6_H
#define VTEP_ICMP6_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "ipv6.h"
#include "icmp.h"

#define ICMP6_PKT_TOOBIG     2
#define ICMP6_ECHO_REQUEST   128
#define ICMP6_ECHO_REPLY     129
#define ICMP6_OUT_HOPLIMIT   64

struct icmp6_hdr {
	__u8   type;
	__u8   code;
	__sum16 check;
	__be32 rest; /* echo: id + sequence; Packet Too Big: the MTU */
};

/* Echo request to one of the gateway's addresses -> echo reply (RFC 4443
 * s.4.2): the reply comes from the address the request was sent to, with a
 * fresh hop limit. Swapping the addresses leaves the pseudo-header's sum
 * as it was and the hop limit is in no checksum, so the checksum changes
 * only by the type word (RFC 1624, icmp.h's csum16_replace()). Anything but
 * an echo request (directly behind the IPv6 header) has no route. */
static __always_inline int icmp6_echo_reply(struct __sk_buff *skb, struct ethhdr *eth,
					    struct ipv6hdr *ip6, void *data_end,
					    const struct vtep_vni *v)
{
	struct icmp6_hdr *ic = (void *)(ip6 + 1);
	__u8 addr[16];
	__u16 old;

	if (ip6->nexthdr != IPPROTO_ICMPV6)
		return DROP(no_route);
	if ((void *)(ic + 1) > data_end)
		return DROP(malformed);
	if (ic->type != ICMP6_ECHO_REQUEST || ic->code != 0)
		return DROP(no_route);
	mac_copy(eth->h_dest, eth->h_source);
	mac_copy(eth->h_source, v->gateway_mac);
	ip6_copy(addr, &ip6->saddr);
	ip6_copy(&ip6->saddr, &ip6->daddr);
	ip6_copy(&ip6->daddr, addr);
	ip6->hop_limit = ICMP6_OUT_HOPLIMIT;
	old = *(__u16 *)ic;
	ic->type = ICMP6_ECHO_REPLY;
	ic->check = csum16_replace(ic->check, old, *(__u16 *)ic);
	STAT_INC(icmp6_echo_reply);
	return bpf_redirect(skb->ifindex, 0);
}

/* The quote: the original IPv6 header and the 8 octets after it, or for
 * TCP its whole 20-byte header, for the reason icmp.h gives (the quote
 * stays where it was in the skb, so a CHECKSUM_PARTIAL skb's csum_start
 * still points inside the frame). RFC 4443 s.3.2 allows up to 1280 octets
 * in all; 48 or 60 are what the sender's stack needs to find the flow. */
#define ICMP6_QUOTE_MAX (IPV6_HLEN + 20)

struct icmp6_ptb_msg {
	struct ipv6hdr ip6;
	struct icmp6_hdr icmp;
	__u8 quote[ICMP6_QUOTE_MAX];
};

/* Packet Too Big (RFC 4443 s.3.2) from the VNI's gateway (gateway_ip6, or
 * its link-local address when the VNI has no global one) back to the
 * sender, carrying the usable MTU: the underlay path's less the 50 octets
 * of VXLAN, never below 1280 (RFC 8200 s.5: every IPv6 link carries 1280,
 * and RFC 8201 s.4 has hosts ignore less). proto is the original next
 * header (TCP: a 20-octet quote of its header). */
static __always_inline int icmp6_too_big(struct __sk_buff *skb, const struct vtep_port *port,
					 const struct vtep_vni *v, __u8 proto, __u16 mtu)
{
	struct icmp6_ptb_msg m = {};
	void *data, *data_end;
	struct ethhdr *eth;
	__u32 qlen, usable;
	int csum;

	qlen = IPV6_HLEN + (proto == IPPROTO_TCP ? 20 : 8);
	if (skb->len < ETH_HLEN + qlen)
		qlen = IPV6_HLEN + 8;
	if (skb->len < ETH_HLEN + qlen)
		goto fail;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, m.quote, qlen))
		goto fail;

	usable = mtu > VTEP_ENCAP_LEN + IPV6_MIN_MTU ? mtu - VTEP_ENCAP_LEN : IPV6_MIN_MTU;
	*(__be32 *)&m.ip6 = bpf_htonl(0x60000000);
	m.ip6.payload_len = bpf_htons(sizeof(m.icmp) + qlen);
	m.ip6.nexthdr = IPPROTO_ICMPV6;
	m.ip6.hop_limit = ICMP6_OUT_HOPLIMIT;
	if (!ip6_is_zero(v->gateway_ip6))
		ip6_copy(&m.ip6.saddr, v->gateway_ip6);
	else
		ip6_ll_from_mac((__u8 *)&m.ip6.saddr, v->gateway_mac);
	/* To the sender: the quoted packet's source. */
	ip6_copy(&m.ip6.daddr, m.quote + 8);
	m.icmp.type = ICMP6_PKT_TOOBIG;
	m.icmp.code = 0;
	m.icmp.rest = bpf_htonl(usable);
	/* Two constant lengths, so the helper's reads are bounded. */
	if (qlen == IPV6_HLEN + 20)
		csum = icmp6_csum(&m.ip6, &m.icmp, sizeof(m.icmp) + IPV6_HLEN + 20);
	else
		csum = icmp6_csum(&m.ip6, &m.icmp, sizeof(m.icmp) + IPV6_HLEN + 8);
	if (csum < 0)
		goto fail;
	m.icmp.check = (__sum16)csum;

	/* Cut the packet down to Ethernet + quote (this also ends GSO for
	 * it), then open 48 bytes for the new IPv6 + ICMPv6 headers. */
	if (bpf_skb_change_tail(skb, ETH_HLEN + qlen, 0))
		goto fail;
	if (bpf_skb_adjust_room(skb, sizeof(m.ip6) + sizeof(m.icmp), BPF_ADJ_ROOM_MAC, 0))
		goto fail;
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	eth = data;
	if (data + ETH_HLEN + sizeof(m.ip6) + sizeof(m.icmp) > data_end)
		goto fail;
	mac_copy(eth->h_dest, port->mac);
	mac_copy(eth->h_source, v->gateway_mac);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	__builtin_memcpy(data + ETH_HLEN, &m, sizeof(m.ip6) + sizeof(m.icmp));
	STAT_INC(icmp6_too_big);
	return bpf_redirect(skb->ifindex, 0);
fail:
	/* Too big to send as it is, and no answer could be built. */
	return DROP(mtu);
}

#endif /* VTEP_ICMP6_H */
