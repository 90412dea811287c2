/* hostroute.c - see hostroute.h. libnl-3 route objects on one synchronous
 * socket (with acks: every change is confirmed before we go on). */
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

/* Our /32 route object (dst, main table, link scope, our protocol, one
 * nexthop through the port). */
static struct rtnl_route *mkroute(uint32_t ip, int ifindex)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(AF_INET, &ip, 4);

	if (!r || !nh || !dst)
		goto fail;
	nl_addr_set_prefixlen(dst, 32);
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_scope(r, RT_SCOPE_LINK);
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
	uint32_t ip;
	int proto;    /* -1 when no exact /32 in the main table */
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
	if (rtm->rtm_dst_len == 32 && table == RT_TABLE_MAIN && tb[RTA_DST] &&
	    nla_len(tb[RTA_DST]) == 4 && !memcmp(nla_data(tb[RTA_DST]), &fm->ip, 4))
		fm->proto = rtm->rtm_protocol;
	return NL_OK;
}

/* The protocol of the route the kernel holds for exactly ip/32 in the main
 * table (RTM_F_FIB_MATCH returns the FIB entry, not a resolved route), or -1. */
static int route_owner(struct hostroute *h, uint32_t ip)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32,
			     .rtm_flags = RTM_F_FIB_MATCH };
	struct fib_match fm = { .ip = ip, .proto = -1 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err = -NLE_NOMEM;

	if (!msg || !cb)
		goto out;
	if ((err = nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO)) < 0 ||
	    (err = nla_put(msg, RTA_DST, 4, &ip)) < 0 ||
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

int hostroute_neigh(struct hostroute *h, uint32_t ip, int ifindex, const uint8_t mac[6])
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(AF_INET, &ip, 4);
	struct nl_addr *ll = nl_addr_build(AF_LLC, mac, 6);
	int err = -NLE_NOMEM;

	if (n && dst && ll) {
		rtnl_neigh_set_family(n, AF_INET);
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
		char a[ADDR_IP_STRLEN];

		log_warn("host neighbour %s (ifindex %d): %s", addr_fmt_ip(ip, a), ifindex,
			 nl_geterror(err));
	}
	return nlerr(err < 0 ? err : 0);
}

int hostroute_add(struct hostroute *h, uint32_t ip, int ifindex, const uint8_t *mac)
{
	struct rtnl_route *r = mkroute(ip, ifindex);
	char a[ADDR_IP_STRLEN];
	int err, owner;

	if (!r)
		return -ENOMEM;
	/* Create only if absent; if a /32 exists, replace it only when it is
	 * ours (a restart, or the workload moved to another port). */
	err = rtnl_route_add(h->sk, r, NLM_F_CREATE | NLM_F_EXCL);
	if (err == -NLE_EXIST) {
		owner = route_owner(h, ip);
		if (owner == HOSTROUTE_PROTO) {
			err = rtnl_route_add(h->sk, r, NLM_F_CREATE | NLM_F_REPLACE);
		} else {
			log_warn("host route %s/32: a route that is not vtepd's (protocol %d) "
				 "exists; leaving it", addr_fmt_ip(ip, a), owner);
			rtnl_route_put(r);
			return -EEXIST;
		}
	}
	rtnl_route_put(r);
	if (err < 0) {
		log_warn("host route %s/32 (ifindex %d): %s", addr_fmt_ip(ip, a), ifindex,
			 nl_geterror(err));
		return nlerr(err);
	}
	if (mac && !addr_mac_is_zero(mac))
		return hostroute_neigh(h, ip, ifindex, mac);
	return 0;
}

int hostroute_del(struct hostroute *h, uint32_t ip, int ifindex)
{
	struct rtnl_route *r = mkroute(ip, ifindex);
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(AF_INET, &ip, 4);
	int err = -NLE_NOMEM, e2 = -NLE_NOMEM;

	/* The kernel deletes only a route whose protocol matches ours. */
	if (r)
		err = rtnl_route_delete(h->sk, r, 0);
	if (n && dst) {
		rtnl_neigh_set_family(n, AF_INET);
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

struct sweep_ctx {
	struct hostroute *h;
	bool (*keep)(void *ctx, uint32_t ip, int ifindex);
	void *ctx;
	int deleted;
};

static void sweep_one(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct sweep_ctx *s = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;
	char a[ADDR_IP_STRLEN];
	uint32_t ip;
	int ifindex = 0;

	if (rtnl_route_get_protocol(r) != HOSTROUTE_PROTO ||
	    rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    !dst || nl_addr_get_prefixlen(dst) != 32 || nl_addr_get_len(dst) != 4)
		return;
	memcpy(&ip, nl_addr_get_binary_addr(dst), 4);
	if (rtnl_route_get_nnexthops(r) > 0 && (nh = rtnl_route_nexthop_n(r, 0)))
		ifindex = rtnl_route_nh_get_ifindex(nh);
	if (s->keep && s->keep(s->ctx, ip, ifindex))
		return;
	if (rtnl_route_delete(s->h->sk, r, 0) >= 0) {
		s->deleted++;
		log_info("host route %s/32 (ifindex %d): stale, removed", addr_fmt_ip(ip, a),
			 ifindex);
	}
}

int hostroute_sweep(struct hostroute *h, bool (*keep)(void *ctx, uint32_t ip, int ifindex),
		    void *ctx)
{
	struct sweep_ctx s = { .h = h, .keep = keep, .ctx = ctx };
	struct nl_cache *cache = NULL;
	int err;

	err = rtnl_route_alloc_cache(h->sk, AF_INET, 0, &cache);
	if (err < 0) {
		log_warn("host routes: cannot list: %s", nl_geterror(err));
		return nlerr(err);
	}
	nl_cache_foreach(cache, sweep_one, &s);
	nl_cache_free(cache);
	return s.deleted;
}
