/* uplink_xdp.bpf.c - the XDP half of the uplink (vtep.uplink_attach "xdp",
 * the default): validate, classify and decapsulate VXLAN for our VTEP, then
 * hand the inner frame to the TC half (uplink_tc.bpf.c) with the port to
 * deliver to in the XDP metadata area.
 *
 * Pipeline: decap_classify() (decap.h) -> PASS: XDP_PASS untouched; a drop
 * reason: XDP_DROP; a delivery: strip the outer headers (bpf_xdp_adjust_head),
 * write struct vtep_xdp_meta {VTEP_META_MAGIC, ifindex} right before the
 * inner frame (bpf_xdp_adjust_meta), XDP_PASS.
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
 */
#include "decap.h"

char LICENSE[] SEC("license") = "GPL";

/* Passes a frame that is not ours. Metadata can only be there if another XDP
 * program put it on a frame redirected into this device: make sure the TC
 * half can never mistake it for ours. */
static __always_inline int uplink_xdp_pass(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct vtep_xdp_meta *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) <= data && meta->magic == VTEP_META_MAGIC)
		meta->magic = 0;
	return XDP_PASS;
}

/* Strips everything before the inner frame and attaches the metadata.
 * Returns 0, or -1 when a helper refused (e.g. a driver without XDP
 * metadata support: such uplinks need uplink_attach "tc"). */
static __always_inline int uplink_xdp_decap(struct xdp_md *ctx, const struct decap_result *res)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vtep_xdp_meta *meta;
	struct ethhdr *eth;
	__u32 trail;
	int metalen;

	/* Trailing bytes after the UDP payload are not the inner frame's. */
	trail = (__u32)(data_end - data) - res->outer_len - res->inner_len;
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

	/* Make our struct the whole metadata area, whatever was there. */
	metalen = (int)(ctx->data - ctx->data_meta);
	if (bpf_xdp_adjust_meta(ctx, metalen - (int)sizeof(*meta)))
		return -1;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return -1;
	meta->magic = VTEP_META_MAGIC;
	meta->ifindex = res->ifindex;
	return 0;
}

SEC("xdp")
int vtep_uplink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct decap_result res = {};
	int v;

	STAT_INC(uplink_rx);
	v = decap_classify(data, data_end, (__u32)(data_end - data), &res);
	decap_count(v);
	if (v == DECAP_PASS)
		return uplink_xdp_pass(ctx);
	if (!decap_is_delivery(v))
		return XDP_DROP;
	if (uplink_xdp_decap(ctx, &res) < 0) {
		STAT_INC(drop_vx_redirect);
		return XDP_DROP;
	}
	/* Counted here, where the decision is final: the TC half only counts
	 * the rare redirect it cannot make (drop_vx_redirect). */
	if (v == DECAP_DELIVER_ARP)
		STAT_INC(decap_arp);
	else
		STAT_INC(decap_deliver);
	return XDP_PASS;
}
