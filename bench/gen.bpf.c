/* gen.bpf.c - the benchmark's traffic generator (XDP half).
 *
 * Run by bench/gen.c through BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES:
 * the kernel hands this program the crafted frame `repeat` times from a page
 * pool, and every XDP_REDIRECT really transmits it (net/bpf/test_run.c,
 * xdp_test_run_batch). Redirecting out of a veth end puts the frame on the
 * peer's receive ring, so the peer sees line-rate traffic with no sender
 * stack in the way. (Debian's xdp-trafficgen does the same, but does not load
 * on this kernel.)
 *
 * Live-frame mode initialises a page-pool page with the frame once and, on
 * reuse, resets only the xdp_buff pointers, never the bytes
 * (net/bpf/test_run.c, reset_ctx()). Whatever the receiving stack wrote into
 * the page stays: a router's new MAC header and TTL, vtepd's ARP reply or
 * VXLAN header. After a ring's worth of frames the "same" frame would be
 * something else (seen: a routed path that forwarded the first 64 frames
 * only). So the program writes the whole frame from the template `tmpl` on
 * every run.
 *
 * Optionally it then rewrites one 32-bit address (the IPv4 destination, an
 * ARP target or an inner IPv4 destination) to walk through `spread_n`
 * consecutive addresses, so a 1M-entry route table is looked up at 1M
 * different keys instead of one hot key, and recomputes that IPv4 header's
 * checksum; for IPv6 the field is the destination's low 32 bits, and the
 * UDP/ICMPv6 checksum over it is patched (RFC 1624 eqn. 3). With `zipf_on`, the address is spread_base + zipf_off[k] for
 * the k-th frame instead (gen.c fills the table with Zipf-distributed
 * offsets): a few hot destinations and a long tail, as real traffic.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_MAX_OFF 256   /* an address field lies in the first 256 bytes */
#define GEN_MAX_FRAME 512 /* largest template */

const volatile __u32 gen_ifindex = 0;   /* interface to transmit on */
const volatile __u32 tmpl_len = 0;      /* bytes of tmpl; the frame's length */
const volatile __u8 tmpl[GEN_MAX_FRAME] = { 0 };
const volatile __u32 spread_n = 0;      /* 0: send the frame unchanged */
const volatile __u32 spread_base = 0;   /* first address, host order */
const volatile __u32 spread_off = 0;    /* offset of the address field */
const volatile __u32 ipcsum_off = 0;    /* IPv4 header to re-checksum, 0: none */
#define GEN_ZIPF_N 65536                /* offsets in zipf_off, a power of two */
const volatile __u32 zipf_on = 0;
const volatile __u32 zipf_off[GEN_ZIPF_N] = { 0 };
const volatile __u32 l4csum_off = 0;    /* IPv6 L4 checksum to patch, 0: none */

__u32 next_i = 0; /* one CPU runs the test, so a plain increment suffices */

/* HC' = ~(~HC + ~m + m') for the 32-bit field m -> m' (host order);
 * one's-complement sums are byte-order independent, so host order is fine.
 * A result of 0 is sent as 0xffff (UDP's "no checksum" is 0). */
static __always_inline int patch_l4(void *data, void *end, __u32 m, __u32 m2)
{
	__u32 off = l4csum_off, sum;
	__u16 *c;

	if (off > GEN_MAX_OFF - 2)
		return -1;
	c = data + off;
	if ((void *)(c + 1) > end)
		return -1;
	sum = (__u16)~bpf_ntohs(*c);
	sum += (__u16)~(m >> 16) + (__u16)~(m & 0xffff) + (m2 >> 16) + (m2 & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (__u16)~sum;
	*c = bpf_htons(sum ? sum : 0xffff);
	return 0;
}

static __always_inline int rewrite(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 off = spread_off, i = next_i;
	__be32 *field;

	if (off > GEN_MAX_OFF - 4)
		return -1;
	field = data + off;
	if ((void *)(field + 1) > end)
		return -1;
	if (zipf_on) {
		next_i = (i + 1) & (GEN_ZIPF_N - 1);
		i = zipf_off[i & (GEN_ZIPF_N - 1)];
	} else if (++next_i >= spread_n) {
		next_i = 0;
	}
	*field = bpf_htonl(spread_base + i);
	if (l4csum_off && patch_l4(data, end, spread_base, spread_base + i))
		return -1;

	if (ipcsum_off) {
		__u32 ioff = ipcsum_off, sum = 0;
		__u16 *w;

		if (ioff > GEN_MAX_OFF - 20)
			return -1;
		w = data + ioff;
		if ((void *)(w + 10) > end)
			return -1;
		w[5] = 0;
#pragma unroll
		for (int k = 0; k < 10; k++)
			sum += w[k];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		w[5] = (__u16)~sum;
	}
	return 0;
}

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	__u32 len = tmpl_len;

	if (len == 0 || len > GEN_MAX_FRAME ||
	    bpf_xdp_store_bytes(ctx, 0, (void *)tmpl, len))
		return XDP_ABORTED;
	if (spread_n && rewrite(ctx))
		return XDP_ABORTED;
	return bpf_redirect(gen_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
