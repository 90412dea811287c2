/* mapdump6.c - the IPv6 maps' dumps (mapdump.h): vtep_routes6 and
 * vtep_prefixes6 as route rows, the IPv6 neighbours (every host route of
 * vtep_routes6 with a MAC), and the joins that sort both families' rows
 * into one table. */
#include "mapdump.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int mapdump_routes6(int routes6_fd, int prefixes6_fd, struct mapdump_route **out, size_t *n)
{
	struct vtep_route6_key *hk = NULL;
	struct vtep_prefix6_key *pk = NULL;
	struct vtep_route *hv = NULL, *pv = NULL;
	struct mapdump_route *rows = NULL;
	size_t nh = 0, np = 0, cnt = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (routes6_fd >= 0 &&
	    (ret = mapdump_all(routes6_fd, sizeof(*hk), sizeof(*hv), (void **)&hk, (void **)&hv,
			       &nh)))
		goto out;
	if (prefixes6_fd >= 0 &&
	    (ret = mapdump_all(prefixes6_fd, sizeof(*pk), sizeof(*pv), (void **)&pk, (void **)&pv,
			       &np)))
		goto out;
	rows = calloc(nh + np + 1, sizeof(*rows));
	if (!rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nh; i++) {
		rows[cnt] = (struct mapdump_route){ .vni = hk[i].vni, .prefixlen = 128, .v6 = true,
						    .v = hv[i] };
		memcpy(rows[cnt++].ip6, hk[i].ip, 16);
	}
	for (size_t i = 0; i < np; i++) {
		/* prefixlen counts the 32 VNI bits (vtep_maps.h). */
		if (pk[i].prefixlen < 32 || pk[i].prefixlen > 32 + 128)
			continue;
		rows[cnt] = (struct mapdump_route){ .vni = ntohl(pk[i].vni), .v6 = true,
						    .prefixlen = (uint8_t)(pk[i].prefixlen - 32),
						    .v = pv[i] };
		memcpy(rows[cnt++].ip6, pk[i].ip, 16);
	}
	*out = rows;
	*n = cnt;
	rows = NULL;
	mapdump_routes_join(out, n, NULL, 0);
out:
	free(rows);
	free(hk);
	free(hv);
	free(pk);
	free(pv);
	return ret;
}

static int cmp_route(const void *a, const void *b)
{
	const struct mapdump_route *x = a, *y = b;
	int c = cmp_u32(x->vni, y->vni) ?: cmp_u32(x->v6, y->v6);

	if (!c)
		c = x->v6 ? memcmp(x->ip6, y->ip6, 16) : cmp_u32(ntohl(x->ip), ntohl(y->ip));
	return c ?: cmp_u32(x->prefixlen, y->prefixlen);
}

int mapdump_routes_join(struct mapdump_route **a, size_t *na, struct mapdump_route *b, size_t nb)
{
	if (nb) {
		struct mapdump_route *r = realloc(*a, (*na + nb) * sizeof(*r));

		if (!r) {
			free(b);
			return -ENOMEM;
		}
		memcpy(r + *na, b, nb * sizeof(*b));
		*a = r;
		*na += nb;
	}
	free(b);
	if (*na)
		qsort(*a, *na, sizeof(**a), cmp_route);
	return 0;
}

int mapdump_neigh6(int routes6_fd, struct mapdump_neigh **out, size_t *n)
{
	struct vtep_route6_key *k = NULL;
	struct vtep_route *v = NULL;
	struct mapdump_neigh *rows;
	size_t cnt = 0, m = 0;
	int ret;

	*out = NULL;
	*n = 0;
	ret = mapdump_all(routes6_fd, sizeof(*k), sizeof(*v), (void **)&k, (void **)&v, &cnt);
	if (ret)
		return ret;
	rows = calloc(cnt ? cnt : 1, sizeof(*rows));
	if (!rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		static const uint8_t zero[6];

		if (!memcmp(v[i].mac, zero, 6))
			continue; /* a local port whose MAC is not learned yet */
		rows[m].k.vni = k[i].vni;
		rows[m].v6 = true;
		memcpy(rows[m].ip6, k[i].ip, 16);
		memcpy(rows[m].v.mac, v[i].mac, 6);
		rows[m].v.source = v[i].source;
		rows[m].v.flags = v[i].flags;
		m++;
	}
	*out = rows;
	*n = m;
	mapdump_neigh_join(out, n, NULL, 0);
out:
	free(k);
	free(v);
	return ret;
}

static int cmp_neigh(const void *a, const void *b)
{
	const struct mapdump_neigh *x = a, *y = b;
	int c = cmp_u32(x->k.vni, y->k.vni) ?: cmp_u32(x->v6, y->v6);

	if (!c)
		c = x->v6 ? memcmp(x->ip6, y->ip6, 16) : cmp_u32(ntohl(x->k.ip), ntohl(y->k.ip));
	return c;
}

int mapdump_neigh_join(struct mapdump_neigh **a, size_t *na, struct mapdump_neigh *b, size_t nb)
{
	if (nb) {
		struct mapdump_neigh *r = realloc(*a, (*na + nb) * sizeof(*r));

		if (!r) {
			free(b);
			return -ENOMEM;
		}
		memcpy(r + *na, b, nb * sizeof(*b));
		*a = r;
		*na += nb;
	}
	free(b);
	if (*na)
		qsort(*a, *na, sizeof(**a), cmp_neigh);
	return 0;
}
