/* xsk_tx.c - see xsk_tx.h. */
#include "xsk_tx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XSK_FRAMES 4096u /* umem chunks = ring entries (a power of two) */
#define XSK_CHUNK  2048u

struct xsk_ring {
	uint32_t *producer, *consumer;
	void *desc;
	void *map;
	size_t map_len;
};

struct xsk_tx {
	int fd;
	uint8_t *umem;
	struct xsk_ring tx, cq;
	struct frame frame;
	unsigned int spread, next;
	const uint32_t *offs;       /* Zipf offsets (gen.c), or NULL */
	unsigned int n_offs;
	uint32_t prod, outstanding;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ring_map(int fd, const struct xdp_ring_offset *o, size_t entry, off_t pgoff,
		    struct xsk_ring *r)
{
	r->map_len = o->desc + XSK_FRAMES * entry;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		      pgoff);
	if (r->map == MAP_FAILED)
		return -errno;
	r->producer = (uint32_t *)((uint8_t *)r->map + o->producer);
	r->consumer = (uint32_t *)((uint8_t *)r->map + o->consumer);
	r->desc = (uint8_t *)r->map + o->desc;
	return 0;
}

/* Umem, fill + completion + TX rings: the kernel wants a fill ring for
 * every umem (xsk_bind -> xsk_validate_queues) even when nothing is received. */
static int xsk_setup(struct xsk_tx *x)
{
	struct xdp_umem_reg mr = {
		.addr = (uintptr_t)x->umem, .len = (uint64_t)XSK_FRAMES * XSK_CHUNK,
		.chunk_size = XSK_CHUNK,
	};
	struct xdp_mmap_offsets off;
	socklen_t olen = sizeof(off);
	int n = XSK_FRAMES, err;

	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) ||
	    getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &olen))
		return -errno;
	err = ring_map(x->fd, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING, &x->tx);
	if (!err)
		err = ring_map(x->fd, &off.cr, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING,
			       &x->cq);
	return err;
}

/* A socket closed just before (the previous run) may still hold the queue
 * while its release finishes: bind answers EBUSY for a moment. */
static int xsk_bind(int fd, unsigned int ifindex)
{
	struct sockaddr_xdp sa = {
		.sxdp_family = AF_XDP, .sxdp_ifindex = ifindex, .sxdp_queue_id = 0,
		.sxdp_flags = XDP_COPY,
	};
	int i;

	for (i = 0; i < 200; i++) {
		if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(10000);
	}
	return -EBUSY;
}

/* The chunk's copy of the frame, its address the next of the spread
 * (frame_set_addr fixes the checksum over it). */
static void xsk_frame_addr(struct xsk_tx *x, uint8_t *buf)
{
	const struct frame *f = &x->frame;
	uint32_t a;
	uint32_t off;

	memcpy(&a, f->buf + f->addr_off, 4);
	if (x->offs) {
		off = x->offs[x->next & (x->n_offs - 1)];
		x->next = (x->next + 1) & (x->n_offs - 1);
	} else {
		off = x->next;
		if (++x->next >= x->spread)
			x->next = 0;
	}
	frame_set_addr(f, buf, ntohl(a) + off);
}

struct xsk_tx *xsk_tx_open(unsigned int ifindex, const struct frame *f, unsigned int spread,
			   const uint32_t *offs, unsigned int n_offs)
{
	struct xsk_tx *x = calloc(1, sizeof(*x));
	int err = -ENOMEM;

	if (!x)
		return NULL;
	x->fd = -1;
	x->frame = *f;
	x->spread = spread;
	x->offs = offs;
	x->n_offs = n_offs;
	x->umem = mmap(NULL, (size_t)XSK_FRAMES * XSK_CHUNK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		goto fail;
	}
	for (unsigned int i = 0; i < XSK_FRAMES; i++)
		memcpy(x->umem + (size_t)i * XSK_CHUNK, f->buf, f->len);
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	err = x->fd < 0 ? -errno : xsk_setup(x);
	if (!err)
		err = xsk_bind(x->fd, ifindex);
	if (err)
		goto fail;
	x->prod = *x->tx.producer;
	return x;
fail:
	xsk_tx_close(x);
	errno = -err;
	return NULL;
}

/* Fills the TX ring up to limit outstanding descriptors. */
static void xsk_post(struct xsk_tx *x, unsigned long long limit)
{
	struct xdp_desc *d = x->tx.desc;

	while (x->outstanding < XSK_FRAMES && x->outstanding < limit) {
		uint32_t slot = x->prod & (XSK_FRAMES - 1);
		uint8_t *buf = x->umem + (size_t)slot * XSK_CHUNK;

		if (x->spread)
			xsk_frame_addr(x, buf);
		d[slot].addr = (uint64_t)slot * XSK_CHUNK;
		d[slot].len = (uint32_t)x->frame.len;
		d[slot].options = 0;
		x->prod++;
		x->outstanding++;
	}
	__atomic_store_n(x->tx.producer, x->prod, __ATOMIC_RELEASE);
}

/* Takes what the kernel completed off the completion ring. */
static uint32_t xsk_reap(struct xsk_tx *x)
{
	uint32_t p = __atomic_load_n(x->cq.producer, __ATOMIC_ACQUIRE);
	uint32_t c = *x->cq.consumer, n = p - c;

	if (n) {
		__atomic_store_n(x->cq.consumer, p, __ATOMIC_RELEASE);
		x->outstanding -= n;
	}
	return n;
}

long long xsk_tx_run(struct xsk_tx *x, unsigned long long count, double seconds,
		     volatile sig_atomic_t *stop)
{
	unsigned long long done = 0, limit;
	double t0 = now_s();

	while (!*stop) {
		if (seconds > 0 ? now_s() - t0 >= seconds : done >= count)
			break;
		limit = seconds > 0 ? ~0ull : count - done;
		xsk_post(x, limit > x->outstanding ? limit : x->outstanding);
		/* EAGAIN: the batch limit was hit; EBUSY/ENOBUFS: the device
		 * dropped a frame (it still completes) or had no room. */
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
		    errno != EBUSY && errno != ENOBUFS && errno != EINTR)
			return -errno;
		done += xsk_reap(x);
	}
	return (long long)done;
}

void xsk_tx_close(struct xsk_tx *x)
{
	if (!x)
		return;
	if (x->tx.map && x->tx.map != MAP_FAILED)
		munmap(x->tx.map, x->tx.map_len);
	if (x->cq.map && x->cq.map != MAP_FAILED)
		munmap(x->cq.map, x->cq.map_len);
	if (x->fd >= 0)
		close(x->fd);
	if (x->umem)
		munmap(x->umem, (size_t)XSK_FRAMES * XSK_CHUNK);
	free(x);
}
