/* hostroute.c - see hostroute.h. libnl-3 route objects on one synchronous
 * socket (with acks: every change is confirmed before we go on); one code
 * path for both families, the public functions name theirs. */
#include "hostroute.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "addr.h"
#include "addr6.h"
#include "log.h"

#ifndef RTM_F_FIB_MATCH
#define RTM_F_FIB_MATCH 0x2000 /* linux 4.13 */
#endif

struct hostroute {
	struct nl_sock *sk;
};

static int nlerr(int e)
{
	switch (-e) {
	case 0:
		return 0;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENOENT;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	default:
		return -EIO;
	}
}

int hostroute_open(struct hostroute **out)
{
	struct hostroute *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return -ENOMEM;
	h->sk = nl_socket_alloc();
	if (!h->sk) {
		free(h);
		return -ENOMEM;
	}
	err = nl_connect(h->sk, NETLINK_ROUTE);
	if (err) {
		hostroute_close(h);
		return nlerr(err);
	}
	*out = h;
	return 0;
}

void hostroute_close(struct hostroute *h)
{
	if (!h)
		return;
	nl_socket_free(h->sk);
	free(h);
}

/* An address of either family as the functions below take it: 4 octets
 * (IPv4, a /32) or 16 (IPv6, a /128). */
struct hr_addr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned len;           /* 4 or 16 octets; the prefix length is len * 8 */
	uint8_t a[16];
};

static struct hr_addr hr4(uint32_t ip)
{
	struct hr_addr x = { .family = AF_INET, .len = 4 };

	memcpy(x.a, &ip, 4);
	return x;
}

static struct hr_addr hr6(const uint8_t ip6[16])
{
	struct hr_addr x = { .family = AF_INET6, .len = 16 };

	memcpy(x.a, ip6, 16);
	return x;
}

static const char *hr_fmt(const struct hr_addr *x, char buf[ADDR6_STRLEN])
{
	if (x->family == AF_INET6)
		return addr6_fmt(x->a, buf);
	return inet_ntop(AF_INET, x->a, buf, ADDR6_STRLEN);
}

/* Our host route object (dst/32 or dst/128, main table, our protocol, one
 * nexthop through the port; link scope for IPv4, universe for IPv6, whose
 * routes have no scope of their own). */
static struct rtnl_route *mkroute(const struct hr_addr *x, int ifindex)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(x->family, x->a, x->len);

	if (!r || !nh || !dst)
		goto fail;
	nl_addr_set_prefixlen(dst, (int)x->len * 8);
	rtnl_route_set_family(r, (uint8_t)x->family);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_scope(r, x->family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
	rtnl_route_set_protocol(r, HOSTROUTE_PROTO);
	if (rtnl_route_set_dst(r, dst) < 0)
		goto fail;
	nl_addr_put(dst);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	return r;
fail:
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	rtnl_route_put(r);
	return NULL;
}

struct fib_match {
	struct hr_addr x;
	int proto;    /* -1 when no exact host route in the main table */
};

static int on_fib_match(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct fib_match *fm = arg;
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return NL_OK;
	rtm = nlmsg_data(nlh);
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rtm->rtm_dst_len == fm->x.len * 8 && table == RT_TABLE_MAIN && tb[RTA_DST] &&
	    nla_len(tb[RTA_DST]) == (int)fm->x.len &&
	    !memcmp(nla_data(tb[RTA_DST]), fm->x.a, fm->x.len))
		fm->proto = rtm->rtm_protocol;
	return NL_OK;
}

/* The protocol of the route the kernel holds for exactly the host route
 * in the main table (RTM_F_FIB_MATCH returns the FIB entry, not a resolved
 * route), or -1. */
static int route_owner(struct hostroute *h, const struct hr_addr *x)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)x->family, .rtm_dst_len = (uint8_t)(x->len * 8),
			     .rtm_flags = RTM_F_FIB_MATCH };
	struct fib_match fm = { .x = *x, .proto = -1 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err = -NLE_NOMEM;

	if (!msg || !cb)
		goto out;
	if ((err = nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO)) < 0 ||
	    (err = nla_put(msg, RTA_DST, (int)x->len, x->a)) < 0 ||
	    (err = nla_put_u32(msg, RTA_TABLE, RT_TABLE_MAIN)) < 0)
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_fib_match, &fm);
	if ((err = nl_send_auto(h->sk, msg)) < 0)
		goto out;
	/* The answer, then the ack our socket asked for (none after an error). */
	err = nl_recvmsgs(h->sk, cb);
	if (err >= 0)
		err = nl_wait_for_ack(h->sk);
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	return err < 0 ? -1 : fm.proto;
}

static int neigh_set(struct hostroute *h, const struct hr_addr *x, int ifindex,
		     const uint8_t mac[6])
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(x->family, x->a, x->len);
	struct nl_addr *ll = nl_addr_build(AF_LLC, mac, 6);
	int err = -NLE_NOMEM;

	if (n && dst && ll) {
		rtnl_neigh_set_family(n, x->family);
		rtnl_neigh_set_ifindex(n, ifindex);
		rtnl_neigh_set_dst(n, dst);
		rtnl_neigh_set_lladdr(n, ll);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		err = rtnl_neigh_add(h->sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	}
	nl_addr_put(dst);
	nl_addr_put(ll);
	rtnl_neigh_put(n);
	if (err < 0) {
		char a[ADDR6_STRLEN];

		log_warn("host neighbour %s (ifindex %d): %s", hr_fmt(x, a), ifindex,
			 nl_geterror(err));
	}
	return nlerr(err < 0 ? err : 0);
}

static int route_add(struct hostroute *h, const struct hr_addr *x, int ifindex,
		     const uint8_t *mac)
{
	struct rtnl_route *r = mkroute(x, ifindex);
	char a[ADDR6_STRLEN];
	int err, owner;

	if (!r)
		return -ENOMEM;
	/* Create only if absent; if the host route exists, replace it only
	 * when it is ours (a restart, or the workload moved to another port). */
	err = rtnl_route_add(h->sk, r, NLM_F_CREATE | NLM_F_EXCL);
	if (err == -NLE_EXIST) {
		owner = route_owner(h, x);
		if (owner == HOSTROUTE_PROTO) {
			err = rtnl_route_add(h->sk, r, NLM_F_CREATE | NLM_F_REPLACE);
		} else {
			log_warn("host route %s/%u: a route that is not vtepd's (protocol %d) "
				 "exists; leaving it", hr_fmt(x, a), x->len * 8, owner);
			rtnl_route_put(r);
			return -EEXIST;
		}
	}
	rtnl_route_put(r);
	if (err < 0) {
		log_warn("host route %s/%u (ifindex %d): %s", hr_fmt(x, a), x->len * 8, ifindex,
			 nl_geterror(err));
		return nlerr(err);
	}
	if (mac && !addr_mac_is_zero(mac))
		return neigh_set(h, x, ifindex, mac);
	return 0;
}

static int route_del(struct hostroute *h, const struct hr_addr *x, int ifindex)
{
	struct rtnl_route *r = mkroute(x, ifindex);
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(x->family, x->a, x->len);
	int err = -NLE_NOMEM, e2 = -NLE_NOMEM;

	/* The kernel deletes only a route whose protocol matches ours. */
	if (r)
		err = rtnl_route_delete(h->sk, r, 0);
	if (n && dst) {
		rtnl_neigh_set_family(n, x->family);
		rtnl_neigh_set_ifindex(n, ifindex);
		rtnl_neigh_set_dst(n, dst);
		e2 = rtnl_neigh_delete(h->sk, n, 0);
	}
	nl_addr_put(dst);
	rtnl_neigh_put(n);
	rtnl_route_put(r);
	err = nlerr(err < 0 ? err : 0);
	e2 = nlerr(e2 < 0 ? e2 : 0);
	if (err == -ENOENT || err == -EIO) /* ESRCH: no such route of ours */
		err = 0;
	if (e2 == -ENOENT || e2 == -EIO)
		e2 = 0;
	return err ? err : e2;
}

int hostroute_neigh(struct hostroute *h, uint32_t ip, int ifindex, const uint8_t mac[6])
{
	struct hr_addr x = hr4(ip);

	return neigh_set(h, &x, ifindex, mac);
}

int hostroute_add(struct hostroute *h, uint32_t ip, int ifindex, const uint8_t *mac)
{
	struct hr_addr x = hr4(ip);

	return route_add(h, &x, ifindex, mac);
}

int hostroute_del(struct hostroute *h, uint32_t ip, int ifindex)
{
	struct hr_addr x = hr4(ip);

	return route_del(h, &x, ifindex);
}

int hostroute6_neigh(struct hostroute *h, const uint8_t ip6[16], int ifindex,
		     const uint8_t mac[6])
{
	struct hr_addr x = hr6(ip6);

	return neigh_set(h, &x, ifindex, mac);
}

int hostroute6_add(struct hostroute *h, const uint8_t ip6[16], int ifindex, const uint8_t *mac)
{
	struct hr_addr x = hr6(ip6);

	return route_add(h, &x, ifindex, mac);
}

int hostroute6_del(struct hostroute *h, const uint8_t ip6[16], int ifindex)
{
	struct hr_addr x = hr6(ip6);

	return route_del(h, &x, ifindex);
}

struct sweep_ctx {
	struct hostroute *h;
	int family;
	bool (*keep)(void *ctx, uint32_t ip, int ifindex);
	bool (*keep6)(void *ctx, const uint8_t ip6[16], int ifindex);
	void *ctx;
	int deleted;
};

static void sweep_one(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct sweep_ctx *s = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	unsigned alen = s->family == AF_INET6 ? 16 : 4;
	struct rtnl_nexthop *nh;
	struct hr_addr x = { .family = s->family, .len = alen };
	char a[ADDR6_STRLEN];
	uint32_t ip;
	int ifindex = 0;
	bool keep;

	if (rtnl_route_get_protocol(r) != HOSTROUTE_PROTO ||
	    rtnl_route_get_table(r) != RT_TABLE_MAIN || !dst ||
	    nl_addr_get_family(dst) != s->family ||
	    nl_addr_get_prefixlen(dst) != alen * 8 || nl_addr_get_len(dst) != alen)
		return;
	memcpy(x.a, nl_addr_get_binary_addr(dst), alen);
	if (rtnl_route_get_nnexthops(r) > 0 && (nh = rtnl_route_nexthop_n(r, 0)))
		ifindex = rtnl_route_nh_get_ifindex(nh);
	memcpy(&ip, x.a, 4);
	keep = s->family == AF_INET6 ? s->keep6 && s->keep6(s->ctx, x.a, ifindex)
				     : s->keep && s->keep(s->ctx, ip, ifindex);
	if (keep)
		return;
	if (rtnl_route_delete(s->h->sk, r, 0) >= 0) {
		s->deleted++;
		log_info("host route %s/%u (ifindex %d): stale, removed", hr_fmt(&x, a),
			 alen * 8, ifindex);
	}
}

static int sweep(struct sweep_ctx *s)
{
	struct nl_cache *cache = NULL;
	int err;

	err = rtnl_route_alloc_cache(s->h->sk, s->family, 0, &cache);
	if (err < 0) {
		log_warn("host routes: cannot list: %s", nl_geterror(err));
		return nlerr(err);
	}
	nl_cache_foreach(cache, sweep_one, s);
	nl_cache_free(cache);
	return s->deleted;
}

int hostroute_sweep(struct hostroute *h, bool (*keep)(void *ctx, uint32_t ip, int ifindex),
		    void *ctx)
{
	struct sweep_ctx s = { .h = h, .family = AF_INET, .keep = keep, .ctx = ctx };

	return sweep(&s);
}

int hostroute6_sweep(struct hostroute *h,
		     bool (*keep)(void *ctx, const uint8_t ip6[16], int ifindex), void *ctx)
{
	struct sweep_ctx s = { .h = h, .family = AF_INET6, .keep6 = keep, .ctx = ctx };

	return sweep(&s);
}
