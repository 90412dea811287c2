/* icmp.h - the ICMP messages the gateway of a VNI sends to its workloads:
 * echo replies (ping the gateway) and fragmentation-needed (path MTU
 * discovery through the VXLAN overhead). Both rewrite the packet in place
 * and send it back out of the port it came from; both return a final
 * verdict: a TC verdict they have counted, or DROP(reason) (drop.h).
 */
#ifndef VTEP_ICMP_H
#define VTEP_ICMP_H

#include "maps.bpf.h"
#include "parse.h"
#include "csum.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"

#define ICMP_ECHOREPLY    0
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED  4  /* code of type 3 */
#define ICMP_ECHO         8
#define ICMP_MIN_MTU      68 /* RFC 791: every IPv4 link carries 68 bytes */
#define ICMP_OUT_TTL      64
#define ICMP_OUT_TOS      0xc0 /* precedence "internetwork control", as Linux's icmp_send() */

struct icmp_hdr {
	__u8   type;
	__u8   code;
	__sum16 check;
	__be32 rest; /* echo: id + sequence; type 3 code 4: unused + next-hop MTU */
};

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one changed 16-bit word. */
static __always_inline __u16 csum16_replace(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32)new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Echo request to the gateway IP -> echo reply (RFC 792). The caller
 * guarantees an option-less, unfragmented IPv4 header; anything but an
 * echo request to the gateway has no route. Swapping the addresses leaves
 * the IPv4 checksum's sum unchanged, but the TTL is reset, so the header
 * checksum is recomputed; the ICMP checksum changes only by the type word. */
static __always_inline int icmp_echo_reply(struct __sk_buff *skb, struct ethhdr *eth,
					   struct iphdr *ip, void *data_end,
					   const struct vtep_vni *v)
{
	struct icmp_hdr *ic = (void *)(ip + 1);
	__be32 addr;
	__u16 old;

	if ((void *)(ic + 1) > data_end)
		return DROP(malformed);
	if (ic->type != ICMP_ECHO || ic->code != 0)
		return DROP(no_route);
	mac_copy(eth->h_dest, eth->h_source);
	mac_copy(eth->h_source, v->gateway_mac);

	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->ttl = ICMP_OUT_TTL;
	ip->check = 0;
	ip->check = csum_ipv4_hdr(ip);

	old = *(__u16 *)ic;
	ic->type = ICMP_ECHOREPLY;
	ic->check = csum16_replace(ic->check, old, *(__u16 *)ic);
	STAT_INC(icmp_echo_reply);
	return bpf_redirect(skb->ifindex, 0);
}

/* The most a quote can be: a 60-byte IPv4 header + a 20-byte TCP header. */
#define ICMP_QUOTE_MAX (60 + 20)

struct icmp_frag_msg {
	struct iphdr ip;
	struct icmp_hdr icmp;
	__u8 quote[ICMP_QUOTE_MAX];
};

/* Destination unreachable / fragmentation needed (RFC 792, next-hop MTU
 * per RFC 1191), from the VNI's gateway IP back to the sender.
 *
 * The quote is the original IPv4 header plus 8 bytes (RFC 792), or for TCP
 * the whole 20-byte TCP header (RFC 1812 s.4.3.2.3 allows more): the quote
 * stays at its original offset in the skb (the new headers are pushed in
 * front of it with bpf_skb_adjust_room), so for a CHECKSUM_PARTIAL skb
 * csum_start/csum_offset still point at the quoted L4 checksum field inside
 * the frame; a virtio-net guest behind a tap drops frames whose partial
 * checksum points past their end.
 *
 * ip_len is the original packet's IPv4 header length (20..60, from ihl),
 * proto its protocol, saddr its source (the workload). */
static __always_inline int icmp_frag_needed(struct __sk_buff *skb, const struct vtep_port *port,
					    const struct vtep_vni *v, __u32 ip_len, __u8 proto,
					    __u16 mtu)
{
	struct icmp_frag_msg m = {};
	const __u16 *w = (const __u16 *)&m.icmp;
	__u32 qlen, sum = 0;
	void *data, *data_end;
	struct ethhdr *eth;

	if (ip_len < 20 || ip_len > 60)
		goto fail;
	qlen = ip_len + (proto == IPPROTO_TCP ? 20 : 8);
	if (skb->len < ETH_HLEN + qlen)
		qlen = ip_len + 8;
	if (skb->len < ETH_HLEN + qlen || qlen > ICMP_QUOTE_MAX)
		goto fail;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, m.quote, qlen))
		goto fail;

	if (mtu < VTEP_ENCAP_LEN + ICMP_MIN_MTU)
		mtu = VTEP_ENCAP_LEN + ICMP_MIN_MTU;
	m.icmp.type = ICMP_DEST_UNREACH;
	m.icmp.code = ICMP_FRAG_NEEDED;
	m.icmp.rest = bpf_htonl(mtu - VTEP_ENCAP_LEN);
	/* The bytes past qlen are zero and add nothing to the sum. */
#pragma unroll
	for (int i = 0; i < (int)(sizeof(m) - sizeof(m.ip)) / 2; i++)
		sum += w[i];
	m.icmp.check = csum_fold32(sum);

	m.ip.version = 4;
	m.ip.ihl = 5;
	m.ip.tos = ICMP_OUT_TOS;
	m.ip.tot_len = bpf_htons(sizeof(m.ip) + sizeof(m.icmp) + qlen);
	m.ip.ttl = ICMP_OUT_TTL;
	m.ip.protocol = IPPROTO_ICMP;
	m.ip.saddr = v->gateway_ip;
	m.ip.daddr = port->ip;
	m.ip.check = csum_ipv4_hdr(&m.ip);

	/* Cut the packet down to Ethernet + quote (this also ends GSO for
	 * it), then open 28 bytes for the new IPv4 + ICMP headers. */
	if (bpf_skb_change_tail(skb, ETH_HLEN + qlen, 0))
		goto fail;
	if (bpf_skb_adjust_room(skb, sizeof(m.ip) + sizeof(m.icmp), BPF_ADJ_ROOM_MAC, 0))
		goto fail;
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	eth = data;
	if (data + ETH_HLEN + sizeof(m.ip) + sizeof(m.icmp) > data_end)
		goto fail;
	mac_copy(eth->h_dest, port->mac);
	mac_copy(eth->h_source, v->gateway_mac);
	eth->h_proto = bpf_htons(ETH_P_IP);
	__builtin_memcpy(data + ETH_HLEN, &m, sizeof(m.ip) + sizeof(m.icmp));
	STAT_INC(icmp_frag_needed);
	return bpf_redirect(skb->ifindex, 0);
fail:
	/* Too big to send as it is, and no answer could be built. */
	return DROP(mtu);
}

#endif /* VTEP_ICMP_H */
