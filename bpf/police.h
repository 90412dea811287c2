/* police.h - a port's egress limit: what its workload sends, policed by
 * the token bucket of its vtep_port_rates entry (include/vtep_maps.h).
 *
 * A policer, not a shaper: a frame the bucket cannot pay for is dropped
 * (DROP(rate_limit)), never queued. Nothing of ours can queue here: the
 * port program runs at the host end's ingress (sch_handle_ingress), which
 * has no queue, and it redirects what it forwards, so a classic ingress
 * qdisc's filters (the bandwidth plugin's mirred to an ifb) never see the
 * frames. EDT (stamping skb->tstamp for an fq qdisc) would pace only what
 * leaves through an uplink's fq, not what is delivered to a local port or
 * to the host. TCP meets the drops as losses and backs off; the rate holds
 * on average over the burst.
 *
 * The arithmetic is act_police's (net/sched/act_police.c, tcf_police_act):
 * tokens are nanoseconds of sending time at the rate, refilled by the time
 * elapsed since the last frame paid for and capped at the burst's time; a
 * frame costs len * 8 * 1e9 / rate ns (psched_l2t_ns, here without the
 * kernel's precomputed multiplier: one 64-bit division per policed frame).
 * A dropped frame changes nothing (act_police updates t_c and toks only
 * when it passes).
 *
 * Concurrency: the pod's frames reach the host end's ingress on whichever
 * CPU runs the sending task's softirq (veth_xmit -> netif_rx, or the veth's
 * NAPI with GRO), so several CPUs share one bucket. Per-CPU buckets would
 * give the pod rate x CPUs; an atomic (compare-and-exchange) update would
 * need the two fields tokens_ns and last_ns as one word. A bpf_spin_lock
 * in the map value (Linux 5.1 for TC programs) holds them together for a
 * few instructions; the clock and the division are done before it, since
 * no helper may be called while it is held (the verifier refuses).
 */
#ifndef VTEP_POLICE_H
#define VTEP_POLICE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"
#include "drop.h"

#define POLICE_NSEC_PER_SEC 1000000000ULL

/* 0 when the frame may go on (no entry: no limit), else DROP(rate_limit). */
static __always_inline int police_port(struct __sk_buff *skb, __u32 ifindex)
{
	struct vtep_port_rate *r = bpf_map_lookup_elem(&vtep_port_rates, &ifindex);
	__u64 now, cost, elapsed, toks;
	int pass = 0;

	if (!r)
		return 0;
	if (!r->rate)          /* not written by vtepd: no limit rather than none passing */
		return 0;
	now = bpf_ktime_get_ns();
	/* skb->len: the whole frame, a GSO packet's every segment included
	 * (what the bandwidth plugin's tbf would count, qdisc_pkt_len aside). */
	cost = (__u64)skb->len * 8 * POLICE_NSEC_PER_SEC / r->rate;
	bpf_spin_lock(&r->lock);
	/* Another CPU may have paid at a later clock reading than ours. */
	elapsed = now > r->last_ns ? now - r->last_ns : 0;
	if (elapsed > r->burst_ns)
		elapsed = r->burst_ns;
	toks = r->tokens_ns + elapsed;
	if (toks > r->burst_ns)
		toks = r->burst_ns;
	if (toks >= cost) {
		r->tokens_ns = toks - cost;
		r->last_ns = now;
		pass = 1;
	}
	bpf_spin_unlock(&r->lock);
	return pass ? 0 : DROP(rate_limit);
}

#endif /* VTEP_POLICE_H */
