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

/* The inner frame at b (room bytes); returns its length or 0. */
static size_t build_inner(const struct frame_spec *s, uint8_t *b, size_t room,
			  size_t *addr_off, size_t *ipcsum_off)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t l2, len;

	if (room < s->size || room < ETH_HLEN_ + VLAN_HLEN_ + ARP_LEN_ ||
	    room < ETH_HLEN_ + VLAN_HLEN_ + IP_HLEN_ + UDP_HLEN_)
		return 0;
	memset(b, 0, room);
	if (s->arp) {
		static const uint8_t zero[6];
		uint8_t *a;

		l2 = put_eth(b, s->dmac[0] | s->dmac[1] | s->dmac[2] | s->dmac[3] |
			     s->dmac[4] | s->dmac[5] ? s->dmac : bcast,
			     s->smac, s->vlan, 0x0806);
		a = b + l2;
		put16(a, 1);          /* htype Ethernet */
		put16(a + 2, 0x0800); /* ptype IPv4 */
		a[4] = 6;
		a[5] = 4;
		put16(a + 6, 1);      /* request */
		memcpy(a + 8, s->smac, 6);
		memcpy(a + 14, &s->sip, 4);
		memcpy(a + 18, zero, 6);
		memcpy(a + 24, &s->dip, 4);
		*addr_off = l2 + 24;
		*ipcsum_off = 0;
		len = l2 + ARP_LEN_;
	} else {
		l2 = put_eth(b, s->dmac, s->smac, s->vlan, 0x0800);
		len = s->size > l2 + IP_HLEN_ + UDP_HLEN_ ? s->size : l2 + IP_HLEN_ + UDP_HLEN_;
		put_udp(b + l2 + IP_HLEN_, s->sport, s->dport, len - l2 - IP_HLEN_);
		put_ipv4(b + l2, s->sip, s->dip, 17, len - l2);
		*addr_off = l2 + 16;
		*ipcsum_off = l2;
	}
	if (len < s->size)
		len = s->size;
	if (s->ethertype >= 0)
		put16(b + l2 - 2, (uint16_t)s->ethertype);
	return len;
}

int frame_build(const struct frame_spec *s, struct frame *f)
{
	size_t outer = s->vxlan ? ETH_HLEN_ + IP_HLEN_ + UDP_HLEN_ + VXLAN_HLEN_ : 0;
	size_t inner, aoff, coff;
	uint8_t *h;

	memset(f, 0, sizeof(*f));
	inner = build_inner(s, f->buf + outer, FRAME_MAX - outer, &aoff, &coff);
	if (!inner)
		return -EINVAL;
	f->len = outer + inner;
	f->addr_off = outer + aoff;
	f->ipcsum_off = coff ? outer + coff : 0;
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
