/* pass.bpf.c - XDP_PASS, to start NAPI on a veth end.
 *
 * A frame redirected into a veth by XDP (our generator) is received by the
 * peer end only when that end runs NAPI, which the veth driver starts when an
 * XDP program is attached (drivers/net/veth.c, veth_xdp_xmit() refuses with
 * -ENXIO otherwise). This program changes nothing else; its own bpf_stats
 * are the XDP floor.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
