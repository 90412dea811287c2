/* uplink_tc.bpf.c - the TC (clsact ingress) programs of the uplink: one
 * for each uplink mode, chosen per uplink by agent/dp/uplink_mode.c.
 *
 * vtep_uplink_xtc, xdp mode: uplink_xdp.bpf.c has already judged every
 * frame. A frame carrying struct vtep_xdp_meta with VTEP_META_MAGIC is a
 * decapsulated inner frame: deliver it to meta.ifindex; with
 * VTEP_META_MAGIC_TX it is a reply the XDP half wrote (an answered inner ARP
 * request): send it out of the uplink it came in on. Anything else passes
 * (TC_ACT_OK) untouched and uncounted. The XDP half cannot deliver itself: a
 * frame XDP redirects into a veth is received only when the peer end runs
 * NAPI (has an XDP program), which workloads do not (docs/design.md, kernel
 * facts); bpf_redirect_peer() from TC ingress has no such condition and
 * skips the host-side veth's backlog queue altogether.
 *
 * vtep_uplink_tc, tc mode: no XDP half; this program classifies with the
 * same decap.h rules, decapsulates with bpf_skb_adjust_room() and delivers;
 * an inner ARP request or NS for a local workload becomes its reply
 * (decap_arp.h, decap_nd.h) and leaves through the uplink's egress
 * (bpf_redirect to skb->ifindex).
 *
 * A frame with the metadata is delivered by both, so switching an uplink's
 * mode on restart (the XDP half attached or detached around the TC program)
 * loses nothing. Without the metadata a frame is never delivered in xdp
 * mode: only the XDP half writes it, so a "decapsulated" frame forged on the
 * wire passes to the host like any other frame.
 *
 * Delivery: taps, host links and shaped veths (VTEP_PORT_F_EGRESS) get
 * bpf_redirect() to their egress (the VM reads it from the tap; the host end
 * of a host link receives it; a shaped veth's root qdisc, e.g. the CNI
 * bandwidth plugin's tbf, sees it before veth_xmit); other veths get bpf_redirect_peer() into the workload
 * end's ingress, which needs the workload end in another network namespace
 * (the kernel drops a peer redirect within one namespace), or bpf_redirect()
 * to the host end's egress on a kernel without bpf_redirect_peer
 * (features.h).
 *
 * Before a delivery, the reply of a flow the host NATed (a Service's) is
 * steered to the VNI's host link instead (ctsteer.h).
 *
 * Drops: every stage returns DROP(reason) (drop.h; decap_classify()'s
 * DECAP_DROP_* are such verdicts) and both programs count it in one place,
 * uplink_tc_exit().
 */
#include "decap.h"
#include "drop.h"
#include "features.h"
#include "decap_arp.h"
#include "decap_nd.h"
#include "tc.h"
#include "ctsteer.h"

char LICENSE[] SEC("license") = "GPL";

/* uplink_tc_from_xdp(): the frame carries no metadata of ours. */
#define UPLINK_NO_META (-1)

/* The one exit of both programs: a drop verdict is counted under its
 * reason and becomes TC_ACT_SHOT; any other verdict is returned as it is. */
static __always_inline int uplink_tc_exit(int verdict)
{
	if (!verdict_is_drop(verdict))
		return verdict;
	drop_count(verdict);
	return TC_ACT_SHOT;
}

/* Hands the inner frame to the port. use_peer is false when skb->protocol
 * does not match the inner frame (tc mode, inner ARP or IPv6: the skb keeps
 * the outer ETH_P_IP): a peer redirect keeps skb->protocol, while a
 * redirect to the host-side veth's egress reaches the workload through
 * veth_xmit, whose eth_type_trans() sets it again. (For IPv6,
 * uplink_tc_strip() sets it where the kernel has
 * BPF_F_ADJ_ROOM_DECAP_L3_IPV6, which GSO needs; the egress path stays, as
 * older kernels have not.) */
static __always_inline int uplink_deliver(struct __sk_buff *skb, __u32 ifindex,
					  __u8 port_flags, int use_peer)
{
	long ret;

	/* In xdp mode the uplink's eth_type_trans() saw the workload's MAC as
	 * destination (PACKET_OTHERHOST), which the workload's ip_rcv() would
	 * drop; both paths reset it: the peer redirect scrubs the skb
	 * (skb_do_redirect -> skb_scrub_packet: PACKET_HOST), the veth/tap
	 * transmit path runs eth_type_trans() again. */
	ret = vtep_redirect_port(ifindex, !use_peer || (port_flags & VTEP_PORT_F_EGRESS));
	if (ret != TC_ACT_REDIRECT)
		return DROP(vx_redirect);
	return TC_ACT_REDIRECT;
}

/* xdp mode: deliver a frame the XDP half decapsulated, or transmit the reply
 * it wrote. Returns UPLINK_NO_META when the frame carries no metadata of
 * ours. */
static __always_inline int uplink_tc_from_xdp(struct __sk_buff *skb)
{
	void *data = skb_data(skb);
	struct vtep_xdp_meta *meta = skb_data_meta(skb);
	struct vtep_port *port;
	__u32 ifindex;
	__u8 flags;

	if ((void *)(meta + 1) > data)
		return UPLINK_NO_META;
	if (meta->magic == VTEP_META_MAGIC_TX) {
		/* Counted as answered by XDP; only ever back where it came
		 * from (the XDP half wrote its own ingress ifindex). */
		if (meta->ifindex != skb->ifindex ||
		    bpf_redirect(skb->ifindex, 0) != TC_ACT_REDIRECT)
			return DROP(vx_redirect);
		return TC_ACT_REDIRECT;
	}
	if (meta->magic != VTEP_META_MAGIC)
		return UPLINK_NO_META;
	ifindex = meta->ifindex;
	/* XDP checked the port; it may have gone since, and we need its
	 * flags. Counted as delivered by XDP, so a miss here is a drop. */
	port = bpf_map_lookup_elem(&vtep_ports, &ifindex);
	if (!port)
		return DROP(vx_redirect);
	flags = port->flags;
	ct_decap_steer(skb, port->vni, &ifindex, &flags);
	return uplink_deliver(skb, ifindex, flags, 1);
}

/* tc mode: a copy of the inner Ethernet header, read in place. It lies in
 * the linear area: decap_classify() read it there (cursor_pull within
 * [data, data_end), after uplink_tc_decap()'s pull). A direct read instead
 * of bpf_skb_load_bytes() saves a helper call, and calls are dear on the
 * development VM (AMD, SRSO mitigation "Safe RET": every return of the
 * helper and of what it calls goes through srso_alias_return_thunk):
 * bpf_skb_load_bytes (net/core/filter.c: skb_header_pointer + memcpy) was
 * 30-40 ns of the ~400 ns one BPF_PROG_TEST_RUN of a decapsulation took.
 * outer_len is at most 14 + 60 + 8 + 8 (decap.h), so the mask changes
 * nothing but tells the verifier the offset's bound. */
static __always_inline int uplink_tc_inner_eth(struct __sk_buff *skb,
					       const struct decap_result *res,
					       struct ethhdr *inner)
{
	void *data = SKB_LOAD_PTR(skb, data);
	void *data_end = SKB_LOAD_PTR(skb, data_end);
	struct ethhdr *eth = data + (res->outer_len & 0x7f);

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(inner, eth, sizeof(*inner));
	return 0;
}

/* tc mode: strip outer Ethernet + IPv4 + UDP + VXLAN. In BPF_ADJ_ROOM_MAC
 * mode bpf_skb_adjust_room() removes bytes right after the (outer) Ethernet
 * header; removing outer_len bytes there removes the outer IPv4, UDP and
 * VXLAN headers and the inner Ethernet header, so the outer Ethernet header
 * left in front is then overwritten with the inner one saved beforehand. */
static __always_inline int uplink_tc_strip(struct __sk_buff *skb, const struct decap_result *res)
{
	struct ethhdr inner, *eth;
	void *data, *data_end;
	__u32 frame_len = res->outer_len + res->inner_len;

	if (uplink_tc_inner_eth(skb, res, &inner))
		return -1;
	if (res->set_dst)
		mac_copy(inner.h_dest, res->dst_mac);
	/* Trailing bytes after the UDP payload are not the inner frame's. */
	if (skb->len > frame_len && bpf_skb_change_tail(skb, frame_len, 0))
		return -1;
	/* An IPv6 inner frame must leave with skb->protocol ETH_P_IPV6, not
	 * the outer ETH_P_IP: a GSO skb (TCP from a workload behind another
	 * VTEP) redirected to the port's egress is segmented in software
	 * there (the shrink marks it SKB_GSO_DODGY), by skb->protocol, and
	 * inet_gso_segment() refuses the IPv6 header: validate_xmit_skb()
	 * dropped the whole packet (tx_dropped on the port), so IPv6 TCP
	 * across hosts stalled. BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (Linux 6.3)
	 * sets the protocol; a kernel without it refuses the flag (EINVAL,
	 * before any change) and the frame is stripped as before (one
	 * segment still arrives: veth_xmit's eth_type_trans() sets it). */
	if (res->inner_ip6 &&
	    !bpf_skb_adjust_room(skb, -(__s32)res->outer_len, BPF_ADJ_ROOM_MAC,
				 BPF_F_ADJ_ROOM_DECAP_L3_IPV6))
		goto stripped;
	if (bpf_skb_adjust_room(skb, -(__s32)res->outer_len, BPF_ADJ_ROOM_MAC, 0))
		return -1;
stripped:

	data = skb_data(skb);
	data_end = skb_data_end(skb);
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth, &inner, sizeof(inner));
	return 0;
}

/* tc mode: the request becomes the reply in place, frame_len bytes long
 * (an inner ARP reply, or an inner NA, which may be longer than the NS it
 * answers). The frame is given the reply's size: the tail first
 * (bpf_skb_change_tail), then the outer IPv4 options, if any, go right after
 * the outer Ethernet header (the bytes removed there are rewritten anyway);
 * then every byte is written and the frame leaves by the uplink's egress,
 * where it came in. */
static __always_inline int uplink_tc_reply(struct __sk_buff *skb, const struct decap_result *res,
					   __u32 frame_len, int nd)
{
	__u32 head = res->outer_len - VXLAN_OFF_INNER;
	__u32 want = head + frame_len;
	void *data, *data_end;

	if (res->outer_len < VXLAN_OFF_INNER)
		return -1;
	if (skb->len != want && bpf_skb_change_tail(skb, want, 0))
		return -1;
	if (head && bpf_skb_adjust_room(skb, -(__s32)head, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	if (skb_data_end(skb) - skb_data(skb) < frame_len && bpf_skb_pull_data(skb, frame_len))
		return -1;
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	if (nd)
		return decap_nd_write(data, data_end, res);
	return decap_arp_write(data, data_end, res);
}

static __always_inline int uplink_tc_decap(struct __sk_buff *skb)
{
	struct decap_result res = {};
	void *data, *data_end;
	__u32 len, want;
	int v, ret;

	STAT_INC(uplink_rx);
	/* A tagged frame: __netif_receive_skb_core() moves the tag into the
	 * skb before TC ingress, so the data looks untagged here. It belongs
	 * to a VLAN device, which has its own programs if it is an uplink.
	 * (XDP runs before that and sees the tag: it passes such frames.) */
	if (skb->vlan_present) {
		STAT_INC(uplink_pass);
		return TC_ACT_OK;
	}
	len = skb->len;
	want = len < DECAP_PULL_LEN ? len : DECAP_PULL_LEN;
	if (skb_data_end(skb) - skb_data(skb) < want)
		bpf_skb_pull_data(skb, want);

	data = skb_data(skb);
	data_end = skb_data_end(skb);
	v = decap_classify(data, data_end, len, &res);
	decap_count(v);
	if (v == DECAP_PASS)
		return TC_ACT_OK;
	if (v == DECAP_ARP_REPLY || v == DECAP_ND_REPLY) {
		int nd = v == DECAP_ND_REPLY;

		if (uplink_tc_reply(skb, &res, nd ? DECAP_ND_FRAME_LEN : DECAP_ARP_FRAME_LEN,
				    nd) < 0 ||
		    bpf_redirect(skb->ifindex, 0) != TC_ACT_REDIRECT)
			return DROP(vx_redirect);
		if (nd)
			STAT_INC(nd_vx_reply);
		else
			STAT_INC(arp_vx_reply);
		return TC_ACT_REDIRECT;
	}
	if (!decap_is_delivery(v))
		return v; /* DECAP_DROP_*: a drop verdict */
	if (uplink_tc_strip(skb, &res) < 0)
		return DROP(vx_redirect);
	/* Conntrack steering looks up IPv4 tuples only (ctsteer.h). */
	if (!res.inner_arp && !res.inner_ip6)
		ct_decap_steer(skb, res.vni, &res.ifindex, &res.port_flags);
	ret = uplink_deliver(skb, res.ifindex, res.port_flags, !res.inner_arp && !res.inner_ip6);
	if (ret == TC_ACT_REDIRECT)
		STAT_INC(decap_deliver);
	return ret;
}

/* An uplink in tc mode: frames of an XDP half (left from a mode switch)
 * are still delivered; everything else is judged here. */
SEC("tc")
int vtep_uplink_tc(struct __sk_buff *skb)
{
	int ret = uplink_tc_from_xdp(skb);

	if (ret == UPLINK_NO_META)
		ret = uplink_tc_decap(skb);
	return uplink_tc_exit(ret);
}

/* The TC half of an uplink in xdp mode: the XDP half has judged every frame
 * already, so only what it marked is acted on; the rest passes uncounted.
 * Each uplink gets the program of its own mode (agent/dp/uplink_mode.h), so
 * one host may run XDP on a NIC and TC on a veth. */
SEC("tc")
int vtep_uplink_xtc(struct __sk_buff *skb)
{
	int ret = uplink_tc_from_xdp(skb);

	if (ret == UPLINK_NO_META)
		return TC_ACT_OK;
	return uplink_tc_exit(ret);
}
