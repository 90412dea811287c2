/* pkt.c - see pkt.h. Headers are written byte by byte in network order so
 * the builder does not depend on any struct layout or on host endianness. */
#include "pkt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = (v >> 16) & 0xff;
	b[2] = (v >> 8) & 0xff;
	b[3] = v & 0xff;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

/* Reserves len zeroed bytes and records the layer; NULL when full. */
static uint8_t *push(struct pkt *p, enum pkt_kind kind, size_t len)
{
	uint8_t *h;

	if (p->err || p->len + len > sizeof(p->buf) || p->nl >= PKT_MAX_LAYERS) {
		p->err = -ENOSPC;
		return NULL;
	}
	h = p->buf + p->len;
	memset(h, 0, len);
	p->l[p->nl].kind = kind;
	p->l[p->nl].off = p->len;
	p->l[p->nl].no_csum = 0;
	p->nl++;
	p->len += len;
	return h;
}

void *pkt_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
	uint8_t *h = push(p, PKT_ETH, 14);

	if (!h)
		return NULL;
	memcpy(h, dst, 6);
	memcpy(h + 6, src, 6);
	put16(h + 12, ethertype);
	return h;
}

void *pkt_vlan(struct pkt *p, uint16_t tci, uint16_t ethertype)
{
	uint8_t *h = push(p, PKT_VLAN, 4);

	if (!h)
		return NULL;
	put16(h, tci);
	put16(h + 2, ethertype);
	return h;
}

void *pkt_arp(struct pkt *p, uint16_t op, const uint8_t sha[6], uint32_t spa,
	      const uint8_t tha[6], uint32_t tpa)
{
	uint8_t *h = push(p, PKT_ARP, 28);

	if (!h)
		return NULL;
	put16(h, 1);          /* htype Ethernet */
	put16(h + 2, 0x0800); /* ptype IPv4 */
	h[4] = 6;
	h[5] = 4;
	put16(h + 6, op);
	memcpy(h + 8, sha, 6);
	memcpy(h + 14, &spa, 4);
	memcpy(h + 18, tha, 6);
	memcpy(h + 24, &tpa, 4);
	return h;
}

void *pkt_ipv4(struct pkt *p, const struct pkt_ip *ip)
{
	size_t optlen = ip->opts ? ip->optlen : 0;
	uint8_t *h = push(p, PKT_IPV4, 20 + optlen);
	uint16_t frag;

	if (!h)
		return NULL;
	h[0] = 0x40 | (uint8_t)((20 + optlen) / 4);
	h[1] = ip->tos;
	put16(h + 4, ip->id);
	frag = ip->frag_off & 0x1fff;
	if (ip->df)
		frag |= 0x4000;
	if (ip->mf)
		frag |= 0x2000;
	put16(h + 6, frag);
	h[8] = ip->ttl ? ip->ttl : 64;
	h[9] = ip->proto;
	memcpy(h + 12, &ip->saddr, 4);
	memcpy(h + 16, &ip->daddr, 4);
	if (optlen)
		memcpy(h + 20, ip->opts, optlen);
	return h;
}

void *pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *h = push(p, PKT_UDP, 8);

	if (!h)
		return NULL;
	put16(h, sport);
	put16(h + 2, dport);
	return h;
}

void *pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags)
{
	uint8_t *h = push(p, PKT_TCP, 20);

	if (!h)
		return NULL;
	put16(h, sport);
	put16(h + 2, dport);
	put32(h + 4, seq);
	h[12] = 5 << 4;
	h[13] = flags;
	put16(h + 14, 65535);
	return h;
}

void *pkt_icmp(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t *h = push(p, PKT_ICMP, 8);

	if (!h)
		return NULL;
	h[0] = type;
	h[1] = code;
	put32(h + 4, rest);
	return h;
}

void *pkt_icmp_echo(struct pkt *p, uint8_t type, uint16_t id, uint16_t seq)
{
	return pkt_icmp(p, type, 0, (uint32_t)id << 16 | seq);
}

void *pkt_ipv6(struct pkt *p, const struct pkt_ip6 *ip)
{
	uint8_t *h = push(p, PKT_IPV6, 40);

	if (!h)
		return NULL;
	put32(h, 6u << 28 | (uint32_t)ip->tclass << 20 | (ip->flow & 0xfffff));
	h[6] = ip->nexthdr;
	h[7] = ip->hlim ? ip->hlim : 64;
	memcpy(h + 8, ip->saddr, 16);
	memcpy(h + 24, ip->daddr, 16);
	return h;
}

void *pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t *h = push(p, PKT_ICMP6, 8);

	if (!h)
		return NULL;
	h[0] = type;
	h[1] = code;
	put32(h + 4, rest);
	return h;
}

void *pkt_nd_target(struct pkt *p, const uint8_t target[16])
{
	return pkt_put(p, target, 16);
}

void *pkt_nd_lla(struct pkt *p, uint8_t type, const uint8_t mac[6])
{
	uint8_t o[8] = { type, 1 };

	memcpy(o + 2, mac, 6);
	return pkt_put(p, o, 8);
}

void *pkt_nd_opt(struct pkt *p, uint8_t type, uint8_t len)
{
	uint8_t *h = pkt_pattern(p, (size_t)len * 8 > 8 ? (size_t)len * 8 : 8);

	if (!h)
		return NULL;
	h[0] = type;
	h[1] = len;
	return h;
}

void *pkt_vxlan(struct pkt *p, uint32_t vni)
{
	uint8_t *h;

	for (int i = p->nl - 1; i >= 0; i--) {
		if (p->l[i].kind == PKT_UDP) {
			p->l[i].no_csum = 1;
			break;
		}
	}
	h = push(p, PKT_VXLAN, 8);
	if (!h)
		return NULL;
	h[0] = 0x08; /* I flag: the VNI is valid (RFC 7348 s.5) */
	put32(h + 4, vni << 8);
	return h;
}

void *pkt_put(struct pkt *p, const void *data, size_t len)
{
	uint8_t *h = push(p, PKT_DATA, len);

	if (!h)
		return NULL;
	memcpy(h, data, len);
	return h;
}

void *pkt_pattern(struct pkt *p, size_t len)
{
	uint8_t *h = push(p, PKT_DATA, len);

	if (!h)
		return NULL;
	for (size_t i = 0; i < len; i++)
		h[i] = (uint8_t)i;
	return h;
}

void pkt_truncate(struct pkt *p, size_t len)
{
	if (len < p->len)
		p->len = len;
}

long pkt_off(const struct pkt *p, enum pkt_kind kind, int nth)
{
	for (int i = 0; i < p->nl; i++) {
		if (p->l[i].kind == kind && nth-- == 0)
			return (long)p->l[i].off;
	}
	return -1;
}

void pkt_ip6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1) {
		fprintf(stderr, "pkt_ip6: bad address '%s'\n", s);
		abort();
	}
}

uint32_t pkt_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "pkt_ip: bad address '%s'\n", s);
		abort();
	}
	return a.s_addr;
}

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(b + i);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Returns the checksum in host order; store it with put16(). */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum)
{
	return fold(sum16(data, len, sum));
}

/* The IPv4 pseudo-header sum (RFC 768, RFC 793) for l4len bytes. */
static uint32_t pseudo_sum(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	uint32_t sum = 0;

	sum = sum16(ip + 12, 8, sum);
	sum += proto;
	sum += (uint32_t)l4len;
	return sum;
}

/* The IPv6 pseudo-header sum (RFC 8200 s.8.1) for l4len bytes. */
static uint32_t pseudo6_sum(const uint8_t *ip6, uint8_t nh, size_t l4len)
{
	uint32_t sum = sum16(ip6 + 8, 32, 0);

	sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
	sum += nh;
	return sum;
}

/* The IP layer (IPv4 or IPv6) that encloses layer i, or NULL; *v6 says
 * which. */
static uint8_t *enclosing_l3(struct pkt *p, int i, int *v6)
{
	for (int j = i - 1; j >= 0; j--) {
		if (p->l[j].kind == PKT_IPV4 || p->l[j].kind == PKT_IPV6) {
			*v6 = p->l[j].kind == PKT_IPV6;
			return p->buf + p->l[j].off;
		}
	}
	return NULL;
}

/* The pseudo-header sum of whichever IP layer encloses layer i. */
static uint32_t l4_pseudo(struct pkt *p, int i, uint8_t proto, size_t l4len, int *found)
{
	int v6 = 0;
	uint8_t *ip = enclosing_l3(p, i, &v6);

	*found = ip != NULL;
	if (!ip)
		return 0;
	return v6 ? pseudo6_sum(ip, proto, l4len) : pseudo_sum(ip, proto, l4len);
}

int pkt_finish(struct pkt *p)
{
	if (p->err)
		return p->err;
	/* Innermost first, so outer checksums cover final inner bytes. */
	for (int i = p->nl - 1; i >= 0; i--) {
		uint8_t *h = p->buf + p->l[i].off;
		size_t rest = p->len - p->l[i].off;
		int ip;
		uint32_t ps;

		switch (p->l[i].kind) {
		case PKT_IPV4:
			put16(h + 2, (uint16_t)rest);
			put16(h + 10, 0);
			put16(h + 10, pkt_csum(h, (size_t)(h[0] & 0xf) * 4, 0));
			break;
		case PKT_IPV6:
			put16(h + 4, (uint16_t)(rest - 40));
			break;
		case PKT_ICMP6:
			put16(h + 2, 0);
			ps = l4_pseudo(p, i, 58, rest, &ip);
			put16(h + 2, pkt_csum(h, rest, ps));
			break;
		case PKT_UDP:
			put16(h + 4, (uint16_t)rest);
			put16(h + 6, 0);
			ps = l4_pseudo(p, i, 17, rest, &ip);
			if (!p->l[i].no_csum && ip) {
				uint16_t c = pkt_csum(h, rest, ps);

				/* 0 means "no checksum" in UDP (RFC 768). */
				put16(h + 6, c ? c : 0xffff);
			}
			break;
		case PKT_TCP:
			put16(h + 16, 0);
			ps = l4_pseudo(p, i, 6, rest, &ip);
			if (ip)
				put16(h + 16, pkt_csum(h, rest, ps));
			break;
		case PKT_ICMP:
			put16(h + 2, 0);
			put16(h + 2, pkt_csum(h, rest, 0));
			break;
		default:
			break;
		}
	}
	return 0;
}

int pkt_ipv4_csum_ok(const void *ip)
{
	const uint8_t *h = ip;

	return pkt_csum(h, (size_t)(h[0] & 0xf) * 4, 0) == 0;
}

int pkt_l4_csum_ok(const void *ip, size_t len)
{
	const uint8_t *h = ip;
	size_t ihl = (size_t)(h[0] & 0xf) * 4;
	size_t tot = get16(h + 2);
	const uint8_t *l4 = h + ihl;
	size_t l4len;

	if (len < ihl || tot > len || tot < ihl)
		return 0;
	l4len = tot - ihl;
	switch (h[9]) {
	case 1: /* ICMP: no pseudo-header */
		return pkt_csum(l4, l4len, 0) == 0;
	case 17:
		if (l4len < 8)
			return 0;
		if (get16(l4 + 6) == 0)
			return 1;
		/* fallthrough */
	case 6:
		return pkt_csum(l4, l4len, pseudo_sum(h, h[9], l4len)) == 0;
	default:
		return 0;
	}
}

int pkt_ip6_l4_csum_ok(const void *ip6, size_t len)
{
	const uint8_t *h = ip6;
	size_t plen;

	if (len < 40)
		return 0;
	plen = get16(h + 4);
	if (40 + plen > len)
		return 0;
	switch (h[6]) {
	case 17: /* IPv6 UDP always has a checksum (RFC 8200 s.8.1) */
		if (plen < 8)
			return 0;
		return pkt_csum(h + 40, plen, pseudo6_sum(h, h[6], plen)) == 0;
	case 6:
	case 58:
		return pkt_csum(h + 40, plen, pseudo6_sum(h, h[6], plen)) == 0;
	default:
		return 0;
	}
}

void pkt_hexdump(FILE *f, const void *data, size_t len)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i += 16) {
		fprintf(f, "%04zx ", i);
		for (size_t j = i; j < i + 16 && j < len; j++)
			fprintf(f, " %02x", b[j]);
		fputc('\n', f);
	}
}

size_t pkt_hexdiff(FILE *f, const void *want, size_t wlen, const void *got, size_t glen)
{
	const uint8_t *w = want, *g = got;
	size_t max = wlen > glen ? wlen : glen;
	size_t diffs = wlen > glen ? wlen - glen : glen - wlen;
	size_t shown = 0, last = (size_t)-1;

	for (size_t i = 0; i < wlen && i < glen; i++)
		diffs += w[i] != g[i];
	if (!diffs)
		return 0;
	fprintf(f, "packet differs (%zu bytes): want %zu bytes, got %zu bytes\n"
		"      want                                            | got\n",
		diffs, wlen, glen);
	/* Lines with a difference and the line before each (context). */
	for (size_t i = 0; i < max; i += 16) {
		int mark = 0, next_mark = 0;

		for (size_t j = i; j < i + 16 && j < max; j++)
			mark |= j >= wlen || j >= glen || w[j] != g[j];
		for (size_t j = i + 16; j < i + 32 && j < max; j++)
			next_mark |= j >= wlen || j >= glen || w[j] != g[j];
		if (!mark && !next_mark && i != 0)
			continue;
		if (shown >= PKT_HEXDIFF_LINES) {
			fprintf(f, "      ... (more differences)\n");
			break;
		}
		if (last != (size_t)-1 && i != last + 16)
			fprintf(f, "      ...\n");
		last = i;
		shown++;
		fprintf(f, "%04zx ", i);
		for (size_t j = i; j < i + 16; j++) {
			if (j < wlen)
				fprintf(f, " %02x", w[j]);
			else
				fprintf(f, "   ");
		}
		fprintf(f, " |");
		for (size_t j = i; j < i + 16; j++) {
			int d = j >= wlen || j >= glen || w[j] != g[j];

			if (j < glen)
				fprintf(f, "%c%02x", d ? '*' : ' ', g[j]);
			else if (j < wlen)
				fprintf(f, " --");
		}
		fprintf(f, "%s\n", mark ? "  <" : "");
	}
	return diffs;
}
