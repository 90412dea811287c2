/* floor.bpf.c - the empty TC program: the floor of every cost measurement.
 *
 * Attached on a workload port's clsact ingress exactly as vtepd attaches
 * vtep_port_ingress, and run on the same generated frames, it shows what
 * kernel.bpf_stats_enabled accounting alone reports per run (two clock reads
 * around a program that does nothing). Program costs above it are the
 * datapath's own work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0

SEC("tc")
int bench_floor(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
