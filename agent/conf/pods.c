/* pods.c - the pods' records in memory (pods.h); pods_file.c reads and
 * writes them. */
#include "pods.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "portrate.h"

static int bad(char *err, const char *fmt, const char *what)
{
	snprintf(err, CFG_ERR_LEN, fmt, what);
	return -EINVAL;
}

/* Text fields from outside (the plugin, CNI_ARGS) end up in logs and
 * JSON: printable ASCII only. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

int pods_check(const struct pod *p, char err[CFG_ERR_LEN])
{
	if (!cniname_id_valid(p->container_id))
		return bad(err, "%s: not a CNI container id", "container_id");
	if (!cniname_ifname_valid(p->ifname))
		return bad(err, "%s: not an interface name", "ifname");
	if (!cniname_ifname_valid(p->host_ifname))
		return bad(err, "%s: not an interface name", "host_ifname");
	if (p->netns[0] && (p->netns[0] != '/' || !printable(p->netns)))
		return bad(err, "%s: not an absolute path", "netns");
	if (!p->network[0] || !printable(p->network))
		return bad(err, "%s: not a network name", "network");
	if (!printable(p->k8s_namespace) || !printable(p->k8s_name) || !printable(p->k8s_uid))
		return bad(err, "%s: not printable text", "k8s");
	if (p->vni < 1 || p->vni > 16777215u)
		return bad(err, "%s: not 1..16777215", "vni");
	if (!p->ip && addr6_is_zero(p->ip6))
		return bad(err, "%s: neither ip nor ip6", "ip");
	if (!addr6_is_zero(p->ip6) && !addr6_is_host(p->ip6))
		return bad(err, "%s: not a unicast host address", "ip6");
	if (addr_mac_is_zero(p->mac) || (p->mac[0] & 1))
		return bad(err, "%s: not a unicast MAC", "mac");
	if (p->mtu < 68 || p->mtu > 65535)
		return bad(err, "%s: not 68..65535", "mtu");
	if (p->egress_rate && (p->egress_rate < PORTRATE_MIN_RATE ||
			       p->egress_rate > PORTRATE_MAX_RATE))
		return bad(err, "%s: not 1000..1000000000000000 bits per second", "egress_rate");
	if (p->egress_burst > PORTRATE_MAX_BURST_BITS || (p->egress_burst && !p->egress_rate))
		return bad(err, "%s: not 1..34359738360 bits with an egress_rate", "egress_burst");
	return 0;
}

struct pod *pods_find(const struct pods *ps, const char *container_id, const char *ifname)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].container_id, container_id) && !strcmp(ps->v[i].ifname, ifname))
			return &ps->v[i];
	return NULL;
}

struct pod *pods_by_ip(const struct pods *ps, uint32_t ip)
{
	for (size_t i = 0; ip && i < ps->n; i++)
		if (ps->v[i].ip == ip)
			return &ps->v[i];
	return NULL;
}

struct pod *pods_by_ip6(const struct pods *ps, const uint8_t ip6[16])
{
	for (size_t i = 0; !addr6_is_zero(ip6) && i < ps->n; i++)
		if (!memcmp(ps->v[i].ip6, ip6, 16))
			return &ps->v[i];
	return NULL;
}

struct pod *pods_by_host_ifname(const struct pods *ps, const char *host_ifname)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].host_ifname, host_ifname))
			return &ps->v[i];
	return NULL;
}

int pods_put(struct pods *ps, const struct pod *p)
{
	struct pod *cur = pods_find(ps, p->container_id, p->ifname), *nv;

	if (cur) {
		*cur = *p;
		return 0;
	}
	nv = realloc(ps->v, (ps->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	ps->v = nv;
	ps->v[ps->n++] = *p;
	return 0;
}

bool pods_remove(struct pods *ps, const char *container_id, const char *ifname)
{
	struct pod *p = pods_find(ps, container_id, ifname);
	size_t i;

	if (!p)
		return false;
	i = (size_t)(p - ps->v);
	memmove(&ps->v[i], &ps->v[i + 1], (ps->n - i - 1) * sizeof(*p));
	ps->n--;
	return true;
}

void pods_free(struct pods *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}
