/* floor.bpf.c - the empty TC program: the floor of every cost measurement,
 * and the encapsulation floor: the least a TC program that encapsulates in
 * VXLAN must do.
 *
 * bench_floor: attached on a workload port's clsact ingress exactly as
 * vtepd attaches vtep_port_ingress, and run on the same generated frames,
 * it shows what kernel.bpf_stats_enabled accounting alone reports per run
 * (two clock reads around a program that does nothing). Program costs above
 * it are the datapath's own work.
 *
 * bench_encap_floor: the irreducible work of an encapsulating TC program,
 * with no map lookup, no FIB lookup, no policy: bounds-check Ethernet and
 * IPv4, bpf_skb_adjust_room() the 50 bytes with the flags bpf/encap.h
 * encap_vxlan() passes, re-check bounds, write outer Ethernet, IPv4 (with
 * its checksum, as csum_ipv4_hdr), UDP, VXLAN and the inner Ethernet
 * addresses, then bpf_redirect(). Every value comes from rodata (set by
 * bench/floorload before loading), so nothing is looked up per packet. Its
 * cost per packet is what any TC encapsulation pays on this kernel, so a
 * target below it cannot be met by a TC program here.
 *
 * bench_encap_floor_noadj: the same minus bpf_skb_adjust_room(): the
 * headers are written in place over a frame already as long as the
 * encapsulated one (progcost.sh sends it 110-byte frames), to split the
 * helper's cost from the header writes. Its output is not a valid packet
 * for anyone; it is redirected and dropped like the other.
 *
 * bench/progcost.sh attaches bench_floor with tc (iproute2 loads the first
 * program of section "tc", so bench_floor stays first here) and the other
 * two with bench/floorload (which sets the rodata).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../bpf/csum.h"

#define TC_ACT_OK   0
#define TC_ACT_SHOT 2

/* vmlinux.h has the enums but not the uapi #defines (bpf/parse.h has the
 * same values; not included, to keep this object free of the datapath's
 * maps and headers). */
#define EF_ETH_P_IP  0x0800
#define EF_ETH_HLEN  14
#define EF_ENCAP_LEN 50      /* VTEP_ENCAP_LEN: Ethernet + IPv4 + UDP + VXLAN */
#define EF_IP_DF     0x4000
#define EF_TTL       64      /* VTEP_OUTER_TTL */
#define EF_SPORT     49152   /* VXLAN_SPORT_BASE; constant: no flow hash here */
#define EF_VXLAN_PORT 4789
#define EF_VXLAN_F_I 0x08

/* Set by bench/floorload before loading. const volatile: the values are
 * read from the frozen .rodata map at run time, the compiler may not fold
 * them to the zeros below. A MAC address is two words in wire order, its
 * first 4 bytes (_hi) and last 2 (_lo), so it is written with two loads and
 * two stores; scalars, not a struct, because the generated skeleton names
 * rodata types without defining them. */
#define EF_MAC(name) const volatile __u32 name##_hi; const volatile __u16 name##_lo
EF_MAC(ef_osmac);                        /* outer source MAC (the uplink) */
EF_MAC(ef_odmac);                        /* outer destination MAC (next hop) */
EF_MAC(ef_ismac);                        /* inner source MAC (the workload port) */
EF_MAC(ef_idmac);                        /* inner destination MAC (the remote workload) */
const volatile __be32 ef_osip;           /* outer source IPv4 (this VTEP) */
const volatile __be32 ef_odip;           /* outer destination IPv4 (remote VTEP) */
const volatile __u32 ef_vni;
const volatile __u32 ef_ifindex;         /* where bpf_redirect() sends the frame */

struct ef_vxlan {
	__be32 flags;        /* I flag and 24 reserved bits */
	__be32 vni;          /* VNI << 8 and 8 reserved bits */
};

#define ef_mac_put(d, name) do { \
	*(__u32 *)(d) = name##_hi; \
	*(__u16 *)((d) + 4) = name##_lo; \
} while (0)

/* The initial check both variants make: the frame has Ethernet and an
 * IPv4 header, as a real encapsulating program must know before it
 * touches the frame. */
static __always_inline int ef_check(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + EF_ETH_HLEN;

	if ((void *)(ip + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(EF_ETH_P_IP))
		return -1;
	return 0;
}

/* Writes the 50 bytes of outer headers and the inner Ethernet header at the
 * front of the frame and redirects it; bounds are re-checked after any
 * adjust_room (it invalidates every packet pointer), up to the end of the
 * inner IPv4 header as encap_vxlan() does. */
static __always_inline int ef_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr *oeth = data;
	struct iphdr *oip = data + EF_ETH_HLEN;
	struct udphdr *udp = (void *)(oip + 1);
	struct ef_vxlan *vx = (void *)(udp + 1);
	struct ethhdr *ieth = (void *)(vx + 1);
	struct iphdr *inner = (void *)(ieth + 1);
	__u32 len;

	if ((void *)(inner + 1) > data_end)
		return TC_ACT_SHOT;
	len = skb->len - EF_ETH_HLEN;

	ef_mac_put(oeth->h_dest, ef_odmac);
	ef_mac_put(oeth->h_source, ef_osmac);
	oeth->h_proto = bpf_htons(EF_ETH_P_IP);

	oip->version = 4;
	oip->ihl = 5;
	oip->tos = 0;
	oip->tot_len = bpf_htons(len);
	oip->id = 0;
	oip->frag_off = bpf_htons(EF_IP_DF);
	oip->ttl = EF_TTL;
	oip->protocol = IPPROTO_UDP;
	oip->check = 0;
	oip->saddr = ef_osip;
	oip->daddr = ef_odip;
	oip->check = csum_ipv4_hdr(oip);

	udp->source = bpf_htons(EF_SPORT);
	udp->dest = bpf_htons(EF_VXLAN_PORT);
	udp->len = bpf_htons(len - sizeof(struct iphdr));
	udp->check = 0;

	vx->flags = bpf_htonl(EF_VXLAN_F_I << 24);
	vx->vni = bpf_htonl(ef_vni << 8);

	ef_mac_put(ieth->h_dest, ef_idmac);
	ef_mac_put(ieth->h_source, ef_ismac);
	ieth->h_proto = bpf_htons(EF_ETH_P_IP);

	return bpf_redirect(ef_ifindex, 0);
}

SEC("tc")
int bench_floor(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

SEC("tc")
int bench_encap_floor(struct __sk_buff *skb)
{
	/* Exactly encap_vxlan()'s flags for an IPv4 packet that is not UDP GSO
	 * (FIXED_GSO is only added for those): outer IPv4 and UDP, inner
	 * Ethernet of ETH_HLEN bytes. */
	__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
		      BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
		      ((__u64)(EF_ETH_HLEN & BPF_ADJ_ROOM_ENCAP_L2_MASK) <<
		       BPF_ADJ_ROOM_ENCAP_L2_SHIFT);

	if (ef_check(skb))
		return TC_ACT_SHOT;
	if (bpf_skb_adjust_room(skb, EF_ENCAP_LEN, BPF_ADJ_ROOM_MAC, flags))
		return TC_ACT_SHOT;
	return ef_write(skb);
}

SEC("tc")
int bench_encap_floor_noadj(struct __sk_buff *skb)
{
	if (ef_check(skb))
		return TC_ACT_SHOT;
	return ef_write(skb);
}

char LICENSE[] SEC("license") = "GPL";
