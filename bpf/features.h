/* features.h - kernel capabilities the loader found missing, as rodata
 * knobs (agent/dp/probe.h, agent/dp/loader.c).
 *
 * The loader sets these before load and libbpf freezes .rodata, so the
 * verifier knows each value: it never walks the branch a knob turns off
 * (kernel/bpf/verifier.c, is_branch_taken on a constant), so a helper this
 * kernel lacks is never checked there, and the dead code is removed. One
 * object then loads on every kernel, with no #ifdef build matrix.
 */
#ifndef VTEP_FEATURES_H
#define VTEP_FEATURES_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* bpf_redirect_peer (Linux 5.10): into the workload end's ingress, in its
 * namespace, with no second pass through the backlog. Without it a veth is
 * entered through the host end's egress (veth_xmit -> the peer), which
 * costs one more queue but delivers the same frame. */
const volatile __u32 vtep_have_redirect_peer = 1;

/* bpf_ktime_get_coarse_ns (Linux 5.11): the underlay cache's clock, a
 * jiffy-precise read that costs a few ns; without it bpf_ktime_get_ns
 * (the precise clock, tens of ns more per encapsulated packet) keeps the
 * same 100 ms lifetime. */
const volatile __u32 vtep_have_ktime_coarse = 1;

/* bpf_skb_ct_lookup (Linux 6.0; nf_conntrack built in or loaded when the
 * programs load): replies of flows the host NATed go through the host
 * (ctsteer.h). Without it they are delivered directly, and Services whose
 * backends are pods of a VNI do not work. */
const volatile __u32 vtep_have_ct_lookup = 1;

/* bpf_check_mtu (Linux 5.12): the port device's MTU for the MTU option of
 * the router advertisements the port program sends (nd_proxy.h); without
 * it the option is left out (RFC 4861 s.6.2.1: AdvLinkMTU 0). Unlike the
 * knobs above it starts off, so that an object loaded without the loader's
 * probe (a test harness) still loads on 5.10 and 5.11, which vtepd
 * supports; the loader sets it from its check_mtu probe. */
const volatile __u32 vtep_have_check_mtu = 0;

static __always_inline __u64 vtep_now_ns(void)
{
	return vtep_have_ktime_coarse ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns();
}

/* Delivery into the port ifindex: a tap is transmitted into (the VM reads
 * its egress); a veth is entered through its peer where the kernel can. */
static __always_inline long vtep_redirect_port(__u32 ifindex, int is_tap)
{
	if (is_tap || !vtep_have_redirect_peer)
		return bpf_redirect(ifindex, 0);
	return bpf_redirect_peer(ifindex, 0);
}

#endif /* VTEP_FEATURES_H */
