/* hostaddr.c - see hostaddr.h.
 *
 * Two tables in memory: every (address, interface) pair the kernel reported,
 * and per address how many interfaces hold it. The map gets an entry when an
 * address gains its first holder and loses it with the last one, so events
 * in any order for a shared address never remove it early.
 */
#include "hostaddr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "hashmap.h"
#include "log.h"
#include "netlink.h"
#include "vtep_maps.h"

struct ha_pair {
	uint32_t ip;          /* network order */
	int32_t  ifindex;
};

struct ha_addr {
	uint32_t holders;     /* interfaces holding the address */
	int32_t  ifindex;     /* the one the map names */
};

struct hostaddr {
	struct netlink *nl;
	int map_fd;
	struct hashmap pairs; /* struct ha_pair -> nothing */
	struct hashmap addrs; /* ip -> struct ha_addr */
	bool dumping;         /* a resync collects; the reconcile writes */
	bool full_warned;
};

/* 127.0.0.0/8 never leaves the host: a workload cannot mean the host by it. */
static bool listed(uint32_t ip)
{
	return ip && (ntohl(ip) >> 24) != 127;
}

static void map_write(struct hostaddr *ha, uint32_t ip, int32_t ifindex)
{
	struct vtep_hostaddr v = { .ifindex = (__u32)ifindex };
	char a[ADDR_IP_STRLEN];
	int err;

	if (!bpf_map_update_elem(ha->map_fd, &ip, &v, BPF_ANY))
		return;
	err = errno;
	if (err == E2BIG && ha->full_warned)
		return;
	ha->full_warned |= err == E2BIG;
	log_warn("%s: cannot list host address %s: %s%s", VTEP_MAP_HOSTADDRS,
		 addr_fmt_ip(ip, a), strerror(err),
		 err == E2BIG ? " (map full: workloads' packets to further host addresses "
				"are dropped)" : "");
}

static void map_delete(struct hostaddr *ha, uint32_t ip)
{
	char a[ADDR_IP_STRLEN];
	int err;

	if (!bpf_map_delete_elem(ha->map_fd, &ip))
		return;
	err = errno;
	if (err != ENOENT)
		log_warn("%s: cannot remove host address %s: %s", VTEP_MAP_HOSTADDRS,
			 addr_fmt_ip(ip, a), strerror(err));
}

static void addr_gained(struct hostaddr *ha, const struct ha_pair *k)
{
	struct ha_addr *v;
	bool created;

	v = hashmap_put(&ha->addrs, &k->ip, NULL, &created);
	if (!v) {
		log_warn("host addresses: out of memory");
		return;
	}
	v->holders++;
	if (!created)
		return;
	v->ifindex = k->ifindex;
	if (!ha->dumping)
		map_write(ha, k->ip, k->ifindex);
}

/* Another interface that holds ip, or 0. Linear, but only when the one the
 * map names drops an address others still hold. */
static int32_t other_holder(const struct hostaddr *ha, uint32_t ip)
{
	const struct ha_pair *p;
	size_t pos = 0;

	while ((p = hashmap_next(&ha->pairs, &pos, NULL)))
		if (p->ip == ip)
			return p->ifindex;
	return 0;
}

static void addr_lost(struct hostaddr *ha, const struct ha_pair *k)
{
	struct ha_addr *v = hashmap_get(&ha->addrs, &k->ip);

	if (!v)
		return;
	if (--v->holders == 0) {
		hashmap_del(&ha->addrs, &k->ip);
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

static void on_addr(void *ctx, const struct netlink_addr *a)
{
	struct hostaddr *ha = ctx;
	struct ha_pair k = { .ip = a->ip, .ifindex = a->ifindex };
	char s[ADDR_IP_STRLEN];
	bool created;

	if (!listed(a->ip))
		return;
	if (a->deleted) {
		if (hashmap_del(&ha->pairs, &k))
			return;
		addr_lost(ha, &k);
		log_debug("host address %s gone from ifindex %d", addr_fmt_ip(a->ip, s),
			  a->ifindex);
		return;
	}
	if (!hashmap_put(&ha->pairs, &k, NULL, &created)) {
		log_warn("host addresses: out of memory");
		return;
	}
	if (!created)
		return;
	addr_gained(ha, &k);
	log_debug("host address %s on ifindex %d", addr_fmt_ip(a->ip, s), a->ifindex);
}

/* The map's keys that are not listed any more. */
static int remove_stale(struct hostaddr *ha, size_t *removed)
{
	uint32_t key, next, *stale = NULL;
	size_t n = 0, cap = 0;
	int err;

	*removed = 0;
	err = bpf_map_get_next_key(ha->map_fd, NULL, &next);
	while (!err) {
		key = next;
		if (!hashmap_get(&ha->addrs, &key)) {
			if (n == cap) {
				uint32_t *s = realloc(stale, (cap = cap ? cap * 2 : 16) * sizeof(*s));

				if (!s) {
					free(stale);
					return -ENOMEM;
				}
				stale = s;
			}
			stale[n++] = key;
		}
		err = bpf_map_get_next_key(ha->map_fd, &key, &next);
	}
	err = err == -ENOENT ? 0 : err;
	for (size_t i = 0; i < n; i++)
		map_delete(ha, stale[i]);
	*removed = n;
	free(stale);
	return err;
}

int hostaddr_resync(struct hostaddr *ha)
{
	const uint32_t *ip;
	struct ha_addr *v;
	size_t pos = 0, removed;
	int err;

	hashmap_clear(&ha->pairs);
	hashmap_clear(&ha->addrs);
	ha->dumping = true;
	err = netlink_dump_addrs(ha->nl, on_addr, ha);
	ha->dumping = false;
	if (err)
		return err;
	err = remove_stale(ha, &removed);
	if (err)
		log_warn("%s: cannot walk: %s", VTEP_MAP_HOSTADDRS, strerror(-err));
	while ((ip = hashmap_next(&ha->addrs, &pos, (void **)&v)))
		map_write(ha, *ip, v->ifindex);
	log_info("host addresses: %zu listed in %s, %zu stale removed", hashmap_count(&ha->addrs),
		 VTEP_MAP_HOSTADDRS, removed);
	return 0;
}

static void on_resync(void *ctx)
{
	hostaddr_resync(ctx);
}

int hostaddr_new(struct netlink *nl, int map_fd, struct hostaddr **out)
{
	struct hostaddr *ha;
	int err;

	if (map_fd < 0) {
		log_err("host addresses: no %s map", VTEP_MAP_HOSTADDRS);
		return -EBADF;
	}
	ha = calloc(1, sizeof(*ha));
	if (!ha) {
		log_err("host addresses: out of memory");
		return -ENOMEM;
	}
	ha->nl = nl;
	ha->map_fd = map_fd;
	if ((err = hashmap_init(&ha->pairs, sizeof(struct ha_pair), 0, 0)) ||
	    (err = hashmap_init(&ha->addrs, sizeof(uint32_t), sizeof(struct ha_addr), 0)))
		goto fail;
	/* Events first, then the dump: a change made in between arrives as an
	 * event after the dump, and replaying events in order converges. */
	if ((err = netlink_watch_addrs(nl, on_addr, on_resync, ha)))
		goto fail;
	if ((err = hostaddr_resync(ha))) {
		netlink_watch_addrs(nl, NULL, NULL, NULL);
		goto fail;
	}
	*out = ha;
	return 0;
fail:
	log_err("host addresses: %s", strerror(-err));
	hashmap_free(&ha->pairs);
	hashmap_free(&ha->addrs);
	free(ha);
	return err;
}

void hostaddr_free(struct hostaddr *ha)
{
	if (!ha)
		return;
	netlink_watch_addrs(ha->nl, NULL, NULL, NULL);
	hashmap_free(&ha->pairs);
	hashmap_free(&ha->addrs);
	free(ha);
}

size_t hostaddr_count(const struct hostaddr *ha)
{
	return hashmap_count(&ha->addrs);
}
