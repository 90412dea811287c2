/* uplink_xdp.bpf.c - the XDP half of the uplink (vtep.uplink_attach "xdp",
 * the default): validate, classify and decapsulate VXLAN for our VTEP, then
 * hand the inner frame to the TC half (uplink_tc.bpf.c) with the port to
 * deliver to in the XDP metadata area.
 *
 * Pipeline: decap_classify() (decap.h) -> PASS: XDP_PASS untouched; a drop
 * reason: XDP_DROP, counted at the one exit uplink_xdp_exit() (drop.h) like
 * every later drop; a delivery: strip the outer headers (bpf_xdp_adjust_head),
 * write struct vtep_xdp_meta {VTEP_META_MAGIC, ifindex} right before the
 * inner frame (bpf_xdp_adjust_meta), XDP_PASS; an inner ARP request for a
 * local workload (or an inner NS): the frame becomes the reply
 * (decap_arp.h, decap_nd.h) and gets
 * {VTEP_META_MAGIC_TX, the uplink's ifindex}, XDP_PASS: the TC half sends it
 * back out of the uplink.
 *
 * Why not XDP_TX for that reply: on a veth uplink (containers, test
 * topologies, nodes in VMs behind a veth) a frame XDP_TX sends is received
 * by the peer only when the peer end runs NAPI (DESIGN.md, kernel facts), so
 * the reply would vanish silently; bpf_redirect() to the uplink's egress from
 * TC works on every device. ARP requests are rare: the skb costs nothing
 * that matters.
 *
 * Why not deliver here with a redirect: a frame XDP redirects into a veth is
 * received by the peer only when the peer end runs NAPI, i.e. has an XDP
 * program of its own (DESIGN.md, kernel facts); workloads do not. TC's
 * bpf_redirect_peer() has no such condition, so XDP does the work that is
 * cheap to do early (dropping bad VXLAN before an skb exists, stripping the
 * headers) and TC does the delivery.
 *
 * The metadata area is the only channel: it exists only when an XDP program
 * wrote it, so a frame arriving on the wire already "decapsulated" never
 * carries it (and a frame that kept foreign metadata has our magic wiped
 * before it passes).
 *
 * Multi-buffer frames (SEC("xdp.frags"), BPF_F_XDP_HAS_FRAGS): without it a
 * driver refuses the program above a ~3.5k MTU (veth: veth_xdp_set() caps
 * the peer's MTU at one page; most NIC drivers likewise), so a jumbo
 * underlay (the usual 9000 of a fabric) would get generic XDP or nothing.
 * With frags the frame's bytes may continue in fragments after the first
 * buffer: the headers the classifier reads (DECAP_PULL_LEN, about 150
 * bytes) are read in [data, data_end) only - drivers fill a whole receive
 * buffer (1k and more; veth a 2k page-pool fragment) before they start
 * fragments, and a frame whose headers did not fit would be passed or
 * dropped as malformed, never decapsulated wrongly - while the lengths come
 * from bpf_xdp_get_buff_len(), the whole frame.
 * bpf_xdp_adjust_head() moves the start within the first buffer, and
 * bpf_xdp_adjust_tail() trims from the last fragment backwards
 * (net/core/filter.c, bpf_xdp_frags_shrink_tail()), so the decapsulation
 * is the same for one buffer or many. Note that frags do not give a veth's
 * peer back its TSO/GSO: veth_xdp_set() clears NETIF_F_GSO_SOFTWARE on the
 * peer for any XDP program (README, "XDP or TC on the uplink").
 */
#include "decap.h"
#include "drop.h"
#include "decap_arp.h"
#include "decap_nd.h"

char LICENSE[] SEC("license") = "GPL";

/* The one exit of both programs: a drop verdict is counted under its
 * reason and becomes XDP_DROP; any other verdict is returned as it is. */
static __always_inline int uplink_xdp_exit(int verdict)
{
	if (!verdict_is_drop(verdict))
		return verdict;
	drop_count(verdict);
	return XDP_DROP;
}

/* Passes a frame that is not ours. Metadata can only be there if another XDP
 * program put it on a frame redirected into this device: make sure the TC
 * half can never mistake it for ours. */
static __always_inline int uplink_xdp_pass(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct vtep_xdp_meta *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) <= data &&
	    (meta->magic == VTEP_META_MAGIC || meta->magic == VTEP_META_MAGIC_TX))
		meta->magic = 0;
	return XDP_PASS;
}

/* Makes struct vtep_xdp_meta {magic, ifindex} the whole metadata area,
 * whatever was there. Returns 0 or -1 (a driver without metadata support:
 * such uplinks need uplink_attach "tc"). */
static __always_inline int uplink_xdp_meta(struct xdp_md *ctx, __u32 magic, __u32 ifindex)
{
	struct vtep_xdp_meta *meta;
	void *data;
	int metalen;

	metalen = (int)(ctx->data - ctx->data_meta);
	if (bpf_xdp_adjust_meta(ctx, metalen - (int)sizeof(*meta)))
		return -1;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return -1;
	meta->magic = magic;
	meta->ifindex = ifindex;
	return 0;
}

/* Strips everything before the inner frame and attaches the metadata.
 * len is the whole frame's length, fragments included. Returns 0, or -1
 * when a helper refused. */
static __always_inline int uplink_xdp_decap(struct xdp_md *ctx, const struct decap_result *res,
					    __u32 len)
{
	void *data, *data_end;
	struct ethhdr *eth;
	__u32 trail;

	/* Trailing bytes after the UDP payload are not the inner frame's.
	 * decap_classify() checked outer_len + inner_len <= len. */
	trail = len - res->outer_len - res->inner_len;
	if (trail && bpf_xdp_adjust_tail(ctx, -(int)trail))
		return -1;
	if (bpf_xdp_adjust_head(ctx, res->outer_len))
		return -1;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	if (res->set_dst)
		mac_copy(eth->h_dest, res->dst_mac);
	return uplink_xdp_meta(ctx, VTEP_META_MAGIC, res->ifindex);
}

/* Gives the request the reply's size, frame_len (outer IPv4 options off
 * the front, padding off the back, fragments included: a padded
 * multi-buffer request ends up one buffer; an inner NS grows by what its NA
 * needs more), writes the reply and the metadata that sends it back out of
 * this uplink. len is the whole frame's length. Returns 0 or -1. */
static __always_inline int uplink_xdp_reply(struct xdp_md *ctx, const struct decap_result *res,
					    __u32 len, __u32 frame_len, int nd)
{
	__u32 head = res->outer_len - VXLAN_OFF_INNER;
	void *data, *data_end;
	int err;

	if (res->outer_len < VXLAN_OFF_INNER || len < head)
		return -1;
	if (head && bpf_xdp_adjust_head(ctx, (int)head))
		return -1;
	len -= head;
	if (len != frame_len && bpf_xdp_adjust_tail(ctx, (int)frame_len - (int)len))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	err = nd ? decap_nd_write(data, data_end, res) : decap_arp_write(data, data_end, res);
	if (err)
		return -1;
	return uplink_xdp_meta(ctx, VTEP_META_MAGIC_TX, ctx->ingress_ifindex);
}

static __always_inline int uplink_xdp_run(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	/* The whole frame: data_end - data is only the first buffer's. */
	__u32 len = (__u32)bpf_xdp_get_buff_len(ctx);
	struct decap_result res = {};
	int v;

	STAT_INC(uplink_rx);
	v = decap_classify(data, data_end, len, &res);
	decap_count(v);
	if (v == DECAP_PASS)
		return uplink_xdp_pass(ctx);
	if (v == DECAP_ARP_REPLY || v == DECAP_ND_REPLY) {
		int nd = v == DECAP_ND_REPLY;

		if (uplink_xdp_reply(ctx, &res, len, nd ? DECAP_ND_FRAME_LEN : DECAP_ARP_FRAME_LEN,
				     nd) < 0)
			return DROP(vx_redirect);
		if (nd)
			STAT_INC(nd_vx_reply);
		else
			STAT_INC(arp_vx_reply);
		return XDP_PASS;
	}
	if (!decap_is_delivery(v))
		return v; /* DECAP_DROP_*: a drop verdict */
	if (uplink_xdp_decap(ctx, &res, len) < 0)
		return DROP(vx_redirect);
	/* Counted here, where the decision is final: the TC half only counts
	 * the rare redirect it cannot make (drop_vx_redirect). */
	STAT_INC(decap_deliver);
	return XDP_PASS;
}

/* Native mode (the driver's own XDP): multi-buffer frames allowed, so a
 * jumbo underlay keeps native XDP. */
SEC("xdp.frags")
int vtep_uplink_xdp(struct xdp_md *ctx)
{
	return uplink_xdp_exit(uplink_xdp_run(ctx));
}

/* Generic mode (a driver without native XDP; agent/dp/loader.c picks it): the
 * same rules without BPF_F_XDP_HAS_FRAGS. Generic XDP has no MTU limit to
 * lift (it linearizes the skb for such a program), and with the flag it
 * copies the skb into page-pool fragments instead, after which, on 6.18,
 * the metadata this program writes never reached the TC half
 * (tests/bpf/test_uplink.c, live "xdp (generic)"). */
SEC("xdp")
int vtep_uplink_gen(struct xdp_md *ctx)
{
	return uplink_xdp_exit(uplink_xdp_run(ctx));
}
