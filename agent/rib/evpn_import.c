/* evpn_import.c - see evpn_import.h.
 *
 * Two tables make the import O(route targets): explicit route target (8
 * octets) -> first VNI index that imports it, and for "auto" VNIs, VNI ->
 * index. A received route target is looked up as a whole in the first, and
 * its local administrator part (every form config_vni_imports_rt() accepts)
 * in the second; config_vni_imports_rt() then confirms, so the rule lives
 * in one place.
 */
#include "evpn_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_attr.h"
#include "config.h"
#include "hashmap.h"

#define IMP_NONE UINT32_MAX

struct evpn_import {
	struct cfg_vni *vnis;     /* configuration order */
	uint32_t *ids;
	size_t n;
	struct hashmap explicit_rt; /* uint8_t[8] -> uint32 index of the first VNI */
	struct hashmap auto_vni;    /* uint32 vni -> uint32 index */
	struct hashmap by_vni;      /* uint32 vni -> uint32 index (all VNIs) */
};

int evpn_import_new(const struct vtep_config *cfg, struct evpn_import **out)
{
	struct evpn_import *imp = calloc(1, sizeof(*imp));
	int err = 0;
	size_t i;

	if (!imp)
		return -ENOMEM;
	err = hashmap_init(&imp->explicit_rt, 8, sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&imp->auto_vni, sizeof(uint32_t), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&imp->by_vni, sizeof(uint32_t), sizeof(uint32_t), 0);
	if (!err && cfg->n_vnis) {
		imp->vnis = calloc(cfg->n_vnis, sizeof(*imp->vnis));
		imp->ids = calloc(cfg->n_vnis, sizeof(*imp->ids));
		if (!imp->vnis || !imp->ids)
			err = -ENOMEM;
	}
	for (i = 0; !err && i < cfg->n_vnis; i++) {
		const struct cfg_vni *v = &cfg->vnis[i];
		uint32_t idx = (uint32_t)i;
		bool created;

		imp->vnis[i] = *v;
		imp->ids[i] = v->vni;
		if (!hashmap_put(&imp->by_vni, &v->vni, &idx, NULL)) {
			err = -ENOMEM;
			break;
		}
		if (v->rt_auto) {
			if (!hashmap_put(&imp->auto_vni, &v->vni, &idx, NULL))
				err = -ENOMEM;
		} else {
			uint32_t *cur = hashmap_put(&imp->explicit_rt, v->route_target, NULL,
						    &created);

			if (!cur)
				err = -ENOMEM;
			else if (created)
				*cur = idx; /* the first VNI in config order keeps it */
		}
	}
	imp->n = cfg->n_vnis;
	if (err) {
		evpn_import_free(imp);
		return err;
	}
	*out = imp;
	return 0;
}

void evpn_import_free(struct evpn_import *imp)
{
	if (!imp)
		return;
	hashmap_free(&imp->explicit_rt);
	hashmap_free(&imp->auto_vni);
	hashmap_free(&imp->by_vni);
	free(imp->vnis);
	free(imp->ids);
	free(imp);
}

/* The candidate "auto" VNI a route target names by its local part (the forms
 * of config_vni_imports_rt()), or 0. An AS2 target's 4-octet local part is
 * either the VNI or RFC 8365 5.1.2.1's A=0/Type=1/D-ID/VNI. */
static uint32_t rt_local_vni(const uint8_t rt[8], uint32_t *alt)
{
	uint32_t la;

	*alt = 0;
	if (rt[1] != BGP_EXT_SUB_RT)
		return 0;
	switch (rt[0]) {
	case BGP_EXT_TYPE_AS2:
		la = (uint32_t)rt[4] << 24 | (uint32_t)rt[5] << 16 | (uint32_t)rt[6] << 8 | rt[7];
		if ((la >> 28) == 0x1)
			*alt = la & 0xffffff;
		return la;
	case BGP_EXT_TYPE_IP4:
	case BGP_EXT_TYPE_AS4:
		return (uint32_t)rt[6] << 8 | rt[7];
	}
	return 0;
}

/* Records VNI index idx as importing (best = lowest index; label = its VNI
 * is the label's). */
static void consider(const struct evpn_import *imp, uint32_t idx, const uint8_t rt[8],
		     uint32_t label_vni, uint32_t *best, bool *label_hit)
{
	if (idx >= imp->n || !config_vni_imports_rt(&imp->vnis[idx], rt))
		return;
	if (imp->ids[idx] == label_vni)
		*label_hit = true;
	if (*best == IMP_NONE || idx < *best)
		*best = idx;
}

uint32_t evpn_import_vni(const struct evpn_import *imp, const uint8_t *ext, size_t n_ext,
			 uint32_t label_vni)
{
	uint32_t best = IMP_NONE;
	bool label_hit = false;
	size_t i;

	for (i = 0; i < n_ext && !label_hit; i++) {
		const uint8_t *rt = ext + i * 8;
		const uint32_t *idx;
		uint32_t v, alt;

		if (rt[1] != BGP_EXT_SUB_RT || rt[0] > BGP_EXT_TYPE_AS4)
			continue;
		if ((idx = hashmap_get(&imp->explicit_rt, rt))) {
			/* Several VNIs may share an explicit target: the label
			 * decides among them. */
			const uint32_t *lidx = hashmap_get(&imp->by_vni, &label_vni);

			if (lidx && !imp->vnis[*lidx].rt_auto &&
			    !memcmp(imp->vnis[*lidx].route_target, rt, 8))
				consider(imp, *lidx, rt, label_vni, &best, &label_hit);
			consider(imp, *idx, rt, label_vni, &best, &label_hit);
		}
		v = rt_local_vni(rt, &alt);
		if (v && (idx = hashmap_get(&imp->auto_vni, &v)))
			consider(imp, *idx, rt, label_vni, &best, &label_hit);
		if (alt && (idx = hashmap_get(&imp->auto_vni, &alt)))
			consider(imp, *idx, rt, label_vni, &best, &label_hit);
	}
	if (label_hit)
		return label_vni;
	return best == IMP_NONE ? 0 : imp->ids[best];
}

bool evpn_import_vni_has_rt(const struct evpn_import *imp, uint32_t vni, const uint8_t rt[8])
{
	const uint32_t *idx = hashmap_get(&imp->by_vni, &vni);

	return idx && config_vni_imports_rt(&imp->vnis[*idx], rt);
}

size_t evpn_import_vnis(const struct evpn_import *imp, const uint32_t **vnis)
{
	*vnis = imp->ids;
	return imp->n;
}

bool evpn_import_has_vni(const struct evpn_import *imp, uint32_t vni)
{
	return hashmap_get(&imp->by_vni, &vni) != NULL;
}

bool evpn_import_equal(const struct evpn_import *a, const struct evpn_import *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct cfg_vni *x = &a->vnis[i], *y = &b->vnis[i];

		if (x->vni != y->vni || x->rt_auto != y->rt_auto ||
		    (!x->rt_auto && memcmp(x->route_target, y->route_target, 8)))
			return false;
	}
	return true;
}
