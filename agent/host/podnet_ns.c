/* podnet_ns.c - the pod's side of podnet.h: a socket in the pod's network
 * namespace, made on a thread of its own, and the pod end's setup and
 * check through it. */
#include "podnet_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "addr.h"
#include "addr6.h"
#include "sysctl.h"

static int nlerr(int e)
{
	switch (-e) {
	case 0:            return 0;
	case NLE_EXIST:    return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:    return -ENOENT;
	case NLE_NOMEM:    return -ENOMEM;
	case NLE_PERM:     return -EPERM;
	case NLE_NOACCESS: return -EACCES;  /* IPv6 disabled on the device */
	default:           return -EIO;
	}
}

struct ns_job {
	int nsfd;
	const char *ifname;          /* enable6: the pod end */
	int (*work)(struct ns_job *j);
	struct nl_sock *sk;
	int err;
	char what[48];               /* enable6: the setting that failed */
};

static int open_socket(struct ns_job *j)
{
	int err;

	j->sk = nl_socket_alloc();
	if (!j->sk)
		return -ENOMEM;
	err = nlerr(nl_connect(j->sk, NETLINK_ROUTE));
	if (err) {
		nl_socket_free(j->sk);
		j->sk = NULL;
	}
	return err;
}

/* podnet.h: disable_ipv6=0 on lo and the pod end, accept_ra=0 on it. */
static int enable6(struct ns_job *j)
{
	static const struct { bool lo; const char *key, *val; } set[] = {
		{ true, "disable_ipv6", "0" },
		{ false, "disable_ipv6", "0" },
		{ false, "accept_ra", "0" },
	};

	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		const char *dev = set[i].lo ? "lo" : j->ifname;
		int err = sysctl_if_set6(dev, set[i].key, set[i].val);

		if (err) {
			snprintf(j->what, sizeof(j->what), "net.ipv6.conf.%s.%s", dev, set[i].key);
			return err;
		}
	}
	return 0;
}

/* The thread's whole life: enter the namespace, do the work, exit. A
 * socket made there keeps the namespace; the thread's namespace dies with
 * it. */
static void *ns_thread(void *arg)
{
	struct ns_job *j = arg;

	if (setns(j->nsfd, CLONE_NEWNET)) {
		j->err = -errno;
		return NULL;
	}
	j->err = j->work(j);
	return NULL;
}

static int ns_run(struct ns_job *j)
{
	pthread_t t;
	int ret = -pthread_create(&t, NULL, ns_thread, j);

	if (!ret)
		ret = -pthread_join(t, NULL);
	return ret ? ret : j->err;
}

int podnet_ns_enable6(int nsfd, const char *ifname, char err[CFG_ERR_LEN])
{
	struct ns_job j = { .nsfd = nsfd, .ifname = ifname, .work = enable6 };
	int ret = ns_run(&j);

	if (ret)
		snprintf(err, CFG_ERR_LEN, "pod: cannot enable IPv6 on %s: %s%s%s", ifname,
			 j.what, j.what[0] ? ": " : "", strerror(-ret));
	return ret;
}

int podnet_ns_socket(const char *path, struct nl_sock **sk, int *nsfd, char err[CFG_ERR_LEN])
{
	struct ns_job j = { .nsfd = -1, .work = open_socket };
	int ret;

	*sk = NULL;
	*nsfd = -1;
	j.nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (j.nsfd < 0) {
		ret = -errno;
		snprintf(err, CFG_ERR_LEN, "netns %.180s: %s", path, strerror(-ret));
		return ret;
	}
	/* NS_GET_NSTYPE (Linux 4.11) tells a namespace file from any other
	 * file before setns would. */
	if (ioctl(j.nsfd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		snprintf(err, CFG_ERR_LEN, "netns %.180s: not a network namespace", path);
		close(j.nsfd);
		return -EINVAL;
	}
	ret = ns_run(&j);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "netns %.180s: cannot enter: %s", path, strerror(-ret));
		close(j.nsfd);
		return ret;
	}
	*sk = j.sk;
	*nsfd = j.nsfd;
	return 0;
}

int podnet_ns_has_link(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *l = NULL;
	int e = rtnl_link_get_kernel(sk, 0, ifname, &l);

	rtnl_link_put(l);
	if (!e)
		return 1;
	return nlerr(e) == -ENOENT ? 0 : nlerr(e);
}

int podnet_link_up(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *cur = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int e = -NLE_NOMEM;

	if (cur && chg) {
		rtnl_link_set_ifindex(cur, ifindex);
		rtnl_link_set_flags(chg, IFF_UP);
		e = rtnl_link_change(sk, cur, chg, 0);
	}
	rtnl_link_put(cur);
	rtnl_link_put(chg);
	return nlerr(e);
}

/* One address of the pod end: family AF_INET (4 octets, /32) or AF_INET6
 * (16, /128, no DAD: podnet.h). */
static int add_addr(struct nl_sock *sk, int ifindex, int family, const void *ip)
{
	bool v6 = family == AF_INET6;
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(family, ip, v6 ? 16 : 4);
	int e = -NLE_NOMEM;

	if (a && local) {
		nl_addr_set_prefixlen(local, v6 ? 128 : 32);
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, family);
		if (v6)
			rtnl_addr_set_flags(a, IFA_F_NODAD);
		e = rtnl_addr_set_local(a, local);
		if (!e)
			e = rtnl_addr_add(sk, a, 0);
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return nlerr(e);
}

/* IPv4: default via GW dev IFINDEX onlink (the gateway is outside a /32).
 * IPv6: default via GW6 dev IFINDEX; a link-local next hop needs no
 * onlink, it is on the link by definition (RFC 4291 2.5.6). */
static int add_default(struct nl_sock *sk, int ifindex, int family, const void *gw)
{
	static const uint8_t any[16];
	bool v6 = family == AF_INET6;
	unsigned alen = v6 ? 16 : 4;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(family, any, alen), *via = nl_addr_build(family, gw, alen);
	int e = -NLE_NOMEM;

	if (r && nh && dst && via) {
		nl_addr_set_prefixlen(dst, 0);
		rtnl_route_set_family(r, family);
		rtnl_route_set_table(r, RT_TABLE_MAIN);
		rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
		rtnl_route_set_protocol(r, RTPROT_BOOT);
		rtnl_route_set_type(r, RTN_UNICAST);
		e = rtnl_route_set_dst(r, dst);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, via);
		if (!v6 || !addr6_is_link_local(gw))
			rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
		rtnl_route_add_nexthop(r, nh);
		nh = NULL;   /* the route owns it */
		if (!e)
			e = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	rtnl_route_put(r);
	return nlerr(e);
}

static int link_info(struct nl_sock *sk, const char *ifname, int *ifindex, uint8_t mac[6],
		     bool *up)
{
	struct rtnl_link *l = NULL;
	struct nl_addr *a;
	int e = rtnl_link_get_kernel(sk, 0, ifname, &l);

	if (e)
		return nlerr(e);
	*ifindex = rtnl_link_get_ifindex(l);
	a = rtnl_link_get_addr(l);
	if (mac) {
		memset(mac, 0, 6);
		if (a && nl_addr_get_len(a) == 6)
			memcpy(mac, nl_addr_get_binary_addr(a), 6);
	}
	if (up)
		*up = rtnl_link_get_flags(l) & IFF_UP;
	rtnl_link_put(l);
	return 0;
}

int podnet_ns_setup(struct nl_sock *sk, const struct podnet_spec *s, uint8_t mac[6],
		    char err[CFG_ERR_LEN])
{
	bool v6 = !addr6_is_zero(s->ip6);
	const char *step = "find";
	int ifindex, lo, ret;

	ret = link_info(sk, s->ifname, &ifindex, mac, NULL);
	if (!ret && s->ip) {
		step = "add the address to";
		ret = add_addr(sk, ifindex, AF_INET, &s->ip);
	}
	if (!ret && v6) {
		step = "add the IPv6 address to";
		ret = add_addr(sk, ifindex, AF_INET6, s->ip6);
	}
	if (!ret) {
		step = "bring up";
		ret = podnet_link_up(sk, ifindex);
	}
	/* Up before the route: an onlink next hop needs its device up
	 * (the kernel answers ENETDOWN otherwise). */
	if (!ret && s->ip) {
		step = "add the default route through";
		ret = add_default(sk, ifindex, AF_INET, &s->gateway);
	}
	if (!ret && v6) {
		step = "add the IPv6 default route through";
		ret = add_default(sk, ifindex, AF_INET6, s->gateway6);
	}
	if (!ret) {
		step = "bring up lo beside";
		ret = link_info(sk, "lo", &lo, NULL, NULL);
		if (!ret)
			ret = podnet_link_up(sk, lo);
	}
	if (ret)
		snprintf(err, CFG_ERR_LEN, "pod: cannot %s %s: %s", step, s->ifname, strerror(-ret));
	return ret;
}

struct found {
	int ifindex;
	int family;
	const void *want;            /* 4 or 16 octets as family says */
	bool hit;
};

static unsigned found_len(const struct found *f)
{
	return f->family == AF_INET6 ? 16 : 4;
}

static void addr_cb(struct nl_object *o, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)o;
	struct nl_addr *l = rtnl_addr_get_local(a);
	struct found *f = arg;

	if (rtnl_addr_get_ifindex(a) == f->ifindex && l && nl_addr_get_family(l) == f->family &&
	    nl_addr_get_len(l) == found_len(f) && nl_addr_get_prefixlen(l) == found_len(f) * 8 &&
	    !memcmp(nl_addr_get_binary_addr(l), f->want, found_len(f)))
		f->hit = true;
}

static void nh_cb(struct rtnl_nexthop *nh, void *arg)
{
	struct nl_addr *g = rtnl_route_nh_get_gateway(nh);
	struct found *f = arg;

	if (rtnl_route_nh_get_ifindex(nh) == f->ifindex && g &&
	    nl_addr_get_len(g) == found_len(f) &&
	    !memcmp(nl_addr_get_binary_addr(g), f->want, found_len(f)))
		f->hit = true;
}

static void route_cb(struct nl_object *o, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)o;
	struct nl_addr *d = rtnl_route_get_dst(r);

	if (rtnl_route_get_table(r) == RT_TABLE_MAIN && (!d || nl_addr_get_prefixlen(d) == 0))
		rtnl_route_foreach_nexthop(r, nh_cb, arg);
}

/* Whether the pod holds the address as a host address (/32, /128) on
 * ifindex (want_route false) or a default route through it (true). */
static int ns_has(struct nl_sock *sk, int ifindex, int family, const void *want,
		  bool want_route)
{
	struct nl_cache *c = NULL;
	struct found f = { .ifindex = ifindex, .family = family, .want = want };
	int e = want_route ? rtnl_route_alloc_cache(sk, family, 0, &c)
			   : rtnl_addr_alloc_cache(sk, &c);

	if (e)
		return nlerr(e);
	nl_cache_foreach(c, want_route ? route_cb : addr_cb, &f);
	nl_cache_free(c);
	return f.hit ? 1 : 0;
}

/* The address and the default route of one family. */
static int check_family(struct nl_sock *sk, const struct podnet_spec *s, int ifindex,
			int family, char err[CFG_ERR_LEN])
{
	bool v6 = family == AF_INET6;
	const void *ip = v6 ? (const void *)s->ip6 : &s->ip;
	const void *gw = v6 ? (const void *)s->gateway6 : &s->gateway;
	char a[ADDR6_STRLEN];
	int ret;

	ret = ns_has(sk, ifindex, family, ip, false);
	if (ret <= 0) {
		snprintf(err, CFG_ERR_LEN, "pod: %s does not hold %s/%d", s->ifname,
			 v6 ? addr6_fmt(ip, a) : addr_fmt_ip(s->ip, a), v6 ? 128 : 32);
		return ret < 0 ? ret : -ENOENT;
	}
	ret = ns_has(sk, ifindex, family, gw, true);
	if (ret <= 0) {
		snprintf(err, CFG_ERR_LEN, "pod: no %sdefault route via %s on %s", v6 ? "IPv6 " : "",
			 v6 ? addr6_fmt(gw, a) : addr_fmt_ip(s->gateway, a), s->ifname);
		return ret < 0 ? ret : -ENOENT;
	}
	return 0;
}

int podnet_ns_check(struct nl_sock *sk, const struct podnet_spec *s, const uint8_t mac[6],
		    char err[CFG_ERR_LEN])
{
	char m[ADDR_MAC_STRLEN];
	uint8_t have[6];
	int ifindex, ret;
	bool up;

	ret = link_info(sk, s->ifname, &ifindex, have, &up);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "pod: no interface %s: %s", s->ifname, strerror(-ret));
		return ret;
	}
	if (memcmp(have, mac, 6)) {
		snprintf(err, CFG_ERR_LEN, "pod: %s has MAC %s, not the attachment's",
			 s->ifname, addr_fmt_mac(have, m));
		return -EINVAL;
	}
	if (!up) {
		snprintf(err, CFG_ERR_LEN, "pod: %s is down", s->ifname);
		return -EINVAL;
	}
	if (s->ip && (ret = check_family(sk, s, ifindex, AF_INET, err)))
		return ret;
	if (!addr6_is_zero(s->ip6) && (ret = check_family(sk, s, ifindex, AF_INET6, err)))
		return ret;
	return 0;
}
