/* config_rt.c - route targets and route distinguishers: the "ASN:NN" /
 * "IP:NN" text forms of the config file and vtepctl, their 8-byte wire
 * encodings, and the "auto" derivations (declared in config.h).
 *
 * Route target, RFC 4360 s.3-4 (extended community, type then sub-type
 * 0x02 "Route Target"):
 *   0x00 0x02  2-octet AS   : 4-octet number    "65101:100"
 *   0x01 0x02  IPv4 address : 2-octet number    "192.0.2.1:100"
 *   0x02 0x02  4-octet AS   : 2-octet number    "4200000000:100"  (RFC 5668)
 * Route distinguisher, RFC 4364 s.4.2 (2-octet type, 6-octet value):
 *   type 0  2-octet AS : 4-octet number; type 1  IPv4 : 2-octet number;
 *   type 2  4-octet AS : 2-octet number.
 * An ASN that fits in 2 octets always takes the 2-octet-AS form, as every
 * BGP implementation writes it, so text -> bytes -> text is the identity.
 */
#include "config.h"
#include "addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RT_SUBTYPE          0x02
#define RT_TYPE_AS2         0x00
#define RT_TYPE_IP4         0x01
#define RT_TYPE_AS4         0x02
#define RD_TYPE_AS2         0
#define RD_TYPE_IP4         1
#define RD_TYPE_AS4         2

/* A decimal number of at most 10 digits, no sign, no spaces, <= max. */
static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum admin_kind { ADMIN_AS2, ADMIN_IP4, ADMIN_AS4 };

/* Splits "ADMIN:NN" into its kind, administrator (AS or IPv4, network
 * order for the address) and assigned number; range-checks the number for
 * the room the kind leaves it (4 octets after a 2-octet AS, else 2). */
static int parse_admin_nn(const char *s, enum admin_kind *kind, uint32_t *admin, uint32_t *nn)
{
	char ip[ADDR_IP_STRLEN];
	const char *colon;
	uint64_t a, n;
	size_t alen;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	alen = (size_t)(colon - s);
	if (memchr(s, '.', alen)) {
		uint32_t ip_be;

		if (alen >= sizeof(ip))
			return -EINVAL;
		memcpy(ip, s, alen);
		ip[alen] = '\0';
		if (addr_parse_ip(ip, &ip_be) ||
		    parse_dec(colon + 1, strlen(colon + 1), 0xffff, &n))
			return -EINVAL;
		*kind = ADMIN_IP4;
		*admin = ip_be;
		*nn = (uint32_t)n;
		return 0;
	}
	/* AS 0 is reserved and must not be used (RFC 7607) */
	if (parse_dec(s, alen, 0xffffffffu, &a) || a == 0)
		return -EINVAL;
	if (a <= 0xffff) {
		if (parse_dec(colon + 1, strlen(colon + 1), 0xffffffffu, &n))
			return -EINVAL;
		*kind = ADMIN_AS2;
	} else {
		if (parse_dec(colon + 1, strlen(colon + 1), 0xffff, &n))
			return -EINVAL;
		*kind = ADMIN_AS4;
	}
	*admin = (uint32_t)a;
	*nn = (uint32_t)n;
	return 0;
}

/* The value part shared by RTs and RDs (bytes 2..7). */
static void put_value(uint8_t *p, enum admin_kind kind, uint32_t admin, uint32_t nn)
{
	switch (kind) {
	case ADMIN_AS2:
		put16(p, admin);
		put32(p + 2, nn);
		break;
	case ADMIN_IP4:
		memcpy(p, &admin, 4);   /* already network order */
		put16(p + 4, nn);
		break;
	case ADMIN_AS4:
		put32(p, admin);
		put16(p + 4, nn);
		break;
	}
}

static void encode_rt(uint8_t out[8], enum admin_kind kind, uint32_t admin, uint32_t nn)
{
	static const uint8_t type[] = {
		[ADMIN_AS2] = RT_TYPE_AS2, [ADMIN_IP4] = RT_TYPE_IP4, [ADMIN_AS4] = RT_TYPE_AS4,
	};

	out[0] = type[kind];
	out[1] = RT_SUBTYPE;
	put_value(out + 2, kind, admin, nn);
}

static void encode_rd(uint8_t out[8], enum admin_kind kind, uint32_t admin, uint32_t nn)
{
	static const uint8_t type[] = {
		[ADMIN_AS2] = RD_TYPE_AS2, [ADMIN_IP4] = RD_TYPE_IP4, [ADMIN_AS4] = RD_TYPE_AS4,
	};

	put16(out, type[kind]);
	put_value(out + 2, kind, admin, nn);
}

int config_parse_rt(const char *s, uint8_t out[8])
{
	enum admin_kind kind;
	uint32_t admin, nn;

	if (parse_admin_nn(s, &kind, &admin, &nn))
		return -EINVAL;
	encode_rt(out, kind, admin, nn);
	return 0;
}

int config_parse_rd(const char *s, uint8_t out[8])
{
	enum admin_kind kind;
	uint32_t admin, nn;

	if (parse_admin_nn(s, &kind, &admin, &nn))
		return -EINVAL;
	encode_rd(out, kind, admin, nn);
	return 0;
}

static int fmt_value(const uint8_t *v, enum admin_kind kind, char buf[CFG_RT_STRLEN])
{
	char ip[ADDR_IP_STRLEN];
	uint32_t a;

	switch (kind) {
	case ADMIN_AS2:
		snprintf(buf, CFG_RT_STRLEN, "%u:%u", get16(v), get32(v + 2));
		break;
	case ADMIN_IP4:
		memcpy(&a, v, 4);
		snprintf(buf, CFG_RT_STRLEN, "%s:%u", addr_fmt_ip(a, ip), get16(v + 4));
		break;
	case ADMIN_AS4:
		snprintf(buf, CFG_RT_STRLEN, "%u:%u", get32(v), get16(v + 4));
		break;
	}
	return 0;
}

static int fmt_hex(const uint8_t b[8], char buf[CFG_RT_STRLEN])
{
	snprintf(buf, CFG_RT_STRLEN, "0x%02x%02x%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
	return -EINVAL;
}

int config_fmt_rt(const uint8_t rt[8], char buf[CFG_RT_STRLEN])
{
	if (rt[1] != RT_SUBTYPE)
		return fmt_hex(rt, buf);
	switch (rt[0]) {
	case RT_TYPE_AS2: return fmt_value(rt + 2, ADMIN_AS2, buf);
	case RT_TYPE_IP4: return fmt_value(rt + 2, ADMIN_IP4, buf);
	case RT_TYPE_AS4: return fmt_value(rt + 2, ADMIN_AS4, buf);
	}
	return fmt_hex(rt, buf);
}

int config_fmt_rd(const uint8_t rd[8], char buf[CFG_RT_STRLEN])
{
	switch (get16(rd)) {
	case RD_TYPE_AS2: return fmt_value(rd + 2, ADMIN_AS2, buf);
	case RD_TYPE_IP4: return fmt_value(rd + 2, ADMIN_IP4, buf);
	case RD_TYPE_AS4: return fmt_value(rd + 2, ADMIN_AS4, buf);
	}
	return fmt_hex(rd, buf);
}

/* "auto" route target: ASN:VNI (DESIGN.md; RFC 8365 s.5.1.2.1 derives the
 * RT from the AS and the VNI the same way). A 4-octet ASN leaves 2 octets
 * for the number, so it holds only VNIs up to 65535. */
int config_vni_rt(const struct vtep_config *cfg, const struct cfg_vni *v, uint8_t out[8])
{
	if (!v->rt_auto) {
		memcpy(out, v->route_target, 8);
		return 0;
	}
	if (!cfg->bgp.enabled || cfg->bgp.asn == 0)
		return -EINVAL;
	if (cfg->bgp.asn <= 0xffff)
		encode_rt(out, ADMIN_AS2, cfg->bgp.asn, v->vni);
	else if (v->vni <= 0xffff)
		encode_rt(out, ADMIN_AS4, cfg->bgp.asn, v->vni);
	else
		return -ERANGE;
	return 0;
}

/* "auto" RD: router_id:VNI, a type 1 RD (RFC 7432 s.7.9 asks for a type 1
 * RD made of the PE's address and a number unique on the PE), whose number
 * has 2 octets: VNIs above 65535 need an explicit rd. */
int config_vni_rd(const struct vtep_config *cfg, const struct cfg_vni *v, uint8_t out[8])
{
	if (!v->rd_auto) {
		memcpy(out, v->rd, 8);
		return 0;
	}
	if (!cfg->bgp.enabled || cfg->bgp.router_id == 0)
		return -EINVAL;
	if (v->vni > 0xffff)
		return -ERANGE;
	encode_rd(out, ADMIN_IP4, cfg->bgp.router_id, v->vni);
	return 0;
}

bool config_vni_imports_rt(const struct cfg_vni *v, const uint8_t rt[8])
{
	uint32_t la;

	if (!v->rt_auto)
		return memcmp(rt, v->route_target, 8) == 0;
	if (rt[1] != RT_SUBTYPE)
		return false;
	switch (rt[0]) {
	case RT_TYPE_AS2:
		la = get32(rt + 4);
		if (la == v->vni)
			return true;
		/* RFC 8365 s.5.1.2.1 auto-derived form: A=0, Type=1 (VXLAN),
		 * any D-ID, then the 24-bit VNI */
		return (la >> 28) == 0x1 && (la & 0xffffff) == v->vni;
	case RT_TYPE_IP4:
	case RT_TYPE_AS4:
		return get16(rt + 6) == v->vni;
	}
	return false;
}
