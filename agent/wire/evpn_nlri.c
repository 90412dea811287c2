/* evpn_nlri.c - see evpn_nlri.h. Decoders follow the field order of the
 * RFC figures; each starts from a value already cut to its exact length. */
#include "evpn_nlri.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

/* An IP address whose length field is in bits (RFC 7432 7.2, 7.3). */
static int get_ip_bits(struct rbuf *v, uint8_t bits, struct evpn_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (bits != 0 && bits != 32 && bits != 128)
		return -1;
	ip->len = bits / 8;
	return rbuf_get_bytes(v, ip->v6, ip->len);
}

/* RFC 7432 7.2: RD 8, ESI 10, Ethernet Tag 4, MAC Address Length 1 (48),
 * MAC 6, IP Address Length 1 (0, 32 or 128 bits), IP 0/4/16,
 * MPLS Label1 3, MPLS Label2 0 or 3. */
static enum evpn_decode decode_macip(struct rbuf *v, struct evpn_route *rt,
				     const char **why)
{
	size_t len = rbuf_left(v), base;
	uint8_t mac_bits, ip_bits;

	if (len < EVPN_MACIP_MIN_LEN) {
		*why = "MAC/IP route shorter than 33 octets (RFC 7432 7.2)";
		return EVPN_DEC_BAD;
	}
	rbuf_get_bytes(v, rt->rd, 8);
	rbuf_get_bytes(v, rt->esi, 10);
	rbuf_get_u32(v, &rt->etag);
	rbuf_get_u8(v, &mac_bits);
	rbuf_get_bytes(v, rt->mac, 6);
	rbuf_get_u8(v, &ip_bits);
	if (mac_bits != 48) {
		*why = "MAC/IP route MAC length is not 48 (RFC 7432 7.2)";
		return EVPN_DEC_BAD;
	}
	if (ip_bits != 0 && ip_bits != 32 && ip_bits != 128) {
		*why = "MAC/IP route IP length not 0, 32 or 128 (RFC 7432 7.2)";
		return EVPN_DEC_BAD;
	}
	/* Exact size: one label, or two (RFC 7432 7.2; FRR accepts exactly
	 * 33, 36, 37, 40, 49 and 52 octets). */
	base = EVPN_MACIP_MIN_LEN + ip_bits / 8;
	if (len != base && len != base + 3) {
		*why = "MAC/IP route length does not match its IP length (RFC 7432 7.2)";
		return EVPN_DEC_BAD;
	}
	get_ip_bits(v, ip_bits, &rt->ip);
	rt->n_labels = len == base ? 1 : 2;
	rbuf_get_u24(v, &rt->label[0]);
	if (rt->n_labels == 2)
		rbuf_get_u24(v, &rt->label[1]);
	return v->err ? EVPN_DEC_BAD : EVPN_DEC_OK;
}

/* RFC 7432 7.3: RD 8, Ethernet Tag 4, IP Address Length 1 (32 or 128),
 * Originating Router's IP Address 4/16. */
static enum evpn_decode decode_imet(struct rbuf *v, struct evpn_route *rt,
				    const char **why)
{
	size_t len = rbuf_left(v);
	uint8_t ip_bits;

	if (len != EVPN_IMET_V4_LEN && len != EVPN_IMET_V6_LEN) {
		*why = "IMET route length not 17 or 29 (RFC 7432 7.3)";
		return EVPN_DEC_BAD;
	}
	rbuf_get_bytes(v, rt->rd, 8);
	rbuf_get_u32(v, &rt->etag);
	rbuf_get_u8(v, &ip_bits);
	if (ip_bits != (len == EVPN_IMET_V4_LEN ? 32 : 128)) {
		*why = "IMET route IP length does not match its length (RFC 7432 7.3)";
		return EVPN_DEC_BAD;
	}
	get_ip_bits(v, ip_bits, &rt->ip);
	return v->err ? EVPN_DEC_BAD : EVPN_DEC_OK;
}

/* RFC 9136 3.1: RD 8, ESI 10, Ethernet Tag 4, IP Prefix Length 1, IP Prefix
 * 4/16, GW IP Address 4/16, MPLS Label 3. The family has no field of its
 * own: the route's length (34 or 58) tells it. */
static enum evpn_decode decode_prefix(struct rbuf *v, struct evpn_route *rt,
				      const char **why)
{
	size_t len = rbuf_left(v);
	uint8_t alen;

	if (len != EVPN_PREFIX_V4_LEN && len != EVPN_PREFIX_V6_LEN) {
		*why = "IP Prefix route length not 34 or 58 (RFC 9136 3.1)";
		return EVPN_DEC_BAD;
	}
	alen = len == EVPN_PREFIX_V4_LEN ? 4 : 16;
	rbuf_get_bytes(v, rt->rd, 8);
	rbuf_get_bytes(v, rt->esi, 10);
	rbuf_get_u32(v, &rt->etag);
	rbuf_get_u8(v, &rt->prefix_len);
	if (rt->prefix_len > alen * 8) {
		*why = "IP Prefix route prefix length exceeds its family (RFC 9136 3.1)";
		return EVPN_DEC_BAD;
	}
	rt->ip.len = alen;
	rbuf_get_bytes(v, rt->ip.v6, alen);
	rt->gw.len = alen;
	rbuf_get_bytes(v, rt->gw.v6, alen);
	rt->n_labels = 1;
	rbuf_get_u24(v, &rt->label[0]);
	return v->err ? EVPN_DEC_BAD : EVPN_DEC_OK;
}

enum evpn_decode evpn_nlri_decode(struct rbuf *r, struct evpn_route *rt, const char **why)
{
	uint8_t type, len;
	struct rbuf v;

	memset(rt, 0, sizeof(*rt));
	*why = NULL;
	if (rbuf_left(r) == 0 && !r->err)
		return EVPN_DEC_END;
	if (rbuf_get_u8(r, &type) || rbuf_get_u8(r, &len) || rbuf_get_sub(r, len, &v)) {
		*why = "EVPN NLRI length runs past the NLRI field (RFC 7606 5.3)";
		return EVPN_DEC_FRAMING;
	}
	rt->type = type;
	switch (type) {
	case EVPN_RT_MACIP:
		return decode_macip(&v, rt, why);
	case EVPN_RT_IMET:
		return decode_imet(&v, rt, why);
	case EVPN_RT_PREFIX:
		return decode_prefix(&v, rt, why);
	default:
		return EVPN_DEC_SKIP;
	}
}

/* Value length of rt's NLRI, or 0 if rt cannot be encoded. */
static size_t value_len(const struct evpn_route *rt)
{
	switch (rt->type) {
	case EVPN_RT_MACIP:
		if ((rt->ip.len != 0 && rt->ip.len != 4 && rt->ip.len != 16) ||
		    rt->n_labels < 1 || rt->n_labels > 2)
			return 0;
		return EVPN_MACIP_MIN_LEN + rt->ip.len + (rt->n_labels - 1) * 3;
	case EVPN_RT_IMET:
		if (rt->ip.len == 4)
			return EVPN_IMET_V4_LEN;
		return rt->ip.len == 16 ? EVPN_IMET_V6_LEN : 0;
	case EVPN_RT_PREFIX:
		if ((rt->ip.len != 4 && rt->ip.len != 16) ||
		    (rt->gw.len != 0 && rt->gw.len != rt->ip.len) ||
		    rt->prefix_len > rt->ip.len * 8)
			return 0;
		return rt->ip.len == 4 ? EVPN_PREFIX_V4_LEN : EVPN_PREFIX_V6_LEN;
	default:
		return 0;
	}
}

size_t evpn_nlri_size(const struct evpn_route *rt)
{
	size_t n = value_len(rt);

	return n ? 2 + n : 0;
}

int evpn_nlri_encode(struct wbuf *w, const struct evpn_route *rt)
{
	size_t len = value_len(rt);
	static const uint8_t zero[16];

	if (!len)
		return -EINVAL;
	wbuf_put_u8(w, rt->type);
	wbuf_put_u8(w, (uint8_t)len);
	wbuf_put_bytes(w, rt->rd, 8);
	switch (rt->type) {
	case EVPN_RT_MACIP:
		wbuf_put_bytes(w, rt->esi, 10);
		wbuf_put_u32(w, rt->etag);
		wbuf_put_u8(w, 48);
		wbuf_put_bytes(w, rt->mac, 6);
		wbuf_put_u8(w, rt->ip.len * 8);
		wbuf_put_bytes(w, rt->ip.v6, rt->ip.len);
		wbuf_put_u24(w, rt->label[0]);
		if (rt->n_labels == 2)
			wbuf_put_u24(w, rt->label[1]);
		break;
	case EVPN_RT_IMET:
		wbuf_put_u32(w, rt->etag);
		wbuf_put_u8(w, rt->ip.len * 8);
		wbuf_put_bytes(w, rt->ip.v6, rt->ip.len);
		break;
	case EVPN_RT_PREFIX:
		wbuf_put_bytes(w, rt->esi, 10);
		wbuf_put_u32(w, rt->etag);
		wbuf_put_u8(w, rt->prefix_len);
		wbuf_put_bytes(w, rt->ip.v6, rt->ip.len);
		/* No gateway: the all-zero address of the prefix's family. */
		wbuf_put_bytes(w, rt->gw.len ? rt->gw.v6 : zero, rt->ip.len);
		wbuf_put_u24(w, rt->label[0]);
		break;
	}
	return wbuf_error(w);
}

static bool same_ip(const struct evpn_ip *a, const struct evpn_ip *b)
{
	return a->len == b->len && memcmp(a->v6, b->v6, a->len) == 0;
}

bool evpn_route_same_key(const struct evpn_route *a, const struct evpn_route *b)
{
	if (a->type != b->type || memcmp(a->rd, b->rd, 8) != 0 || a->etag != b->etag)
		return false;
	switch (a->type) {
	case EVPN_RT_MACIP:
		return memcmp(a->mac, b->mac, 6) == 0 && same_ip(&a->ip, &b->ip);
	case EVPN_RT_IMET:
		return same_ip(&a->ip, &b->ip);
	case EVPN_RT_PREFIX:
		return a->prefix_len == b->prefix_len && same_ip(&a->ip, &b->ip);
	default:
		return false;
	}
}

void evpn_rd_make_ip(uint8_t rd[8], uint32_t ip_be, uint16_t n)
{
	rd[0] = 0;
	rd[1] = 1;
	memcpy(rd + 2, &ip_be, 4);
	rd[6] = n >> 8;
	rd[7] = n;
}

void evpn_rd_make_as(uint8_t rd[8], uint32_t asn, uint32_t n)
{
	rd[0] = 0;
	if (asn <= 0xffff) {            /* type 0: 2-octet AS, 4-octet number */
		rd[1] = 0;
		rd[2] = asn >> 8;
		rd[3] = asn;
		rd[4] = n >> 24;
		rd[5] = n >> 16;
		rd[6] = n >> 8;
		rd[7] = n;
	} else {                        /* type 2: 4-octet AS, 2-octet number */
		rd[1] = 2;
		rd[2] = asn >> 24;
		rd[3] = asn >> 16;
		rd[4] = asn >> 8;
		rd[5] = asn;
		rd[6] = n >> 8;
		rd[7] = n;
	}
}

const char *evpn_rd_fmt(const uint8_t rd[8], char buf[EVPN_RD_STRLEN])
{
	uint16_t type = (uint16_t)(rd[0] << 8 | rd[1]);
	uint32_t ip;
	char ipb[ADDR_IP_STRLEN];

	switch (type) {
	case 0:
		snprintf(buf, EVPN_RD_STRLEN, "%u:%u", rd[2] << 8 | rd[3],
			 (unsigned)rd[4] << 24 | rd[5] << 16 | rd[6] << 8 | rd[7]);
		break;
	case 1:
		memcpy(&ip, rd + 2, 4);
		snprintf(buf, EVPN_RD_STRLEN, "%s:%u", addr_fmt_ip(ip, ipb), rd[6] << 8 | rd[7]);
		break;
	case 2:
		snprintf(buf, EVPN_RD_STRLEN, "%u:%u",
			 (unsigned)rd[2] << 24 | rd[3] << 16 | rd[4] << 8 | rd[5],
			 rd[6] << 8 | rd[7]);
		break;
	default:
		snprintf(buf, EVPN_RD_STRLEN, "type%u:%02x%02x%02x%02x%02x%02x", type,
			 rd[2], rd[3], rd[4], rd[5], rd[6], rd[7]);
	}
	return buf;
}

static const char *ip_fmt(const struct evpn_ip *ip, char buf[INET6_ADDRSTRLEN])
{
	if (ip->len == 0)
		return "-";
	return inet_ntop(ip->len == 4 ? AF_INET : AF_INET6, ip->v6, buf, INET6_ADDRSTRLEN);
}

const char *evpn_route_fmt(const struct evpn_route *rt, char buf[EVPN_ROUTE_STRLEN])
{
	char rd[EVPN_RD_STRLEN], mac[ADDR_MAC_STRLEN];
	char ip[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];

	evpn_rd_fmt(rt->rd, rd);
	switch (rt->type) {
	case EVPN_RT_MACIP:
		snprintf(buf, EVPN_ROUTE_STRLEN, "[2][%s][%u][%s][%s] label %u%s", rd,
			 rt->etag, addr_fmt_mac(rt->mac, mac), ip_fmt(&rt->ip, ip),
			 rt->label[0], rt->n_labels == 2 ? " +label2" : "");
		break;
	case EVPN_RT_IMET:
		snprintf(buf, EVPN_ROUTE_STRLEN, "[3][%s][%u][%s]", rd, rt->etag,
			 ip_fmt(&rt->ip, ip));
		break;
	case EVPN_RT_PREFIX:
		snprintf(buf, EVPN_ROUTE_STRLEN, "[5][%s][%u][%s/%u] gw %s label %u", rd,
			 rt->etag, ip_fmt(&rt->ip, ip), rt->prefix_len,
			 ip_fmt(&rt->gw, gw), rt->label[0]);
		break;
	default:
		snprintf(buf, EVPN_ROUTE_STRLEN, "[%u][%s]", rt->type, rd);
	}
	return buf;
}
