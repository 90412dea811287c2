/* drop.h - the one way the datapath drops a packet.
 *
 * A drop is classified where it is decided and counted in one place. The
 * code that decides returns DROP(reason) as its verdict, an int like the
 * TC_ACT_* and XDP_* verdicts it travels with; the program's single exit
 * (port_drop() in port_tc.bpf.c, uplink_tc_exit() and uplink_xdp_exit() on
 * the uplink) passes it to drop_count() and returns TC_ACT_SHOT or XDP_DROP.
 * A drop event or trace would go into that exit and nowhere else.
 *
 * A reason is its counter: DROP(spoof_mac) is VTEP_DROP_BASE plus
 * VTEP_CTR_drop_spoof_mac, the index of drop_spoof_mac in struct vtep_stats
 * (include/vtep_counters.h). So there is no list of reasons to keep in step
 * with the counters: a reason is added by appending X(drop_<reason>, help)
 * to VTEP_COUNTERS, which gives it its stats field, its vtepctl and /metrics
 * name and its DROP(<reason>) at once; and DROP() of a name that is not a
 * drop_* counter (DROP(fwd_local), a typo) does not compile.
 *
 * VTEP_DROP_BASE keeps drop verdicts apart from the verdicts the programs
 * return as they are: TC_ACT_* (-1..8, include/uapi/linux/pkt_cls.h; the
 * bpf_redirect*() helpers return TC_ACT_REDIRECT or TC_ACT_SHOT) and
 * XDP_* (0..4). A drop verdict never leaves a program: the exit turns it
 * into TC_ACT_SHOT or XDP_DROP.
 */
#ifndef VTEP_DROP_H
#define VTEP_DROP_H

#include "stats.h"

#define VTEP_DROP_BASE 0x100
#define DROP(reason)   (VTEP_DROP_BASE + VTEP_CTR_drop_##reason)

static __always_inline int verdict_is_drop(int verdict)
{
	return (__u32)(verdict - VTEP_DROP_BASE) < VTEP_CTR_COUNT;
}

/* Counts a drop verdict under its reason's counter: struct vtep_stats is an
 * array of __u64 indexed by enum vtep_counter (asserted in vtep_maps.h).
 * The bound check is what lets the verifier accept the variable offset into
 * the map value (it also ignores a verdict that is no drop). The empty asm
 * pins the index in one 64-bit register: without it clang 14 compares one
 * zero-extended copy and indexes with another, whose bounds the verifier
 * does not know ("R0 unbounded memory access"). */
static __always_inline void drop_count(int verdict)
{
	__u64 i = (__u32)(verdict - VTEP_DROP_BASE);
	__u64 *s;

	asm volatile("" : "+r"(i));
	if (i >= VTEP_CTR_COUNT)
		return;
	s = (__u64 *)stats_get();
	if (s)
		s[i]++;
}

#endif /* VTEP_DROP_H */
