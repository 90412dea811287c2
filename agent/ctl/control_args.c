/* control_args.c - reading a request's arguments: each reader checks one
 * argument's shape, type and range, and a refusal sets the request's error
 * text and marks it a bad request (control_priv.h). Shared by every
 * handler (control_dispatch.c, control_bgp.c, control_status.c), which is
 * why it is a file of its own below them.
 */
#include "control_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "addr.h"
#include "addr6.h"
#include "ctlproto.h"

int control_bad(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->bad_request = true;
	return -EINVAL;
}

const char *control_log_text(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 5 <= size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", ch);
		else
			buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	return buf;
}

int control_check_keys(struct req *r, const char *const *allowed)
{
	json_object_object_foreach(r->args, key, val) {
		const char *const *a;

		(void)val;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return control_bad(r, "unknown argument \"%.64s\"", key);
	}
	return 0;
}

static struct json_object *arg(struct req *r, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(r->args, key, &v) ? v : NULL;
}

int control_arg_vni(struct req *r, bool required, bool *present, uint32_t *vni)
{
	struct json_object *v = arg(r, "vni");
	int64_t x;

	if (present)
		*present = v != NULL;
	if (!v)
		return required ? control_bad(r, "missing argument \"vni\"") : 0;
	if (!json_object_is_type(v, json_type_int))
		return control_bad(r, "vni: expected an integer 1..%u", CTLPROTO_VNI_MAX);
	x = json_object_get_int64(v);
	/* json-c saturates out-of-range numbers at INT64_MIN/MAX. */
	if (x < 1 || x > CTLPROTO_VNI_MAX)
		return control_bad(r, "vni: expected an integer 1..%u", CTLPROTO_VNI_MAX);
	*vni = (uint32_t)x;
	return 0;
}

int control_arg_str(struct req *r, const char *key, bool required, const char **s)
{
	struct json_object *v = arg(r, key);

	*s = NULL;
	if (!v)
		return required ? control_bad(r, "missing argument \"%s\"", key) : 0;
	if (!json_object_is_type(v, json_type_string))
		return control_bad(r, "%s: expected a string", key);
	*s = json_object_get_string(v);
	/* A "\u0000" inside would silently cut the string short. */
	if (strlen(*s) != (size_t)json_object_get_string_len(v))
		return control_bad(r, "%s: contains a NUL character", key);
	return 0;
}

int control_arg_host_ip(struct req *r, const char *key, bool required, bool *present,
			uint32_t *ip)
{
	const char *s;
	uint32_t a, h;

	if (present)
		*present = false;
	if (control_arg_str(r, key, required, &s))
		return -EINVAL;
	if (!s)
		return 0;
	if (addr_parse_ip(s, &a))
		return control_bad(r, "%s: \"%.64s\" is not an IPv4 address", key, s);
	h = ntohl(a);
	if (h == 0 || h == 0xffffffffu || (h >> 28) == 0xe || (h >> 24) == 127)
		return control_bad(r, "%s: %.64s is not a unicast host address", key, s);
	*ip = a;
	if (present)
		*present = true;
	return 0;
}

int control_arg_host_ip6(struct req *r, const char *key, bool required, bool *present,
			 uint8_t ip[16])
{
	const char *s;
	uint8_t a[16];

	if (present)
		*present = false;
	if (control_arg_str(r, key, required, &s))
		return -EINVAL;
	if (!s)
		return 0;
	if (addr6_parse(s, a))
		return control_bad(r, "%s: \"%.64s\" is not an IPv6 address", key, s);
	/* RFC 4291 2.5.2, 2.5.3, 2.5.5.2, 2.5.6, 2.7 */
	if (!addr6_is_host(a))
		return control_bad(r, "%s: %.64s is not a unicast host address (not ::, ::1, "
				   "multicast, link-local or IPv4-mapped)", key, s);
	memcpy(ip, a, 16);
	if (present)
		*present = true;
	return 0;
}

int control_arg_route_prefix(struct req *r, struct cfg_route *rt)
{
	const char *s;
	struct cfg_route k = *rt;

	if (control_arg_str(r, "prefix", true, &s))
		return -EINVAL;
	if (config_route_parse_prefix(s, &k))
		return control_bad(r, "prefix: \"%.64s\" is not A.B.C.D/LEN or X::Y/LEN without "
				   "host bits", s);
	/* The IPv6 rules of control_arg_host_ip6 for a host route (/128);
	 * a shorter prefix may not be multicast or link-local either. */
	if (k.v6 && k.prefixlen == 128 && !addr6_is_host(k.prefix6))
		return control_bad(r, "prefix: %.64s is not a unicast host address (not ::, ::1, "
				   "multicast, link-local or IPv4-mapped)", s);
	if (k.v6 && k.prefixlen < 128 && (addr6_is_multicast(k.prefix6) ||
					  (k.prefixlen >= 10 && addr6_is_link_local(k.prefix6))))
		return control_bad(r, "prefix: %.64s is a multicast or link-local prefix", s);
	*rt = k;
	return 0;
}

int control_parse_mac(struct req *r, const char *s, uint8_t mac[6])
{
	if (addr_parse_mac(s, mac))
		return control_bad(r, "mac: \"%.64s\" is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
	if (addr_mac_is_zero(mac) || (mac[0] & 1))
		return control_bad(r, "mac: %.64s is not a unicast address", s);
	return 0;
}

int control_arg_ifname(struct req *r, char out[CFG_IFNAMSIZ])
{
	const char *s;
	size_t n;

	if (control_arg_str(r, "ifname", true, &s))
		return -EINVAL;
	n = strlen(s);
	if (n == 0 || n >= CFG_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return control_bad(r, "ifname: expected an interface name of 1..%d characters",
			   CFG_IFNAMSIZ - 1);
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ' ||
		    (unsigned char)s[i] == 0x7f)
			return control_bad(r, "ifname: invalid character in \"%.32s\"", s);
	memcpy(out, s, n + 1);
	return 0;
}
