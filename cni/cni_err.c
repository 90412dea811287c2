/* cni_err.c - see cni_err.h. */
#include "cni_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "cni_ver.h"

const char *cni_code_msg(int code)
{
	switch (code) {
	case CNI_EVERSION:     return "incompatible CNI version";
	case CNI_EFIELD:       return "unsupported field in network configuration";
	case CNI_EUNKNOWN:     return "container unknown or does not exist";
	case CNI_EENV:         return "invalid environment variables";
	case CNI_EIO:          return "I/O failure";
	case CNI_EDECODE:      return "failed to decode content";
	case CNI_ECONFIG:      return "invalid network config";
	case CNI_ETRYAGAIN:    return "try again later";
	case CNI_EUNAVAILABLE: return "plugin not available";
	case CNI_EUNAVAILABLE_NET:
		return "plugin not available, existing containers may have limited connectivity";
	case CNI_EVTEPD:       return "vtepd refused the request";
	case CNI_EIPAM:        return "IPAM plugin failed";
	default:               return "error";
	}
}

/* msg and details quote what came from outside (an environment value, a
 * key of the configuration, vtepd's or a delegate's error text), which may
 * hold any byte but NUL. Each is one line of main()'s stderr log and the
 * runtime shows it as the error's message (SPEC.md section 5: msg is "a
 * short message characterizing the error"): a control character, a newline
 * above all, becomes '?'. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int cni_code_of(long long code, int fallback)
{
	switch (code) {
	case CNI_EVERSION: case CNI_EFIELD: case CNI_EUNKNOWN: case CNI_EENV: case CNI_EIO:
	case CNI_EDECODE: case CNI_ECONFIG: case CNI_ETRYAGAIN: case CNI_EUNAVAILABLE:
	case CNI_EUNAVAILABLE_NET:
		return (int)code;
	default:
		return code >= 100 && code < 1000 ? (int)code : fallback;
	}
}

static int vfail(struct cni_err *e, int code, const char *msg, const char *fmt, va_list ap)
{
	e->code = code;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : cni_code_msg(code));
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	one_line(e->msg);
	one_line(e->details);
	return -code;
}

int cni_fail(struct cni_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(e, code, NULL, fmt, ap);
	va_end(ap);
	return r;
}

int cni_fail_msg(struct cni_err *e, int code, const char *msg, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(e, code, msg, fmt, ap);
	va_end(ap);
	return r;
}

char *cni_err_json(const struct cni_err *e)
{
	struct json_object *o = json_object_new_object();
	char *out = NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "cniVersion",
			       json_object_new_string(e->version[0] ? e->version : CNI_VER_NEWEST));
	json_object_object_add(o, "code", json_object_new_int(e->code));
	json_object_object_add(o, "msg", json_object_new_string(e->msg));
	if (e->details[0])
		json_object_object_add(o, "details", json_object_new_string(e->details));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}
