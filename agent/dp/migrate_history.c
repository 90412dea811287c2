/* migrate_history.c - every map layout vtepd has released, as the steps
 * that convert one layout's entries to the next (migrate.h).
 *
 * Layout 1 -> 2 (IPv6 and route scale, include/vtep_maps.h):
 *   vtep_vnis   36 -> 76 bytes: the old fields keep their offsets (layout
 *               1's pad0, always zero, is now prefixlen6: no IPv6); the
 *               IPv6 subnet, gateway, L3VNI and flags2 start zeroed;
 *   vtep_ports  32 -> 64 bytes: the IPv6 addresses start zeroed (vtepd
 *               rewrites every port at its first reconcile anyway);
 *   vtep_neigh  removed: the ARP proxy answers from the host route's MAC;
 *   vtep_fdb    same layout; its remote MAC+IP entries are no longer wanted
 *               and go at the first reconcile (static) or when the BGP side
 *               adopts the maps (BGP), after the new programs run.
 * New maps (vtep_routes6, vtep_prefixes6, vtep_hostaddrs6) are created empty.
 */
#include "migrate.h"

#include <string.h>

#include "vtep_maps.h"

/* The layout 1 sizes, frozen here: vtep_maps.h only knows the current. */
#define V1_VNI_SIZE  36
#define V1_PORT_SIZE 32

static int v1_prefix_copy(const void *okey, const void *oval, void *nkey, void *nval, size_t ks,
			  size_t vs)
{
	memcpy(nkey, okey, ks);
	memcpy(nval, oval, vs); /* the rest of the new value stays zeroed */
	return 0;
}

static int v1_vni(const void *okey, const void *oval, void *nkey, void *nval)
{
	return v1_prefix_copy(okey, oval, nkey, nval, sizeof(__u32), V1_VNI_SIZE);
}

static int v1_port(const void *okey, const void *oval, void *nkey, void *nval)
{
	return v1_prefix_copy(okey, oval, nkey, nval, sizeof(__u32), V1_PORT_SIZE);
}

_Static_assert(sizeof(struct vtep_vni) > V1_VNI_SIZE, "vtep_vni grew");
_Static_assert(sizeof(struct vtep_port) > V1_PORT_SIZE, "vtep_port grew");

static const struct migrate_conv v1_to_v2[] = {
	{ VTEP_MAP_VNIS, 0, sizeof(__u32), V1_VNI_SIZE, sizeof(__u32), sizeof(struct vtep_vni),
	  v1_vni },
	{ VTEP_MAP_PORTS, 0, sizeof(__u32), V1_PORT_SIZE, sizeof(__u32), sizeof(struct vtep_port),
	  v1_port },
};

static const char *const v1_removed[] = { "vtep_neigh", NULL };

static const struct migrate_step steps[] = {
	{ .from = 1, .convs = v1_to_v2, .n_convs = sizeof(v1_to_v2) / sizeof(v1_to_v2[0]),
	  .removed = v1_removed },
};

const struct migrate_table migrate_history = {
	.current = VTEP_LAYOUT_VERSION,
	.steps = steps,
	.n_steps = sizeof(steps) / sizeof(steps[0]),
};
