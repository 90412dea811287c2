/* hostaddr6.c - see hostaddr6.h; hostaddr.c's design for 16-octet keys:
 * every (address, interface) pair the kernel reported, and per address how
 * many interfaces hold it, so events in any order for a shared address
 * never remove it early.
 */
#include "hostaddr6.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "addr6.h"
#include "hashmap.h"
#include "log.h"
#include "netlink.h"
#include "vtep_maps.h"

struct ha6_pair {
	uint8_t ip[16];
	int32_t ifindex;
};

struct ha6_addr {
	uint32_t holders;     /* interfaces holding the address */
	int32_t  ifindex;     /* the one the map names */
};

struct hostaddr6 {
	struct netlink *nl;
	int map_fd;
	struct hashmap pairs; /* struct ha6_pair -> nothing */
	struct hashmap addrs; /* uint8_t[16] -> struct ha6_addr */
	bool dumping;         /* a resync collects; the reconcile writes */
	bool full_warned;
};

bool hostaddr6_listed(const uint8_t ip[16])
{
	/* RFC 4291 2.5.2, 2.5.3, 2.5.6, 2.7 */
	return !addr6_is_zero(ip) && !addr6_is_loopback(ip) && !addr6_is_link_local(ip) &&
	       !addr6_is_multicast(ip);
}

static void map_write(struct hostaddr6 *ha, const uint8_t ip[16], int32_t ifindex)
{
	struct vtep_hostaddr v = { .ifindex = (__u32)ifindex };
	char a[ADDR6_STRLEN];
	int err;

	if (!bpf_map_update_elem(ha->map_fd, ip, &v, BPF_ANY))
		return;
	err = errno;
	if (err == E2BIG && ha->full_warned)
		return;
	ha->full_warned |= err == E2BIG;
	log_warn("%s: cannot list host address %s: %s%s", VTEP_MAP_HOSTADDRS6, addr6_fmt(ip, a),
		 strerror(err), err == E2BIG ? " (map full: workloads' packets to further host "
					       "addresses are dropped)" : "");
}

static void map_delete(struct hostaddr6 *ha, const uint8_t ip[16])
{
	char a[ADDR6_STRLEN];
	int err;

	if (!bpf_map_delete_elem(ha->map_fd, ip))
		return;
	err = errno;
	if (err != ENOENT)
		log_warn("%s: cannot remove host address %s: %s", VTEP_MAP_HOSTADDRS6,
			 addr6_fmt(ip, a), strerror(err));
}

static void addr_gained(struct hostaddr6 *ha, const struct ha6_pair *k)
{
	struct ha6_addr *v;
	bool created;

	v = hashmap_put(&ha->addrs, k->ip, NULL, &created);
	if (!v) {
		log_warn("host IPv6 addresses: out of memory");
		return;
	}
	v->holders++;
	if (!created)
		return;
	v->ifindex = k->ifindex;
	if (!ha->dumping)
		map_write(ha, k->ip, k->ifindex);
}

/* Another interface that holds ip, or 0 (linear, rare). */
static int32_t other_holder(const struct hostaddr6 *ha, const uint8_t ip[16])
{
	const struct ha6_pair *p;
	size_t pos = 0;

	while ((p = hashmap_next(&ha->pairs, &pos, NULL)))
		if (!memcmp(p->ip, ip, 16))
			return p->ifindex;
	return 0;
}

static void addr_lost(struct hostaddr6 *ha, const struct ha6_pair *k)
{
	struct ha6_addr *v = hashmap_get(&ha->addrs, k->ip);

	if (!v)
		return;
	if (--v->holders == 0) {
		hashmap_del(&ha->addrs, k->ip);
		if (!ha->dumping)
			map_delete(ha, k->ip);
		return;
	}
	if (v->ifindex == k->ifindex) {
		v->ifindex = other_holder(ha, k->ip);
		if (!ha->dumping)
			map_write(ha, k->ip, v->ifindex);
	}
}

static void on_addr6(void *ctx, const struct netlink_addr6 *a)
{
	struct hostaddr6 *ha = ctx;
	struct ha6_pair k;
	char s[ADDR6_STRLEN];
	bool created;

	if (!hostaddr6_listed(a->ip))
		return;
	memset(&k, 0, sizeof(k));
	memcpy(k.ip, a->ip, 16);
	k.ifindex = a->ifindex;
	if (a->deleted) {
		if (hashmap_del(&ha->pairs, &k))
			return;
		addr_lost(ha, &k);
		log_debug("host address %s gone from ifindex %d", addr6_fmt(a->ip, s), a->ifindex);
		return;
	}
	if (!hashmap_put(&ha->pairs, &k, NULL, &created)) {
		log_warn("host IPv6 addresses: out of memory");
		return;
	}
	if (!created)
		return;
	addr_gained(ha, &k);
	log_debug("host address %s on ifindex %d", addr6_fmt(a->ip, s), a->ifindex);
}

/* The map's keys that are not listed any more. */
static int remove_stale(struct hostaddr6 *ha, size_t *removed)
{
	uint8_t key[16], next[16], (*stale)[16] = NULL;
	size_t n = 0, cap = 0;
	int err;

	*removed = 0;
	err = bpf_map_get_next_key(ha->map_fd, NULL, next);
	while (!err) {
		memcpy(key, next, 16);
		if (!hashmap_get(&ha->addrs, key)) {
			if (n == cap) {
				uint8_t (*s)[16] = realloc(stale, (cap = cap ? cap * 2 : 16) * 16);

				if (!s) {
					free(stale);
					return -ENOMEM;
				}
				stale = s;
			}
			memcpy(stale[n++], key, 16);
		}
		err = bpf_map_get_next_key(ha->map_fd, key, next);
	}
	err = err == -ENOENT ? 0 : err;
	for (size_t i = 0; i < n; i++)
		map_delete(ha, stale[i]);
	*removed = n;
	free(stale);
	return err;
}

int hostaddr6_resync(struct hostaddr6 *ha)
{
	const uint8_t *ip;
	struct ha6_addr *v;
	size_t pos = 0, removed;
	int err;

	hashmap_clear(&ha->pairs);
	hashmap_clear(&ha->addrs);
	ha->dumping = true;
	err = netlink_dump_addrs6(ha->nl, on_addr6, ha);
	ha->dumping = false;
	if (err)
		return err;
	err = remove_stale(ha, &removed);
	if (err)
		log_warn("%s: cannot walk: %s", VTEP_MAP_HOSTADDRS6, strerror(-err));
	while ((ip = hashmap_next(&ha->addrs, &pos, (void **)&v)))
		map_write(ha, ip, v->ifindex);
	log_info("host IPv6 addresses: %zu listed in %s, %zu stale removed",
		 hashmap_count(&ha->addrs), VTEP_MAP_HOSTADDRS6, removed);
	return 0;
}

static void on_resync(void *ctx)
{
	hostaddr6_resync(ctx);
}

int hostaddr6_new(struct netlink *nl, int map_fd, struct hostaddr6 **out)
{
	struct hostaddr6 *ha;
	int err;

	if (map_fd < 0) {
		log_err("host IPv6 addresses: no %s map", VTEP_MAP_HOSTADDRS6);
		return -EBADF;
	}
	ha = calloc(1, sizeof(*ha));
	if (!ha) {
		log_err("host IPv6 addresses: out of memory");
		return -ENOMEM;
	}
	ha->nl = nl;
	ha->map_fd = map_fd;
	if ((err = hashmap_init(&ha->pairs, sizeof(struct ha6_pair), 0, 0)) ||
	    (err = hashmap_init(&ha->addrs, 16, sizeof(struct ha6_addr), 0)))
		goto fail;
	/* Events first, then the dump (hostaddr.c says why). */
	if ((err = netlink_watch_addrs6(nl, on_addr6, on_resync, ha)))
		goto fail;
	if ((err = hostaddr6_resync(ha))) {
		netlink_watch_addrs6(nl, NULL, NULL, NULL);
		goto fail;
	}
	*out = ha;
	return 0;
fail:
	log_err("host IPv6 addresses: %s", strerror(-err));
	hashmap_free(&ha->pairs);
	hashmap_free(&ha->addrs);
	free(ha);
	return err;
}

void hostaddr6_free(struct hostaddr6 *ha)
{
	if (!ha)
		return;
	netlink_watch_addrs6(ha->nl, NULL, NULL, NULL);
	hashmap_free(&ha->pairs);
	hashmap_free(&ha->addrs);
	free(ha);
}

size_t hostaddr6_count(const struct hostaddr6 *ha)
{
	return hashmap_count(&ha->addrs);
}
