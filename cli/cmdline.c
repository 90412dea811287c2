/* cmdline.c - see cmdline.h. iproute2 style: objects are plural nouns,
 * commands verbs, `show` the default; keyword/value arguments may come in
 * any order but each at most once; `help` (or -h/--help) anywhere after an
 * object asks for that object's help. Global options may also follow the
 * object (`vtepctl stats -a`, as users type them), up to a "--". */
#include "cmdline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "ctlproto.h"

static int usage(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct {
	const char *name;
	enum ctl_object obj;
} objects[] = {
	{ "routes", OBJ_ROUTES }, { "ports", OBJ_PORTS }, { "neigh", OBJ_NEIGH },
	{ "fdb", OBJ_FDB },       { "vnis", OBJ_VNIS },   { "stats", OBJ_STATS },
	{ "peers", OBJ_PEERS },   { "bgp", OBJ_BGP_ROUTES }, { "reload", OBJ_RELOAD },
	{ "version", OBJ_VERSION }, { "status", OBJ_STATUS },
	{ "pods", OBJ_PODS },
};

const char *cmdline_object_name(enum ctl_object obj)
{
	if (obj == OBJ_BGP_ROUTES)
		return "bgp routes";
	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (objects[i].obj == obj)
			return objects[i].name;
	return "";
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

/* Keyword arguments a command accepts. */
enum kw { KW_VNI = 1, KW_PREFIX = 2, KW_VTEP = 4, KW_MAC = 8, KW_IP = 16, KW_PEER = 32,
	  KW_IP6 = 64 };

static const struct {
	const char *name;
	enum kw kw;
} keywords[] = {
	{ "vni", KW_VNI }, { "prefix", KW_PREFIX }, { "vtep", KW_VTEP },
	{ "mac", KW_MAC }, { "ip", KW_IP },         { "peer", KW_PEER },
	{ "ip6", KW_IP6 },
};

/* Parses "KEY VALUE ..." pairs from argv[i..argc); allowed is a mask of
 * enum kw; the mask of those seen is returned in *seen. */
static int parse_kv(int argc, char **argv, int i, unsigned allowed, unsigned *seen,
		    struct cmdline *c, char *err, size_t errlen)
{
	*seen = 0;
	for (; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned kw = 0;

		for (size_t j = 0; j < sizeof(keywords) / sizeof(keywords[0]); j++)
			if (!strcmp(keywords[j].name, k))
				kw = keywords[j].kw;
		if (!kw || !(allowed & kw))
			return usage(err, errlen, "unexpected argument \"%s\"", k);
		if (*seen & kw)
			return usage(err, errlen, "\"%s\" given twice", k);
		if (!v)
			return usage(err, errlen, "\"%s\" needs a value", k);
		*seen |= kw;
		switch (kw) {
		case KW_VNI:
			if (ctlproto_parse_u32(v, 1, CTLPROTO_VNI_MAX, &c->vni))
				return usage(err, errlen, "vni \"%s\": expected 1..%u", v,
					     CTLPROTO_VNI_MAX);
			c->has_vni = true;
			break;
		case KW_PREFIX:
			if (addr6_is_text6(v)) {
				if (addr6_parse_prefix(v, c->prefix6, &c->prefixlen, 0))
					return usage(err, errlen, "prefix \"%s\": expected X::Y/LEN "
						     "without host bits", v);
				c->prefix_v6 = true;
			} else if (addr_parse_prefix(v, &c->prefix, &c->prefixlen, 0)) {
				return usage(err, errlen,
					     "prefix \"%s\": expected A.B.C.D/LEN without host bits", v);
			}
			c->has_prefix = true;
			break;
		case KW_IP6:
			if (addr6_parse(v, c->ip6))
				return usage(err, errlen, "ip6 \"%s\": expected an IPv6 address", v);
			c->has_ip6 = true;
			break;
		case KW_VTEP:
			if (addr_parse_ip(v, &c->vtep))
				return usage(err, errlen, "vtep \"%s\": expected an IPv4 address", v);
			c->has_vtep = true;
			break;
		case KW_IP:
			if (addr_parse_ip(v, &c->ip))
				return usage(err, errlen, "ip \"%s\": expected an IPv4 address", v);
			c->has_ip = true;
			break;
		case KW_PEER:
			if (addr_parse_ip(v, &c->peer))
				return usage(err, errlen, "peer \"%s\": expected an IPv4 address", v);
			c->has_peer = true;
			break;
		case KW_MAC:
			if (!strcmp(v, "auto") && c->obj == OBJ_PORTS) {
				c->mac_auto = true;
			} else if (addr_parse_mac(v, c->mac)) {
				return usage(err, errlen, "mac \"%s\": expected xx:xx:xx:xx:xx:xx%s",
					     v, c->obj == OBJ_PORTS ? " or auto" : "");
			}
			c->has_mac = true;
			break;
		}
	}
	return 0;
}

static int parse_ifname(const char *s, struct cmdline *c, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(c->ifname) || !strcmp(s, ".") || !strcmp(s, ".."))
		return usage(err, errlen, "\"%s\" is not an interface name (1..15 characters)", s);
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ')
			return usage(err, errlen, "\"%s\" is not an interface name", s);
	memcpy(c->ifname, s, n + 1);
	return 0;
}

static int missing(unsigned seen, unsigned need, char *err, size_t errlen)
{
	for (size_t j = 0; j < sizeof(keywords) / sizeof(keywords[0]); j++)
		if ((need & keywords[j].kw) && !(seen & keywords[j].kw))
			return usage(err, errlen, "missing \"%s\"", keywords[j].name);
	return 0;
}

static int parse_routes(int argc, char **argv, int i, struct cmdline *c, char *err, size_t errlen)
{
	unsigned seen;

	if (i < argc && !strcmp(argv[i], "add")) {
		c->verb = VERB_ADD;
		return parse_kv(argc, argv, i + 1, KW_VNI | KW_PREFIX | KW_VTEP | KW_MAC, &seen,
				c, err, errlen) ?:
		       missing(seen, KW_VNI | KW_PREFIX | KW_VTEP | KW_MAC, err, errlen);
	}
	if (i < argc && !strcmp(argv[i], "del")) {
		c->verb = VERB_DEL;
		return parse_kv(argc, argv, i + 1, KW_VNI | KW_PREFIX, &seen, c, err, errlen) ?:
		       missing(seen, KW_VNI | KW_PREFIX, err, errlen);
	}
	if (i < argc && !strcmp(argv[i], "show"))
		i++;
	return parse_kv(argc, argv, i, KW_VNI | KW_PREFIX, &seen, c, err, errlen);
}

static int parse_ports(int argc, char **argv, int i, struct cmdline *c, char *err, size_t errlen)
{
	unsigned seen;

	if (i < argc && !strcmp(argv[i], "add")) {
		c->verb = VERB_ADD;
		if (i + 1 >= argc)
			return usage(err, errlen, "ports add needs an interface name");
		/* ip may be left out when ip6 is given */
		if (parse_ifname(argv[i + 1], c, err, errlen) ||
		    parse_kv(argc, argv, i + 2, KW_VNI | KW_IP | KW_IP6 | KW_MAC, &seen, c, err,
			     errlen) ||
		    missing(seen, KW_VNI | (seen & KW_IP6 ? 0 : KW_IP), err, errlen))
			return -EINVAL;
		if (!c->has_mac)
			c->mac_auto = true;
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "del")) {
		c->verb = VERB_DEL;
		if (i + 1 >= argc)
			return usage(err, errlen, "ports del needs an interface name");
		if (i + 2 < argc)
			return usage(err, errlen, "unexpected argument \"%s\"", argv[i + 2]);
		return parse_ifname(argv[i + 1], c, err, errlen);
	}
	if (i < argc && !strcmp(argv[i], "show"))
		i++;
	if (i < argc)
		return usage(err, errlen, "unexpected argument \"%s\"", argv[i]);
	return 0;
}

/* Objects that only show, with no arguments. */
static int parse_show_only(int argc, char **argv, int i, char *err, size_t errlen)
{
	if (i < argc && !strcmp(argv[i], "show"))
		i++;
	if (i < argc)
		return usage(err, errlen, "unexpected argument \"%s\"", argv[i]);
	return 0;
}

/* A word that is a global option (not "-" alone, which no command uses). */
static bool is_option(const char *a)
{
	return a[0] == '-' && a[1];
}

/* One global option at argv[*pi] (not "--"): short ones may be grouped
 * (-jp); -s/-b take the next argument or an attached value (-s/run/x.sock,
 * --socket=/run/x.sock). *pi is left on the last word used. */
static int parse_option(int argc, char **argv, int *pi, struct cmdline *c,
			char *err, size_t errlen)
{
	const char *a = argv[*pi];
	const char **dst = NULL;
	const char *val = NULL;

	if (!strcmp(a, "--json") || !strcmp(a, "-json")) {
		c->json = true;
		return 0;
	}
	if (!strcmp(a, "--pretty") || !strcmp(a, "-pretty")) {
		c->pretty = c->json = true;
		return 0;
	}
	if (!strcmp(a, "--all")) {
		c->all = true;
		return 0;
	}
	if (!strcmp(a, "--help")) {
		c->verb = VERB_HELP;
		return 0;
	}
	if (!strcmp(a, "--version")) {
		c->obj = OBJ_VERSION;
		return 0;
	}
	if (!strncmp(a, "--socket", 8) || !strncmp(a, "--bpffs", 7)) {
		const char *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);

		if (n == 8 && !strncmp(a, "--socket", 8))
			dst = &c->sock;
		else if (n == 7 && !strncmp(a, "--bpffs", 7))
			dst = &c->bpffs;
		else
			return usage(err, errlen, "unknown option \"%s\"", a);
		if (eq)
			val = eq + 1;
	} else if (a[1] == '-') {
		return usage(err, errlen, "unknown option \"%s\"", a);
	} else {
		for (const char *p = a + 1; *p && !dst; p++) {
			switch (*p) {
			case 'j':
				c->json = true;
				break;
			case 'p':
				c->pretty = c->json = true;
				break;
			case 'a':
				c->all = true;
				break;
			case 'h':
				c->verb = VERB_HELP;
				break;
			case 'V':
				c->obj = OBJ_VERSION;
				break;
			case 's':
			case 'b':
				dst = *p == 's' ? &c->sock : &c->bpffs;
				if (p[1])
					val = p + 1;
				break;
			default:
				return usage(err, errlen, "unknown option \"-%c\"", *p);
			}
		}
	}
	if (dst) {
		if (!val) {
			if (*pi + 1 >= argc)
				return usage(err, errlen, "option \"%s\" needs a value", a);
			val = argv[++*pi];
		}
		if (!*val)
			return usage(err, errlen, "option \"%s\" needs a value", a);
		*dst = val;
	}
	return 0;
}

/* The options before the object; *pi is left on the object, *dashes says
 * whether a "--" ended them. */
static int parse_options(int argc, char **argv, int *pi, bool *dashes, struct cmdline *c,
			 char *err, size_t errlen)
{
	int i = 1, ret;

	*dashes = false;
	for (; i < argc && is_option(argv[i]); i++) {
		if (!strcmp(argv[i], "--")) {
			*dashes = true;
			i++;
			break;
		}
		if ((ret = parse_option(argc, argv, &i, c, err, errlen)))
			return ret;
	}
	*pi = i;
	return 0;
}

/* Options typed after the object (`vtepctl stats -a`, `vtepctl peers -j`)
 * are taken as if typed before it; the other words keep their order in
 * words[], returned in *nwords. A "--" ends the options: what follows is
 * all arguments (an interface named "-x": `vtepctl ports del -- -x`). No
 * keyword value of the grammar starts with '-' (numbers, addresses, MACs). */
static int pick_options(int argc, char **argv, int i, bool opts, struct cmdline *c,
			char **words, int *nwords, char *err, size_t errlen)
{
	int n = 0, ret;

	for (; i < argc; i++) {
		if (opts && !strcmp(argv[i], "--")) {
			opts = false;
			continue;
		}
		if (opts && is_option(argv[i]) && !is_help(argv[i])) {
			if ((ret = parse_option(argc, argv, &i, c, err, errlen)))
				return ret;
			continue;
		}
		words[n++] = argv[i];
	}
	*nwords = n;
	return 0;
}

int cmdline_parse(int argc, char **argv, struct cmdline *c, char *err, size_t errlen)
{
	char *words[argc > 0 ? argc : 1];
	bool dashes;
	int i = 1, ret;

	memset(c, 0, sizeof(*c));
	c->sock = CTLPROTO_DEFAULT_SOCK;
	c->bpffs = VTEPCTL_DEFAULT_BPFFS;
	err[0] = '\0';
	ret = parse_options(argc, argv, &i, &dashes, c, err, errlen);
	if (ret)
		return ret;
	if (c->verb == VERB_HELP || c->obj == OBJ_VERSION)
		return 0;  /* -h / -V win over anything after them */
	if (i >= argc)
		return usage(err, errlen, "missing object");
	if (!strcmp(argv[i], "help")) {
		c->verb = VERB_HELP;
		/* "help routes" is the same as "routes help". */
		if (i + 1 < argc) {
			for (size_t j = 0; j < sizeof(objects) / sizeof(objects[0]); j++)
				if (!strcmp(objects[j].name, argv[i + 1]))
					c->obj = objects[j].obj;
			if (c->obj == OBJ_NONE)
				return usage(err, errlen, "unknown object \"%s\"", argv[i + 1]);
		}
		return 0;
	}
	for (size_t j = 0; j < sizeof(objects) / sizeof(objects[0]); j++)
		if (!strcmp(objects[j].name, argv[i]))
			c->obj = objects[j].obj;
	if (c->obj == OBJ_NONE)
		return usage(err, errlen, "unknown object \"%s\"", argv[i]);
	/* "OBJECT ... help" anywhere: that object's help, even after a word
	 * that is wrong. */
	for (int j = i + 1; j < argc; j++) {
		if (is_help(argv[j])) {
			c->verb = VERB_HELP;
			return 0;
		}
	}
	{
		enum ctl_object obj = c->obj;
		int nw;

		/* words[0] stands for the object, so that argument indexes
		 * below keep their meaning. */
		words[0] = argv[i];
		ret = pick_options(argc, argv, i + 1, !dashes, c, words + 1, &nw, err, errlen);
		if (ret)
			return ret;
		/* -h (grouped: -jh) or -V after the object win, as before it. */
		if (c->verb == VERB_HELP)
			return 0;
		if (c->obj == OBJ_VERSION && obj != OBJ_VERSION)
			return 0;
		argc = nw + 1;
		argv = words;
		i = 1;
	}
	switch (c->obj) {
	case OBJ_ROUTES:
		return parse_routes(argc, argv, i, c, err, errlen);
	case OBJ_PORTS:
		return parse_ports(argc, argv, i, c, err, errlen);
	case OBJ_BGP_ROUTES: {
		unsigned seen;

		if (i >= argc || strcmp(argv[i], "routes"))
			return usage(err, errlen, "expected \"bgp routes\"");
		i++;
		if (i < argc && !strcmp(argv[i], "show"))
			i++;
		return parse_kv(argc, argv, i, KW_VNI | KW_PEER | KW_PREFIX, &seen, c, err, errlen);
	}
	case OBJ_RELOAD:
		c->verb = VERB_RUN;
		if (i < argc)
			return usage(err, errlen, "unexpected argument \"%s\"", argv[i]);
		return 0;
	case OBJ_VERSION:
		if (i < argc)
			return usage(err, errlen, "unexpected argument \"%s\"", argv[i]);
		return 0;
	case OBJ_STATUS:
	case OBJ_PODS:
		if (i < argc && !strcmp(argv[i], "show"))
			i++;
		if (i < argc)
			return usage(err, errlen, "unexpected argument \"%s\"", argv[i]);
		return 0;
	default:
		return parse_show_only(argc, argv, i, err, errlen);
	}
}
