/* xsk_tx.h - the generator's second way of sending: an AF_XDP socket in copy
 * mode, transmit ring only.
 *
 * For kernels that refuse BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 * (the 6.18 "fc" build answers EPERM). In copy mode the kernel builds one
 * linear skb per descriptor (net/xdp/xsk.c, xsk_build_skb: headroom
 * max(NET_SKB_PAD, needed_headroom), the bytes copied from the umem) and hands
 * it to the driver with __dev_direct_xmit(), no qdisc. Unlike live frames this
 * costs the sending CPU a syscall per 32 frames (TX_BATCH_SIZE in xsk.c) and
 * an skb per frame, so the benches run the receiving path on another CPU
 * (bench/lib.sh bn_napi_pin).
 */
#ifndef BENCH_XSK_TX_H
#define BENCH_XSK_TX_H

#include <signal.h>
#include <stdint.h>

#include "frame.h"

struct xsk_tx;

/* Opens the socket on queue 0 of ifindex and writes the frame into every
 * umem chunk. spread: walk the frame's address over that many values from
 * its own (frame.h addr_off), 0 for one fixed frame; offs (n_offs of them,
 * a power of two; NULL for the walk): the k-th frame's address is its own
 * plus offs[k % n_offs] instead. NULL with errno set. */
struct xsk_tx *xsk_tx_open(unsigned int ifindex, const struct frame *f, unsigned int spread,
			   const uint32_t *offs, unsigned int n_offs);
/* Sends until count frames completed or seconds passed (seconds > 0 wins)
 * or *stop is set; returns the frames the kernel completed (sent or dropped
 * by the device, as a live-frame run counts them), or -errno. */
long long xsk_tx_run(struct xsk_tx *x, unsigned long long count, double seconds,
		     volatile sig_atomic_t *stop);
void xsk_tx_close(struct xsk_tx *x);

#endif /* BENCH_XSK_TX_H */
