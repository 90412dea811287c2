/* cni_args.c - see cni_args.h. */
#include "cni_args.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct known {
	const char *key;
	size_t off, size;
};

#define K(name, field) { name, offsetof(struct cni_args, field), \
			 sizeof(((struct cni_args *)0)->field) }
static const struct known known[] = {
	K("K8S_POD_NAMESPACE", k8s_namespace),
	K("K8S_POD_NAME", k8s_name),
	K("K8S_POD_UID", k8s_uid),
	K("K8S_POD_INFRA_CONTAINER_ID", k8s_infra_id),
};
#undef K

/* Values are printable ASCII without ';' (the separator) and '='. */
static bool value_ok(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)v[i]) || v[i] == '=')
			return false;
	return true;
}

static bool key_ok(const char *k, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '_' && k[i] != '-' && k[i] != '.')
			return false;
	return true;
}

/* IgnoreUnknown's value as the reference plugins read it: a boolean
 * ("1", "true", ...); anything else is malformed. */
static int parse_bool(const char *v, size_t n, bool *out)
{
	if ((n == 1 && v[0] == '1') || (n == 4 && !strncasecmp(v, "true", 4)))
		*out = true;
	else if ((n == 1 && v[0] == '0') || (n == 5 && !strncasecmp(v, "false", 5)))
		*out = false;
	else
		return -1;
	return 0;
}

struct pair {
	const char *k, *v;
	size_t kn, vn;
};

/* Splits "K=V;K=V" into at most max pairs. Returns how many, or -1. */
static int split(const char *s, struct pair *p, int max, struct cni_err *e)
{
	int n = 0;

	while (*s) {
		const char *end = strchr(s, ';'), *eq;

		if (!end)
			end = s + strlen(s);
		if (end == s) {            /* ";;" or a trailing ';' */
			s = *end ? end + 1 : end;
			continue;
		}
		eq = memchr(s, '=', (size_t)(end - s));
		if (n == max)
			return cni_fail(e, CNI_EENV, "CNI_ARGS: more than %d pairs", max), -1;
		if (!eq)
			return cni_fail(e, CNI_EENV, "CNI_ARGS: \"%.*s\" is not KEY=VALUE",
					(int)(end - s > 64 ? 64 : end - s), s), -1;
		p[n] = (struct pair){ s, eq + 1, (size_t)(eq - s), (size_t)(end - eq - 1) };
		if (!key_ok(p[n].k, p[n].kn) || !value_ok(p[n].v, p[n].vn))
			return cni_fail(e, CNI_EENV, "CNI_ARGS: bad key or value in \"%.*s\"",
					(int)(end - s > 64 ? 64 : end - s), s), -1;
		for (int i = 0; i < n; i++)
			if (p[i].kn == p[n].kn && !memcmp(p[i].k, p[n].k, p[n].kn))
				return cni_fail(e, CNI_EENV, "CNI_ARGS: %.*s given twice",
						(int)p[n].kn, p[n].k), -1;
		n++;
		s = *end ? end + 1 : end;
	}
	return n;
}

static const struct known *find_known(const struct pair *p)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].key) == p->kn && !memcmp(known[i].key, p->k, p->kn))
			return &known[i];
	return NULL;
}

int cni_args_parse(const char *s, struct cni_args *a, struct cni_err *e)
{
	struct pair p[32];
	int n;

	memset(a, 0, sizeof(*a));
	if (!s || !*s)
		return 0;
	n = split(s, p, 32, e);
	if (n < 0)
		return -CNI_EENV;
	/* IgnoreUnknown first: it applies to keys before it too. */
	for (int i = 0; i < n; i++)
		if (p[i].kn == 13 && !memcmp(p[i].k, "IgnoreUnknown", 13) &&
		    parse_bool(p[i].v, p[i].vn, &a->ignore_unknown))
			return cni_fail(e, CNI_EENV, "CNI_ARGS: IgnoreUnknown=%.*s is not a boolean",
					(int)(p[i].vn > 16 ? 16 : p[i].vn), p[i].v);
	for (int i = 0; i < n; i++) {
		const struct known *k = find_known(&p[i]);

		if (k) {
			if (p[i].vn >= k->size)
				return cni_fail(e, CNI_EENV, "CNI_ARGS: %s is longer than %zu "
						"characters", k->key, k->size - 1);
			memcpy((char *)a + k->off, p[i].v, p[i].vn);
			((char *)a + k->off)[p[i].vn] = '\0';
		} else if (!(p[i].kn == 13 && !memcmp(p[i].k, "IgnoreUnknown", 13)) &&
			   !a->ignore_unknown) {
			return cni_fail(e, CNI_EFIELD, "CNI_ARGS: unknown argument %.*s=%.*s "
					"(IgnoreUnknown=1 lets unknown arguments pass)",
					(int)(p[i].kn > 64 ? 64 : p[i].kn), p[i].k,
					(int)(p[i].vn > 64 ? 64 : p[i].vn), p[i].v);
		}
	}
	return 0;
}
