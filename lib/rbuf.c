/* rbuf.c - see rbuf.h. */
#include "rbuf.h"

#include <errno.h>
#include <string.h>

void rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = 0;
}

/* The one bounds check every read goes through. */
static const uint8_t *rbuf_take(struct rbuf *r, size_t n)
{
	const uint8_t *q;

	if (r->err || n > r->len - r->off) {
		r->err = -EBADMSG;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

int rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
	const uint8_t *q = rbuf_take(r, 1);

	*v = q ? q[0] : 0;
	return q ? 0 : -1;
}

int rbuf_get_u16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *q = rbuf_take(r, 2);

	*v = q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
	return q ? 0 : -1;
}

int rbuf_get_u24(struct rbuf *r, uint32_t *v)
{
	const uint8_t *q = rbuf_take(r, 3);

	*v = q ? (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2] : 0;
	return q ? 0 : -1;
}

int rbuf_get_u32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *q = rbuf_take(r, 4);

	*v = q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		 (uint32_t)q[2] << 8 | q[3] : 0;
	return q ? 0 : -1;
}

int rbuf_get_bytes(struct rbuf *r, void *dst, size_t n)
{
	const uint8_t *q = rbuf_take(r, n);

	if (!q) {
		memset(dst, 0, n);
		return -1;
	}
	memcpy(dst, q, n);
	return 0;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
	return rbuf_take(r, n) ? 0 : -1;
}

int rbuf_get_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	const uint8_t *q = rbuf_take(r, n);

	rbuf_init(sub, q, q ? n : 0);
	if (!q)
		sub->err = -EBADMSG;
	return q ? 0 : -1;
}

void wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = p ? cap : 0;
	w->len = 0;
	w->err = 0;
}

/* The one capacity check every write goes through. */
static uint8_t *wbuf_take(struct wbuf *w, size_t n)
{
	uint8_t *q;

	if (w->err || n > w->cap - w->len) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	q = w->p + w->len;
	w->len += n;
	return q;
}

void wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *q = wbuf_take(w, 1);

	if (q)
		q[0] = v;
}

void wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *q = wbuf_take(w, 2);

	if (q) {
		q[0] = v >> 8;
		q[1] = v;
	}
}

void wbuf_put_u24(struct wbuf *w, uint32_t v)
{
	uint8_t *q = wbuf_take(w, 3);

	if (q) {
		q[0] = v >> 16;
		q[1] = v >> 8;
		q[2] = v;
	}
}

void wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *q = wbuf_take(w, 4);

	if (q) {
		q[0] = v >> 24;
		q[1] = v >> 16;
		q[2] = v >> 8;
		q[3] = v;
	}
}

void wbuf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *q = wbuf_take(w, n);

	if (q && n)
		memcpy(q, src, n);
}

void wbuf_put_zero(struct wbuf *w, size_t n)
{
	uint8_t *q = wbuf_take(w, n);

	if (q && n)
		memset(q, 0, n);
}

size_t wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t off = w->len;

	wbuf_put_zero(w, n);
	return off;
}

void wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (w->err || off >= w->len) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	w->p[off] = v;
}

void wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->err || off > w->len || w->len - off < 2) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	w->p[off] = v >> 8;
	w->p[off + 1] = v;
}
