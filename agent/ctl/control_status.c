/* control_status.c - the status reply (vtepctl status): what the kernel can
 * run, the mode of each uplink, the entries full maps hold back and the
 * state of the route cache and the flat route table, as the daemon's status
 * operation reports them (struct uplink_status). The same JSON, without maps
 * and route_lookup, is vtepd --probe -j's output. */
#include "control_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"

static struct json_object *features_json(const struct probe_set *k, bool notes)
{
	struct json_object *o = json_object_new_object();
	int f;

	for (f = 0; o && f < PROBE_F_COUNT; f++) {
		if (!notes)
			json_object_object_add(o, probe_name(f), json_object_new_boolean(k->have[f]));
		else if (k->note[f][0])
			json_object_object_add(o, probe_name(f), json_object_new_string(k->note[f]));
	}
	return o;
}

static struct json_object *uplink_json(const struct uplink_info *u)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "ifname", json_object_new_string(u->ifname));
	json_object_object_add(o, "ifindex", json_object_new_int(u->ifindex));
	json_object_object_add(o, "attached", json_object_new_boolean(u->attached));
	json_object_object_add(o, "mode", json_object_new_string(uplink_mode_name(u->mode)));
	json_object_object_add(o, "generic", json_object_new_boolean(u->generic));
	json_object_object_add(o, "reason", json_object_new_string(u->reason));
	return o;
}

struct json_object *control_status_json(const struct uplink_status *st)
{
	struct json_object *o = json_object_new_object(), *ups = json_object_new_array();
	size_t i;

	if (!o || !ups) {
		json_object_put(o);
		json_object_put(ups);
		return NULL;
	}
	json_object_object_add(o, "version", json_object_new_string(VTEP_VERSION));
	json_object_object_add(o, "features", features_json(&st->features, false));
	json_object_object_add(o, "feature_notes", features_json(&st->features, true));
	json_object_object_add(o, "xdp_program", json_object_new_string(st->xdp_program));
	json_object_object_add(o, "test_override", json_object_new_boolean(st->test_override));
	for (i = 0; i < st->n_uplinks; i++)
		json_object_array_add(ups, uplink_json(&st->uplinks[i]));
	json_object_object_add(o, "uplinks", ups);
	if (st->n_maps) {
		struct json_object *maps = json_object_new_array();

		for (i = 0; maps && i < st->n_maps; i++) {
			struct json_object *m = json_object_new_object();

			if (!m)
				break;
			json_object_object_add(m, "map", json_object_new_string(st->maps[i].map));
			json_object_object_add(m, "capacity",
					       json_object_new_int64(st->maps[i].capacity));
			json_object_object_add(m, "pending",
					       json_object_new_int64((int64_t)st->maps[i].pending));
			json_object_array_add(maps, m);
		}
		json_object_object_add(o, "maps", maps);
	}
	if (st->lookup.have) {
		struct json_object *l = json_object_new_object(), *c = json_object_new_object(),
				   *t = json_object_new_object();

		if (!l || !c || !t) {
			json_object_put(l);
			json_object_put(c);
			json_object_put(t);
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(c, "on", json_object_new_boolean(st->lookup.cache_on));
		json_object_object_add(c, "entries_per_cpu",
				       json_object_new_int64(st->lookup.cache_entries));
		json_object_object_add(c, "gen", json_object_new_int64(st->lookup.cache_gen));
		json_object_object_add(t, "on", json_object_new_boolean(st->lookup.table_on));
		json_object_object_add(t, "lines", json_object_new_int64(st->lookup.table_lines));
		json_object_object_add(t, "routes",
				       json_object_new_int64((int64_t)st->lookup.table_routes));
		json_object_object_add(l, "route_cache", c);
		json_object_object_add(l, "flat_table", t);
		json_object_object_add(o, "route_lookup", l);
	}
	return o;
}

int control_do_status(struct req *r)
{
	static const char *const keys[] = { NULL };
	struct uplink_status st;
	int ret;

	if (control_check_keys(r, keys))
		return -EINVAL;
	if (!r->ops->status) {
		snprintf(r->err, sizeof(r->err), "status is not available");
		return -EOPNOTSUPP;
	}
	ret = r->ops->status(r->d, &st);
	if (ret) {
		snprintf(r->err, sizeof(r->err), "status: %s", strerror(-ret));
		return ret;
	}
	r->data = control_status_json(&st);
	return r->data ? 0 : -ENOMEM;
}
