/* sink.bpf.c - where benchmark traffic ends.
 *
 * On a receiving workload's clsact ingress: drop every frame as early as the
 * stack allows, so the receiver's UDP/ICMP stack never spends the CPU the
 * measured path needs, and so the three systems compared by bench/fwd.sh end
 * identically. Frames are counted by bpf_stats (run_cnt of this program).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_SHOT 2

SEC("tc")
int bench_sink(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
