/* frame.c - see frame.h. */
#include "frame.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define ETH_HLEN_     14
#define VLAN_HLEN_    4
#define IP_HLEN_      20
#define UDP_HLEN_     8
#define VXLAN_HLEN_   8
#define ARP_LEN_      28
#define VXLAN_PORT_   4789

void frame_spec_init(struct frame_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->sport = 1024;
	s->dport = 9;       /* discard */
	s->vlan = -1;
	s->ethertype = -1;
	s->size = 60;       /* the 64-byte minimum without the FCS */
	s->osport = 49152;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t ip_csum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < IP_HLEN_; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4 header without options, DF clear, TTL 64. */
static void put_ipv4(uint8_t *h, uint32_t sip, uint32_t dip, uint8_t proto, size_t total)
{
	memset(h, 0, IP_HLEN_);
	h[0] = 0x45;
	put16(h + 2, (uint16_t)total);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &sip, 4);
	memcpy(h + 16, &dip, 4);
	put16(h + 10, ip_csum(h));
}

static void put_udp(uint8_t *h, uint16_t sport, uint16_t dport, size_t len)
{
	put16(h, sport);
	put16(h + 2, dport);
	put16(h + 4, (uint16_t)len);
	put16(h + 6, 0);
}

/* Ethernet (and tag) at b; returns the header length. */
static size_t put_eth(uint8_t *b, const uint8_t *dst, const uint8_t *src, int vlan,
		      uint16_t type)
{
	size_t l = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (vlan >= 0) {
		put16(b + l, 0x8100);
		put16(b + l + 2, (uint16_t)(vlan & 0xfff));
		l += VLAN_HLEN_;
	}
	put16(b + l, type);
	return l + 2;
}

#define IP6_HLEN_     40
#define ICMP_HLEN_    8   /* type, code, checksum, identifier, sequence */
#define NS_LEN_       32  /* NS (24) + source link-layer address option (8) */

/* One's-complement sum of n bytes added to sum, not folded; an odd last
 * byte is padded with a zero (RFC 1071). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The ARP request (who-has dip tell sip) after the Ethernet header at a. */
static size_t put_arp(const struct frame_spec *s, uint8_t *a)
{
	static const uint8_t zero[6];

	put16(a, 1);          /* htype Ethernet */
	put16(a + 2, 0x0800); /* ptype IPv4 */
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);      /* request */
	memcpy(a + 8, s->smac, 6);
	memcpy(a + 14, &s->sip, 4);
	memcpy(a + 18, zero, 6);
	memcpy(a + 24, &s->dip, 4);
	return ARP_LEN_;
}

/* ICMP(v6) echo request of len bytes at h, identifier 0x7467 ("tg"),
 * sequence 1; the checksum is the caller's. */
static void put_echo(uint8_t *h, uint8_t type)
{
	h[0] = type;
	h[1] = 0;
	put16(h + 2, 0);
	put16(h + 4, 0x7467);
	put16(h + 6, 1);
}

/* IPv4 packet after the Ethernet header (l2 bytes) at b: UDP or ICMP echo. */
static size_t build_ip4(const struct frame_spec *s, uint8_t *b, size_t l2,
			size_t *addr_off, size_t *ipcsum_off)
{
	size_t len = l2 + IP_HLEN_ + UDP_HLEN_;
	uint8_t *l4 = b + l2 + IP_HLEN_;

	if (s->size > len)
		len = s->size;
	if (s->l4 == FRAME_ECHO) {
		put_echo(l4, 8);
		put16(l4 + 2, fold(sum16(l4, len - l2 - IP_HLEN_, 0)));
	} else {
		put_udp(l4, s->sport, s->dport, len - l2 - IP_HLEN_);
	}
	put_ipv4(b + l2, s->sip, s->dip, s->l4 == FRAME_ECHO ? 1 : 17, len - l2);
	*addr_off = l2 + 16;
	*ipcsum_off = l2;
	return len;
}

/* RFC 8200 s.8.1: the upper-layer checksum over the pseudo-header
 * (addresses, upper-layer length, next header) and plen bytes at l4. */
static uint16_t csum6(const uint8_t *ip6, const uint8_t *l4, size_t plen, uint8_t nh)
{
	uint32_t sum = sum16(ip6 + 8, 32, 0) + (uint32_t)plen + nh;

	return fold(sum16(l4, plen, sum));
}

/* A Neighbor Solicitation for s->dip6 at m; sets the IPv6 destination to
 * the target's solicited-node address (RFC 4291 s.2.7.1) and the Ethernet
 * one to its MAC (RFC 2464 s.7). */
static void put_ns(const struct frame_spec *s, uint8_t *b, uint8_t *ip6, uint8_t *m)
{
	static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(ip6 + 24, snm, sizeof(snm));
	memcpy(ip6 + 24 + 13, s->dip6 + 13, 3);
	b[0] = b[1] = 0x33;
	memcpy(b + 2, ip6 + 24 + 12, 4);
	m[0] = 135;
	memcpy(m + 8, s->dip6, 16);
	m[24] = 1; /* source link-layer address, 1 x 8 octets */
	m[25] = 1;
	memcpy(m + 26, s->smac, 6);
}

/* IPv6 packet after the Ethernet header at b: UDP, ICMPv6 echo or NS. */
static size_t build_ip6(const struct frame_spec *s, uint8_t *b, size_t l2,
			size_t *addr_off, size_t *l4csum_off)
{
	size_t len = l2 + IP6_HLEN_ + (s->l4 == FRAME_NS ? NS_LEN_ : UDP_HLEN_), plen;
	uint8_t *ip6 = b + l2, *l4 = ip6 + IP6_HLEN_, nh = s->l4 == FRAME_UDP ? 17 : 58;

	if (s->size > len && s->l4 != FRAME_NS) /* an NS's length is its own */
		len = s->size;
	plen = len - l2 - IP6_HLEN_;
	ip6[0] = 0x60;
	put16(ip6 + 4, (uint16_t)plen);
	ip6[6] = nh;
	ip6[7] = s->l4 == FRAME_NS ? 255 : 64;
	memcpy(ip6 + 8, s->sip6, 16);
	memcpy(ip6 + 24, s->dip6, 16);
	if (s->l4 == FRAME_NS)
		put_ns(s, b, ip6, l4);
	else if (s->l4 == FRAME_ECHO)
		put_echo(l4, 128);
	else
		put_udp(l4, s->sport, s->dport, plen);
	*l4csum_off = l2 + IP6_HLEN_ + (nh == 17 ? 6 : 2);
	put16(b + *l4csum_off, csum6(ip6, l4, plen, nh));
	/* RFC 768: a computed 0 is sent as all ones (0 means none); the two
	 * are the same number in one's complement, so ICMPv6 takes it too. */
	if (!b[*l4csum_off] && !b[*l4csum_off + 1])
		put16(b + *l4csum_off, 0xffff);
	*addr_off = l2 + IP6_HLEN_ - 4;
	return len;
}

/* The inner frame at b (room bytes); returns its length or 0. */
static size_t build_inner(const struct frame_spec *s, uint8_t *b, size_t room,
			  size_t *addr_off, size_t *ipcsum_off, size_t *l4csum_off)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *dst = s->dmac;
	size_t l2, len;

	if (room < s->size || room < ETH_HLEN_ + VLAN_HLEN_ + IP6_HLEN_ + NS_LEN_)
		return 0;
	memset(b, 0, room);
	*ipcsum_off = *l4csum_off = 0;
	if (s->arp && !(s->dmac[0] | s->dmac[1] | s->dmac[2] | s->dmac[3] | s->dmac[4] | s->dmac[5]))
		dst = bcast;
	l2 = put_eth(b, dst, s->smac, s->vlan, s->arp ? 0x0806 : s->ip6 ? 0x86dd : 0x0800);
	if (s->arp) {
		len = l2 + put_arp(s, b + l2);
		*addr_off = l2 + 24;
	} else if (s->ip6) {
		len = build_ip6(s, b, l2, addr_off, l4csum_off);
	} else {
		len = build_ip4(s, b, l2, addr_off, ipcsum_off);
	}
	if (len < s->size)
		len = s->size;
	if (s->ethertype >= 0)
		put16(b + l2 - 2, (uint16_t)s->ethertype);
	return len;
}

void frame_set_addr(const struct frame *f, uint8_t *buf, uint32_t addr)
{
	uint32_t old, nw = htonl(addr), sum;
	const uint8_t *o = f->buf + f->addr_off, *n = (const uint8_t *)&nw;
	uint8_t *c;

	memcpy(&old, o, 4);
	memcpy(buf + f->addr_off, &nw, 4);
	if (f->ipcsum_off) {
		buf[f->ipcsum_off + 10] = buf[f->ipcsum_off + 11] = 0;
		put16(buf + f->ipcsum_off + 10, ip_csum(buf + f->ipcsum_off));
	}
	if (!f->l4csum_off)
		return;
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), 16 bits at a time. */
	c = buf + f->l4csum_off;
	sum = (uint16_t)~((uint32_t)f->buf[f->l4csum_off] << 8 | f->buf[f->l4csum_off + 1]);
	sum += (uint16_t)~((uint32_t)o[0] << 8 | o[1]) + (uint16_t)~((uint32_t)o[2] << 8 | o[3]);
	sum = sum16(n, 4, sum);
	put16(c, fold(sum));
	if (!c[0] && !c[1]) /* as in build_ip6 */
		put16(c, 0xffff);
}

int frame_build(const struct frame_spec *s, struct frame *f)
{
	size_t outer = s->vxlan ? ETH_HLEN_ + IP_HLEN_ + UDP_HLEN_ + VXLAN_HLEN_ : 0;
	size_t inner, aoff, coff, l4off;
	uint8_t *h;

	memset(f, 0, sizeof(*f));
	if (s->l4 == FRAME_NS && !s->ip6)
		return -EINVAL;
	inner = build_inner(s, f->buf + outer, FRAME_MAX - outer, &aoff, &coff, &l4off);
	if (!inner)
		return -EINVAL;
	f->len = outer + inner;
	f->addr_off = outer + aoff;
	f->ipcsum_off = coff ? outer + coff : 0;
	f->l4csum_off = l4off ? outer + l4off : 0;
	if (s->vxlan) {
		uint32_t vni = htonl(s->vni << 8);

		h = f->buf;
		put_eth(h, s->odmac, s->osmac, -1, 0x0800);
		put_udp(h + ETH_HLEN_ + IP_HLEN_, s->osport, VXLAN_PORT_,
			f->len - ETH_HLEN_ - IP_HLEN_);
		put_ipv4(h + ETH_HLEN_, s->osip, s->odip, 17, f->len - ETH_HLEN_);
		h += ETH_HLEN_ + IP_HLEN_ + UDP_HLEN_;
		h[0] = 0x08; /* I flag: the VNI is valid */
		memcpy(h + 4, &vni, 4);
	}
	if (s->truncate && s->truncate < f->len)
		f->len = s->truncate;
	return 0;
}
