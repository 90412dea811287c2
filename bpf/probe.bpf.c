/* probe.bpf.c - one tiny program per kernel capability the datapath uses,
 * for agent/dp/probe.c to load one at a time and read the verifier's answer.
 *
 * Why not `bpftool feature probe` or libbpf_probe_bpf_helper(): those load a
 * program that calls the helper with uninitialised arguments and count any
 * refusal other than "unknown func" as support, so a kernel build whose
 * verifier answers "program of this type cannot use helper
 * bpf_xdp_adjust_meta#54" still lists the helper. Each program here calls
 * its helpers with valid arguments, in the program type and with the flags
 * (xdp.frags: BPF_F_XDP_HAS_FRAGS) the real programs use, so a successful
 * load means the real call will verify too.
 *
 * The programs are never attached. They touch no pinned map: only the ring
 * buffer probe has a map of its own, created only for that probe.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tc.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_rb SEC(".maps");

/* xdp_meta: the XDP -> TC hand-off of the XDP uplink (uplink_xdp.bpf.c). */
SEC("xdp")
int probe_xdp_meta(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_PASS;
	return XDP_PASS;
}

/* xdp: what both XDP uplink programs do besides the metadata: strip the
 * outer headers and trim padding. */
SEC("xdp")
int probe_xdp(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, 0) || bpf_xdp_adjust_tail(ctx, 0))
		return XDP_DROP;
	return XDP_PASS;
}

/* xdp_frags: a multi-buffer program (BPF_F_XDP_HAS_FRAGS) that measures the
 * whole frame, as the native XDP uplink does for jumbo underlays. */
SEC("xdp.frags")
int probe_xdp_frags(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx) > 0 ? XDP_PASS : XDP_DROP;
}

/* redirect_peer: delivery straight into a workload veth's namespace. */
SEC("tc")
int probe_redirect_peer(struct __sk_buff *skb)
{
	return (int)bpf_redirect_peer(skb->ifindex, 0);
}

/* redirect_neigh: encapsulated packets to an unresolved underlay next hop. */
SEC("tc")
int probe_redirect_neigh(struct __sk_buff *skb)
{
	return (int)bpf_redirect_neigh(skb->ifindex, NULL, 0, 0);
}

/* fib_lookup: the underlay next hop and path MTU for encapsulation. */
SEC("tc")
int probe_fib_lookup(struct __sk_buff *skb)
{
	struct bpf_fib_lookup p = {};

	p.family = AF_INET;
	p.ifindex = skb->ifindex;
	return bpf_fib_lookup(skb, &p, sizeof(p), 0) == 0 ? TC_ACT_OK : TC_ACT_OK;
}

/* ktime_coarse: the underlay cache's clock (bpf/encap.h). */
SEC("tc")
int probe_ktime_coarse(struct __sk_buff *skb)
{
	return bpf_ktime_get_coarse_ns() > skb->len ? TC_ACT_OK : TC_ACT_OK;
}

/* check_mtu: the port device's MTU for router advertisements (bpf/nd_proxy.h). */
SEC("tc")
int probe_check_mtu(struct __sk_buff *skb)
{
	__u32 mtu = 0;

	return bpf_check_mtu(skb, skb->ifindex, &mtu, 0, 0) == 0 && mtu ? TC_ACT_OK : TC_ACT_OK;
}

/* ringbuf: MAC learn and gratuitous ARP events to vtepd (bpf/events.h). */
SEC("tc")
int probe_ringbuf(struct __sk_buff *skb)
{
	__u32 *e = bpf_ringbuf_reserve(&probe_rb, sizeof(*e), 0);

	if (e) {
		*e = skb->ifindex;
		bpf_ringbuf_submit(e, 0);
	}
	return TC_ACT_OK;
}

/* ct_lookup: the host's conntrack from TC (bpf/ctsteer.h). The kfunc is
 * registered by nf_conntrack (built in, or a module loaded before vtepd
 * starts); a kernel without it leaves the weak extern unresolved and
 * refuses this program. */
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb, struct bpf_sock_tuple *tuple,
					 __u32 tuple_len, struct bpf_ct_opts *opts,
					 __u32 opts_len) __ksym __weak;
extern void bpf_ct_release(struct nf_conn *ct) __ksym __weak;

SEC("tc")
int probe_ct_lookup(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 };
	struct nf_conn *ct;

	ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (ct)
		bpf_ct_release(ct);
	return TC_ACT_OK;
}
