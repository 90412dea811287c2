/* rbuf.h - bounds-checked reading and writing of wire data (BGP messages).
 *
 * Reader. struct rbuf is a window of len octets at p with a read offset.
 * Every rbuf_get_*() either consumes exactly the octets it asks for and
 * returns 0, or consumes nothing, zeroes its output, returns -1 and sets the
 * sticky r->err = -EBADMSG, after which every further get fails too (the
 * contract of OpenBSD's ibuf_get_n16()): a parser may read a run of fixed
 * fields and test once. Multi-octet integers are network order on the wire
 * and host order in the output. rbuf_get_sub() carves a length-delimited
 * field into a reader of its own, so a length field inside it can never
 * carry a parser past the end of the field that encloses it.
 *
 * Writer. struct wbuf appends to a caller buffer of fixed capacity. A put
 * that does not fit writes nothing and sets the sticky w->err = -EMSGSIZE;
 * an encoder writes everything and checks wbuf_error() once at the end.
 * wbuf_reserve() leaves room for a length that is known only afterwards and
 * wbuf_set_u8/u16() fill it in.
 */
#ifndef VTEP_RBUF_H
#define VTEP_RBUF_H

#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	int err;                /* 0, or -EBADMSG after a short read (sticky) */
};

void rbuf_init(struct rbuf *r, const void *p, size_t len);

/* Octets not yet read (0 once the reader has failed). */
static inline size_t rbuf_left(const struct rbuf *r)
{
	return r->err ? 0 : r->len - r->off;
}

/* Where the next read starts; valid for rbuf_left() octets. */
static inline const uint8_t *rbuf_ptr(const struct rbuf *r)
{
	return r->p + r->off;
}

int rbuf_get_u8(struct rbuf *r, uint8_t *v);
int rbuf_get_u16(struct rbuf *r, uint16_t *v);
int rbuf_get_u24(struct rbuf *r, uint32_t *v);   /* e.g. an MPLS label / VNI field */
int rbuf_get_u32(struct rbuf *r, uint32_t *v);
int rbuf_get_bytes(struct rbuf *r, void *dst, size_t n);   /* raw copy, no byte swap */
int rbuf_skip(struct rbuf *r, size_t n);
/* The next n octets as a reader of their own, consumed from r. */
int rbuf_get_sub(struct rbuf *r, size_t n, struct rbuf *sub);

struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int err;                /* 0, or -EMSGSIZE after an overflow (sticky) */
};

void wbuf_init(struct wbuf *w, void *p, size_t cap);
void wbuf_put_u8(struct wbuf *w, uint8_t v);
void wbuf_put_u16(struct wbuf *w, uint16_t v);
void wbuf_put_u24(struct wbuf *w, uint32_t v);   /* low 24 bits */
void wbuf_put_u32(struct wbuf *w, uint32_t v);
void wbuf_put_bytes(struct wbuf *w, const void *src, size_t n);
void wbuf_put_zero(struct wbuf *w, size_t n);
/* Appends n zero octets and returns their offset, to be set later. */
size_t wbuf_reserve(struct wbuf *w, size_t n);
/* Overwrite octets already written (e.g. a reserved length field). */
void wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v);
void wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v);

static inline int wbuf_error(const struct wbuf *w)
{
	return w->err;
}

#endif /* VTEP_RBUF_H */
