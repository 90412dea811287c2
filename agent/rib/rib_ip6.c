/* rib_ip6.c - see rib_ip6.h: the RIB's table of IPv6 addresses (a slab of
 * slots, id = slot index + 1, and a hash of address -> id), and the
 * translations between a destination key and the address it stands for.
 * Storage level: it calls nothing of the RIB but the export.
 */
#include "rib_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "evpn_export.h"

struct rib_ip6_slot {
	uint8_t  a[16];
	uint32_t refs;        /* 0: free, next_free valid */
	uint32_t next_free;
};

struct rib_ip6 {
	struct hashmap by_addr;       /* uint8_t[16] -> uint32 id */
	struct rib_ip6_slot *slots;   /* slots[id - 1] */
	uint32_t cap, used, free_head, count;
};

#define NO_SLOT UINT32_MAX

int rib_ip6_init(struct rib *rib)
{
	struct rib_ip6 *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = hashmap_init(&t->by_addr, 16, sizeof(uint32_t), 0);
	if (err) {
		free(t);
		return err;
	}
	t->free_head = NO_SLOT;
	rib->ip6 = t;
	return 0;
}

void rib_ip6_free(struct rib *rib)
{
	if (!rib->ip6)
		return;
	hashmap_free(&rib->ip6->by_addr);
	free(rib->ip6->slots);
	free(rib->ip6);
	rib->ip6 = NULL;
}

static struct rib_ip6_slot *slot_of(const struct rib *rib, uint32_t ip)
{
	uint32_t id = ntohl(ip);

	if (!rib->ip6 || !rib_ip_is6(ip) || id > rib->ip6->used)
		return NULL;
	return rib->ip6->slots[id - 1].refs ? &rib->ip6->slots[id - 1] : NULL;
}

uint32_t rib_ip6_find(const struct rib *rib, const uint8_t a[16])
{
	const uint32_t *id = rib->ip6 ? hashmap_get(&rib->ip6->by_addr, a) : NULL;

	return id ? htonl(*id) : 0;
}

uint32_t rib_ip6_intern(struct rib *rib, const uint8_t a[16])
{
	struct rib_ip6 *t = rib->ip6;
	uint32_t id, idx;

	if ((id = rib_ip6_find(rib, a))) {
		slot_of(rib, id)->refs++;
		return id;
	}
	if (t->free_head != NO_SLOT) {
		idx = t->free_head;
		t->free_head = t->slots[idx].next_free;
	} else {
		if (t->used == RIB_IP6_MAX)
			return 0;
		if (t->used == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 256;
			struct rib_ip6_slot *ns;

			if (cap > RIB_IP6_MAX)
				cap = RIB_IP6_MAX;
			ns = realloc(t->slots, (size_t)cap * sizeof(*ns));
			if (!ns)
				return 0;
			t->slots = ns;
			t->cap = cap;
		}
		idx = t->used++;
	}
	id = idx + 1;
	if (!hashmap_put(&t->by_addr, a, &id, NULL)) {
		t->slots[idx].refs = 0;
		t->slots[idx].next_free = t->free_head;
		t->free_head = idx;
		return 0;
	}
	memcpy(t->slots[idx].a, a, 16);
	t->slots[idx].refs = 1;
	t->count++;
	return htonl(id);
}

void rib_ip6_put(struct rib *rib, uint32_t ip)
{
	struct rib_ip6_slot *s = slot_of(rib, ip);
	uint32_t idx;

	if (!s || --s->refs)
		return;
	idx = ntohl(ip) - 1;
	hashmap_del(&rib->ip6->by_addr, s->a);
	s->next_free = rib->ip6->free_head;
	rib->ip6->free_head = idx;
	rib->ip6->count--;
}

const uint8_t *rib_ip6_addr(const struct rib *rib, uint32_t ip)
{
	const struct rib_ip6_slot *s = slot_of(rib, ip);

	return s ? s->a : NULL;
}

uint32_t rib_ip6_count(const struct rib *rib)
{
	return rib->ip6 ? rib->ip6->count : 0;
}

/* Does k's ip stand for an IPv6 address? Type 2 with an address, and type
 * 5 (type 3 keys hold an IPv4 originator). */
static bool key_is6(const struct rib_dkey *k)
{
	return (k->type == EVPN_RT_MACIP || k->type == EVPN_RT_PREFIX) && rib_ip_is6(k->ip);
}

void rib_ip6_dest_made(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_ip6_slot *s;

	if (key_is6(k) && (s = slot_of(rib, k->ip)))
		s->refs++;
}

void rib_ip6_dest_gone(struct rib *rib, const struct rib_dkey *k)
{
	if (key_is6(k))
		rib_ip6_put(rib, k->ip);
}

void rib_ip_to_evpn(const struct rib *rib, const struct rib_dkey *k, struct evpn_ip *out)
{
	const uint8_t *a;

	memset(out, 0, sizeof(*out));
	if (k->type == EVPN_RT_MACIP && !k->plen)
		return;   /* MAC only */
	if (key_is6(k) && (a = rib_ip6_addr(rib, k->ip))) {
		out->len = 16;
		memcpy(out->v6, a, 16);
		return;
	}
	out->len = 4;
	out->v4 = k->ip;
}

const char *rib_ip_fmt(const struct rib *rib, uint32_t ip, char buf[RIB_IP_STRLEN])
{
	const uint8_t *a = rib_ip_is6(ip) ? rib_ip6_addr(rib, ip) : NULL;

	if (a)
		return addr6_fmt(a, buf);
	return addr_fmt_ip(ip, buf);
}

void rib_ip_export_set(struct rib *rib, const struct rib_dkey *k, uint32_t seq)
{
	const uint8_t *a = rib_ip_is6(k->ip) ? rib_ip6_addr(rib, k->ip) : NULL;

	if (!rib->exp)
		return;
	if (a)
		evpn_export_macip6_set(rib->exp, k->vni, k->mac, a, seq);
	else
		evpn_export_macip_set(rib->exp, k->vni, k->mac, k->ip, seq);
}

void rib_ip_export_del(struct rib *rib, const struct rib_dkey *k)
{
	const uint8_t *a = rib_ip_is6(k->ip) ? rib_ip6_addr(rib, k->ip) : NULL;

	if (!rib->exp)
		return;
	if (a)
		evpn_export_macip6_del(rib->exp, k->vni, k->mac, a);
	else
		evpn_export_macip_del(rib->exp, k->vni, k->mac, k->ip);
}
