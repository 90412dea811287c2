/* bgp_attr_priv.h - the insides of the path attribute code, shared by
 * bgp_attr.c (the descriptor table, the walker, the simple attributes),
 * bgp_attr_aspath.c (AS_PATH, AGGREGATOR, AS4_*) and bgp_attr_ext.c
 * (extended communities). Nothing else includes this.
 */
#ifndef VTEP_BGP_ATTR_PRIV_H
#define VTEP_BGP_ATTR_PRIV_H

#include "bgp_attr.h"

/* What a decode hook reports about a malformed attribute. */
struct attr_problem {
	enum bgp_err_action act;
	uint8_t subcode;        /* UPDATE Message Error subcode (RFC 4271 6.3) */
	const char *why;        /* with the RFC section that sets the action */
};

typedef int (*attr_decode_fn)(struct rbuf *v, struct bgp_attrs *a,
			      const struct bgp_parse_ctx *ctx, struct attr_problem *p);
typedef void (*attr_encode_fn)(struct wbuf *w, const struct bgp_attrs *a,
			       const struct bgp_parse_ctx *ctx);

/* Fills *p for the walker; returns -1, what a hook returns then. */
static inline int problem(struct attr_problem *p, enum bgp_err_action act,
			  uint8_t subcode, const char *why)
{
	p->act = act;
	p->subcode = subcode;
	p->why = why;
	return -1;
}

/* bgp_attr_aspath.c: the hooks of AS_PATH, AGGREGATOR, AS4_PATH and
 * AS4_AGGREGATOR (v holds exactly the attribute's value; encoders write
 * the value only). */
int bgp_attr_dec_as_path(struct rbuf *v, struct bgp_attrs *a,
			 const struct bgp_parse_ctx *ctx, struct attr_problem *p);
int bgp_attr_dec_aggregator(struct rbuf *v, struct bgp_attrs *a,
			    const struct bgp_parse_ctx *ctx, struct attr_problem *p);
int bgp_attr_dec_as4_path(struct rbuf *v, struct bgp_attrs *a,
			  const struct bgp_parse_ctx *ctx, struct attr_problem *p);
int bgp_attr_dec_as4_aggregator(struct rbuf *v, struct bgp_attrs *a,
				const struct bgp_parse_ctx *ctx, struct attr_problem *p);
void bgp_attr_enc_as_path(struct wbuf *w, const struct bgp_attrs *a,
			  const struct bgp_parse_ctx *c);
void bgp_attr_enc_aggregator(struct wbuf *w, const struct bgp_attrs *a,
			     const struct bgp_parse_ctx *c);
void bgp_attr_enc_as4_path(struct wbuf *w, const struct bgp_attrs *a,
			   const struct bgp_parse_ctx *c);
void bgp_attr_enc_as4_aggregator(struct wbuf *w, const struct bgp_attrs *a,
				 const struct bgp_parse_ctx *c);
/* RFC 6793 4.2.3, after the walk: AS4_PATH/AS4_AGGREGATOR of a 2-octet
 * speaker into AS_PATH/AGGREGATOR (a->as4_used says what was done). */
void bgp_attr_as4_reconcile(struct bgp_attrs *a, const struct bgp_parse_ctx *ctx);
/* RFC 6793 4.2.2: a 2-octet peer needs AS4_PATH for this path. */
bool bgp_attr_aspath_needs_as4(const struct bgp_aspath *p);

/* bgp_attr_ext.c: the hooks of EXTENDED_COMMUNITIES (RFC 7606 7.14). */
int bgp_attr_dec_ext_communities(struct rbuf *v, struct bgp_attrs *a,
				 const struct bgp_parse_ctx *ctx, struct attr_problem *p);
void bgp_attr_enc_ext_communities(struct wbuf *w, const struct bgp_attrs *a,
				  const struct bgp_parse_ctx *c);

#endif /* VTEP_BGP_ATTR_PRIV_H */
