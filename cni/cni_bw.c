/* cni_bw.c - see cni_bw.h. */
#include "cni_bw.h"

#include <string.h>

#include "portrate.h"

/* A key of bandwidth: a non-negative integer up to max, 0 when absent.
 * json-c reads integers past INT64_MAX as INT64_MAX and past UINT64_MAX as
 * UINT64_MAX (json_object_get_uint64), so anything too large stays too
 * large; a number with a fraction or exponent is a double: refused. */
static int key_u64(struct json_object *bw, const char *key, uint64_t max, uint64_t *out,
		   struct cni_err *e)
{
	struct json_object *v;
	int64_t x;

	*out = 0;
	if (!json_object_object_get_ex(bw, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return cni_fail(e, CNI_ECONFIG, "runtimeConfig.bandwidth.%s: expected an integer "
				"0..%llu", key, (unsigned long long)max);
	x = json_object_get_int64(v);
	if (x < 0 || (x == INT64_MAX && json_object_get_uint64(v) > (uint64_t)max) ||
	    (uint64_t)x > max)
		return cni_fail(e, CNI_ECONFIG, "runtimeConfig.bandwidth.%s: %s is not in 0..%llu",
				key, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
				(unsigned long long)max);
	*out = (uint64_t)x;
	return 0;
}

int cni_bw_parse(struct json_object *runtime_config, struct cni_bw *out, struct cni_err *e)
{
	static const char *const keys[] = { "ingressRate", "ingressBurst", "egressRate",
					    "egressBurst", NULL };
	struct json_object *bw;
	uint64_t ignored;

	memset(out, 0, sizeof(*out));
	if (!runtime_config || !json_object_is_type(runtime_config, json_type_object) ||
	    !json_object_object_get_ex(runtime_config, "bandwidth", &bw) ||
	    json_object_is_type(bw, json_type_null))
		return 0;
	if (!json_object_is_type(bw, json_type_object))
		return cni_fail(e, CNI_ECONFIG, "runtimeConfig.bandwidth: expected an object "
				"{ingressRate, ingressBurst, egressRate, egressBurst}");
	json_object_object_foreach(bw, key, val) {
		const char *const *k;

		(void)val;
		for (k = keys; *k && strcmp(*k, key); k++)
			;
		if (!*k)
			return cni_fail(e, CNI_ECONFIG, "runtimeConfig.bandwidth: unknown key "
					"\"%.64s\" (ingressRate, ingressBurst, egressRate, "
					"egressBurst)", key);
	}
	/* The ingress pair is the bandwidth plugin's (its tbf): only its
	 * shape here. */
	if (key_u64(bw, "ingressRate", PORTRATE_MAX_RATE, &ignored, e) ||
	    key_u64(bw, "ingressBurst", PORTRATE_MAX_BURST_BITS, &ignored, e) ||
	    key_u64(bw, "egressRate", PORTRATE_MAX_RATE, &out->egress_rate, e) ||
	    key_u64(bw, "egressBurst", PORTRATE_MAX_BURST_BITS, &out->egress_burst, e))
		return -CNI_ECONFIG;
	if (out->egress_rate && out->egress_rate < PORTRATE_MIN_RATE)
		return cni_fail(e, CNI_ECONFIG, "runtimeConfig.bandwidth.egressRate: %llu bits/s "
				"is below the smallest limit, %llu (0: no limit)",
				(unsigned long long)out->egress_rate,
				(unsigned long long)PORTRATE_MIN_RATE);
	/* A burst alone limits nothing (runtimes send their burst with a
	 * rate of 0 for a pod without the annotation). */
	if (!out->egress_rate)
		out->egress_burst = 0;
	return 0;
}
