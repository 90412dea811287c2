/* bgp_mutator.h - a structure-aware libFuzzer mutator for BGP streams
 * (fuzz_bgp.c's LLVMFuzzerCustomMutator).
 *
 * Byte-level mutation of a BGP stream mostly breaks the marker, a length or
 * the message type, and the input dies in bgp_msg_frame(). This mutator
 * reads the input as what it is - a list of messages, an UPDATE as withdrawn
 * routes, path attributes (flags, type, value) and NLRI, an MP_REACH_NLRI /
 * MP_UNREACH_NLRI value as AFI/SAFI/next hop and a list of EVPN NLRIs (route
 * type, length, body) - changes one piece (a body through LLVMFuzzerMutate,
 * a type, flags, an attribute or NLRI added, dropped or repeated, a message
 * repeated, dropped or moved) and writes it all back with every marker and
 * length right. What it cannot read (a tail that is not a message) it keeps
 * as it is. One mutation in eight is plain LLVMFuzzerMutate of the whole
 * input, so the framing checks stay fuzzed too.
 *
 * Everything works in fixed buffers: no allocation per mutation.
 */
#ifndef FUZZ_BGP_MUTATOR_H
#define FUZZ_BGP_MUTATOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

#define BM_MAX_MSGS   64
#define BM_MAX_ATTRS  32
#define BM_MAX_NLRI   64
#define BM_MSG_MAX    4096     /* BGP_MAX_LEN: RFC 4271 4.1 */
#define BM_SCRATCH    65536

struct bm_rng {
	uint32_t s;
};

static inline uint32_t bm_next(struct bm_rng *r)
{
	/* xorshift32: cheap, and deterministic for a given libFuzzer seed */
	r->s ^= r->s << 13;
	r->s ^= r->s >> 17;
	r->s ^= r->s << 5;
	return r->s;
}

static inline uint32_t bm_below(struct bm_rng *r, uint32_t n)
{
	return n ? bm_next(r) % n : 0;
}

struct bm_span {
	const uint8_t *p;
	size_t len;
};

struct bm_msg {
	uint8_t type;
	struct bm_span body;
};

/* Splits data into whole messages (a header whose length fits) and a raw
 * tail. Returns the number of messages. */
static size_t bm_split(const uint8_t *data, size_t size, struct bm_msg *m, size_t max,
		       struct bm_span *tail)
{
	size_t off = 0, n = 0;

	while (n < max && size - off >= 19) {
		size_t len = (size_t)data[off + 16] << 8 | data[off + 17];

		if (len < 19 || len > BM_MSG_MAX || len > size - off)
			break;
		m[n].type = data[off + 18];
		m[n].body.p = data + off + 19;
		m[n].body.len = len - 19;
		n++;
		off += len;
	}
	tail->p = data + off;
	tail->len = size - off;
	return n;
}

/* Appends to out (cap bytes); returns false when it does not fit. */
static inline bool bm_put(uint8_t *out, size_t *len, size_t cap, const void *p, size_t n)
{
	if (n > cap - *len)
		return false;
	memcpy(out + *len, p, n);
	*len += n;
	return true;
}

static inline bool bm_put16(uint8_t *out, size_t *len, size_t cap, size_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return bm_put(out, len, cap, b, 2);
}

static bool bm_put_msg(uint8_t *out, size_t *len, size_t cap, uint8_t type, const uint8_t *body,
		       size_t blen)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};

	if (blen + 19 > BM_MSG_MAX)
		return false;
	return bm_put(out, len, cap, marker, 16) && bm_put16(out, len, cap, blen + 19) &&
	       bm_put(out, len, cap, &type, 1) && bm_put(out, len, cap, body, blen);
}

/* A path attribute, and the list of them in an UPDATE. */
struct bm_attr {
	uint8_t flags, type;
	uint8_t *val;         /* in the scratch area while mutating */
	size_t len;
};

/* Parses an UPDATE body: withdrawn, attributes, NLRI. false when its two
 * length fields do not fit (then the body is mutated as bytes). */
static bool bm_update_split(const uint8_t *b, size_t n, struct bm_span *wd,
			    struct bm_span *attrs, struct bm_span *nlri)
{
	size_t wl, al;

	if (n < 4)
		return false;
	wl = (size_t)b[0] << 8 | b[1];
	if (wl + 4 > n)
		return false;
	al = (size_t)b[2 + wl] << 8 | b[3 + wl];
	if (wl + 4 + al > n)
		return false;
	wd->p = b + 2;
	wd->len = wl;
	attrs->p = b + 4 + wl;
	attrs->len = al;
	nlri->p = attrs->p + al;
	nlri->len = n - 4 - wl - al;
	return true;
}

static size_t bm_attrs_split(struct bm_span a, struct bm_attr *at, size_t max)
{
	size_t off = 0, n = 0;

	while (n < max && a.len - off >= 3) {
		uint8_t fl = a.p[off], ty = a.p[off + 1];
		size_t hl = fl & 0x10 ? 4 : 3, len;

		if (a.len - off < hl)
			break;
		len = fl & 0x10 ? ((size_t)a.p[off + 2] << 8 | a.p[off + 3]) : a.p[off + 2];
		if (len > a.len - off - hl)
			break;
		at[n].flags = fl;
		at[n].type = ty;
		at[n].val = (uint8_t *)(a.p + off + hl);
		at[n].len = len;
		n++;
		off += hl + len;
	}
	return n;
}

static bool bm_put_attr(uint8_t *out, size_t *len, size_t cap, const struct bm_attr *a)
{
	uint8_t fl = a->flags;

	/* Extended Length exactly when needed keeps lengths honest; one time
	 * in a while the flag set on a short value is what a peer may send. */
	if (a->len > 255)
		fl |= 0x10;
	if (!(fl & 0x10))
		return bm_put(out, len, cap, &fl, 1) && bm_put(out, len, cap, &a->type, 1) &&
		       bm_put(out, len, cap, (uint8_t[]){ (uint8_t)a->len }, 1) &&
		       bm_put(out, len, cap, a->val, a->len);
	return bm_put(out, len, cap, &fl, 1) && bm_put(out, len, cap, &a->type, 1) &&
	       bm_put16(out, len, cap, a->len) && bm_put(out, len, cap, a->val, a->len);
}

/* EVPN NLRI list (route type, length, body). */
static size_t bm_nlri_split(const uint8_t *p, size_t n, struct bm_span *r, size_t max)
{
	size_t off = 0, k = 0;

	while (k < max && n - off >= 2 && p[off + 1] <= n - off - 2) {
		r[k].p = p + off;
		r[k].len = 2 + p[off + 1];
		off += r[k].len;
		k++;
	}
	return k;
}

/* Mutates an MP_REACH (14) or MP_UNREACH (15) value into out: one EVPN
 * NLRI of it changed, added, dropped or repeated. Returns the new length
 * or 0 when the value cannot be read that way. */
static size_t bm_mutate_mp(struct bm_rng *rng, uint8_t type, const uint8_t *v, size_t n,
			   uint8_t *out, size_t cap)
{
	struct bm_span r[BM_MAX_NLRI];
	size_t head, k, len = 0, pick;
	uint8_t body[258];

	if (type == 14) {
		if (n < 5 || (size_t)v[3] + 5 > n)
			return 0;
		head = 5 + v[3];     /* AFI, SAFI, next hop length, next hop, reserved */
	} else {
		if (n < 3)
			return 0;
		head = 3;
	}
	k = bm_nlri_split(v + head, n - head, r, BM_MAX_NLRI);
	if (!bm_put(out, &len, cap, v, head))
		return 0;
	pick = bm_below(rng, k + 1);
	for (size_t i = 0; i < k; i++) {
		size_t bl = r[i].len - 2;

		if (i != pick) {
			bm_put(out, &len, cap, r[i].p, r[i].len);
			continue;
		}
		switch (bm_below(rng, 6)) {
		case 0:           /* dropped */
			break;
		case 1:           /* repeated */
			bm_put(out, &len, cap, r[i].p, r[i].len);
			bm_put(out, &len, cap, r[i].p, r[i].len);
			break;
		case 2:           /* another route type */
			body[0] = (uint8_t)(1 + bm_below(rng, 6));
			body[1] = r[i].p[1];
			bm_put(out, &len, cap, body, 2);
			bm_put(out, &len, cap, r[i].p + 2, bl);
			break;
		default:          /* its body mutated, the length made right */
			memcpy(body + 2, r[i].p + 2, bl);
			bl = LLVMFuzzerMutate(body + 2, bl, 255);
			body[0] = r[i].p[0];
			body[1] = (uint8_t)bl;
			bm_put(out, &len, cap, body, 2 + bl);
			break;
		}
	}
	if (pick == k && k) {  /* one more: a copy of a random one, mutated */
		size_t i = bm_below(rng, k), bl = r[i].len - 2;

		memcpy(body + 2, r[i].p + 2, bl);
		bl = LLVMFuzzerMutate(body + 2, bl, 255);
		body[0] = r[i].p[0];
		body[1] = (uint8_t)bl;
		bm_put(out, &len, cap, body, 2 + bl);
	}
	/* bytes after the last whole NLRI stay (a truncated one) */
	{
		size_t used = head;

		for (size_t i = 0; i < k; i++)
			used += r[i].len;
		bm_put(out, &len, cap, v + used, n - used);
	}
	return len;
}

/* Attribute types worth inventing (RFC 4271, 4456, 4760, 4360, 6514, 6793,
 * 7311, 8092, 9012) and some that nobody defined. */
static const uint8_t bm_attr_types[] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 22, 23, 26, 29, 32, 128, 240, 255,
};

/* Mutates an UPDATE body into out. Returns its length, or 0. */
static size_t bm_mutate_update(struct bm_rng *rng, const uint8_t *b, size_t n, uint8_t *out,
			       size_t cap, uint8_t *scratch)
{
	struct bm_span wd, as, nl;
	struct bm_attr at[BM_MAX_ATTRS + 1];
	size_t na, len = 0, alen_at, pick;

	if (!bm_update_split(b, n, &wd, &as, &nl))
		return 0;
	na = bm_attrs_split(as, at, BM_MAX_ATTRS);
	pick = bm_below(rng, na + 1);
	switch (bm_below(rng, 10)) {
	case 0:   /* the withdrawn routes field */
	case 1: { /* or the IPv4 NLRI field: rarely used by EVPN, but parsed */
		struct bm_span *s = bm_below(rng, 2) ? &wd : &nl;

		memcpy(scratch, s->p, s->len);
		/* LLVMFuzzerMutate wants size <= max_size */
		s->len = LLVMFuzzerMutate(scratch, s->len, s->len + 64 < 4096 ? s->len + 64 : 4096);
		s->p = scratch;
		break;
	}
	case 2:   /* a new attribute */
		if (na < BM_MAX_ATTRS) {
			at[na].type = bm_attr_types[bm_below(rng, sizeof(bm_attr_types))];
			at[na].flags = bm_below(rng, 4) ? 0x40 | (at[na].type > 8 ? 0x80 : 0)
							: (uint8_t)bm_next(rng);
			at[na].len = bm_below(rng, 16);
			for (size_t i = 0; i < at[na].len; i++)
				scratch[i] = (uint8_t)bm_next(rng);
			at[na].val = scratch;
			na++;
		}
		break;
	case 3:   /* one dropped, or repeated */
		if (pick < na) {
			if (bm_below(rng, 2)) {
				memmove(&at[pick], &at[pick + 1], (na - pick - 1) * sizeof(at[0]));
				na--;
			} else if (na < BM_MAX_ATTRS) {
				memmove(&at[pick + 1], &at[pick], (na - pick) * sizeof(at[0]));
				na++;
			}
		}
		break;
	case 4:   /* its flags or type */
		if (pick < na) {
			if (bm_below(rng, 2))
				at[pick].flags ^= (uint8_t)(1u << (4 + bm_below(rng, 4)));
			else
				at[pick].type = bm_attr_types[bm_below(rng, sizeof(bm_attr_types))];
		}
		break;
	default:  /* its value: MP NLRIs by structure, anything else as bytes */
		if (pick < na) {
			size_t l = 0;

			if ((at[pick].type == 14 || at[pick].type == 15) && bm_below(rng, 4))
				l = bm_mutate_mp(rng, at[pick].type, at[pick].val, at[pick].len,
						 scratch, 4096);
			if (!l) {
				memcpy(scratch, at[pick].val, at[pick].len);
				l = LLVMFuzzerMutate(scratch, at[pick].len,
						     at[pick].len + 64 < 4096 ? at[pick].len + 64
									      : 4096);
			}
			at[pick].val = scratch;
			at[pick].len = l;
		}
		break;
	}
	if (!bm_put16(out, &len, cap, wd.len) || !bm_put(out, &len, cap, wd.p, wd.len))
		return 0;
	alen_at = len;
	if (!bm_put16(out, &len, cap, 0))
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!bm_put_attr(out, &len, cap, &at[i]))
			return 0;
	{
		size_t al = len - alen_at - 2;

		out[alen_at] = (uint8_t)(al >> 8);
		out[alen_at + 1] = (uint8_t)al;
	}
	if (!bm_put(out, &len, cap, nl.p, nl.len))
		return 0;
	return len;
}

/* The whole mutation; returns the new size (<= max_size). */
static size_t bm_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static uint8_t out[BM_SCRATCH], body[BM_MSG_MAX + 64], scratch[BM_SCRATCH];
	struct bm_msg m[BM_MAX_MSGS];
	struct bm_span tail;
	struct bm_rng rng = { seed | 1 };
	size_t n, len = 0, pick, cap = max_size < sizeof(out) ? max_size : sizeof(out);
	int op;

	n = bm_split(data, size, m, BM_MAX_MSGS, &tail);
	if (n == 0 || bm_below(&rng, 8) == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	pick = bm_below(&rng, (uint32_t)n);
	op = (int)bm_below(&rng, 16);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = m[i].body.p;
		size_t bl = m[i].body.len;
		uint8_t type = m[i].type;
		bool ok = true;

		if (i == pick) {
			if (op < 10 && type == 2) {
				size_t l = bm_mutate_update(&rng, b, bl, body, BM_MSG_MAX - 19,
							    scratch);

				if (l) {
					b = body;
					bl = l;
				}
			}
			if (b == m[i].body.p) {
				switch (op) {
				case 10:  /* dropped */
					continue;
				case 11:  /* repeated */
					ok = bm_put_msg(out, &len, cap, type, b, bl);
					break;
				case 12:  /* another type */
					type = (uint8_t)(1 + bm_below(&rng, 5));
					break;
				case 13:  /* moved to the end */
					if (i + 1 < n && n < BM_MAX_MSGS) {
						m[n++] = m[i];
						continue;
					}
					break;
				default:  /* its body as bytes, the length made right */
					memcpy(body, b, bl);
					bl = LLVMFuzzerMutate(body, bl, BM_MSG_MAX - 19);
					b = body;
					break;
				}
			}
		}
		if (!ok || !bm_put_msg(out, &len, cap, type, b, bl))
			return LLVMFuzzerMutate(data, size, max_size);
	}
	/* The tail is dropped when it no longer fits. */
	(void)bm_put(out, &len, cap, tail.p, tail.len);
	memcpy(data, out, len);
	return len;
}

#endif /* FUZZ_BGP_MUTATOR_H */
