/* cmdline.h - vtepctl's command line grammar (DESIGN.md "vtepctl"):
 *
 *   vtepctl [-j [-p]] [-a] [-s SOCKET] [-b BPFFS] OBJECT [COMMAND [ARGS]]
 *
 * The options may also come after OBJECT, among its words (`vtepctl stats
 * -a`, `vtepctl peers -j`), as if typed before it; "--" ends them.
 *
 * cmdline_parse() only parses and validates: it touches no socket or map,
 * so every form (and every usage error) is unit tested without vtepd.
 */
#ifndef VTEPCTL_CMDLINE_H
#define VTEPCTL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses (the contract). */
enum {
	VTEPCTL_OK = 0,
	VTEPCTL_FAILED = 1,
	VTEPCTL_USAGE = 2,
	VTEPCTL_UNREACHABLE = 3,
};

#define VTEPCTL_DEFAULT_BPFFS "/sys/fs/bpf/vtepd"

enum ctl_object {
	OBJ_NONE = 0,      /* no object: the general help */
	OBJ_ROUTES,
	OBJ_PORTS,
	OBJ_NEIGH,
	OBJ_FDB,
	OBJ_VNIS,
	OBJ_STATS,
	OBJ_PEERS,
	OBJ_BGP_ROUTES,
	OBJ_RELOAD,
	OBJ_VERSION,
	OBJ_STATUS,
	OBJ_PODS,          /* the CNI service's pods (through vtepd) */
};

enum ctl_verb {
	VERB_SHOW = 0,
	VERB_ADD,
	VERB_DEL,
	VERB_RUN,          /* reload */
	VERB_HELP,         /* help for obj (OBJ_NONE: general), exit 0 */
};

struct cmdline {
	bool json, pretty, all;
	const char *sock;   /* -s, default CTLPROTO_DEFAULT_SOCK */
	const char *bpffs;  /* -b, default VTEPCTL_DEFAULT_BPFFS */
	enum ctl_object obj;
	enum ctl_verb verb;

	/* Filters and arguments; has_* says which were given. */
	bool has_vni, has_prefix, has_vtep, has_mac, has_ip, has_peer, has_ip6;
	uint32_t vni;
	uint32_t prefix;     /* network order */
	uint8_t  prefixlen;  /* 0..32; IPv6 0..128 */
	bool     prefix_v6;  /* the prefix is IPv6: prefix6 */
	uint8_t  prefix6[16];
	uint8_t  ip6[16];    /* ports add ... ip6 A */
	uint32_t vtep;       /* network order */
	uint32_t ip;         /* network order */
	uint32_t peer;       /* network order */
	uint8_t  mac[6];
	bool     mac_auto;   /* ports add ... mac auto (or no mac) */
	char     ifname[16];
};

/* Returns 0, or -EINVAL for a usage error with err naming the problem.
 * argv[0] is the program name. */
int cmdline_parse(int argc, char **argv, struct cmdline *c, char *err, size_t errlen);

/* Object names as typed, for help and messages. */
const char *cmdline_object_name(enum ctl_object obj);

#endif /* VTEPCTL_CMDLINE_H */
