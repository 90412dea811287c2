/* hostlink.c - see hostlink.h. libnl-3 requests on a socket per call, as
 * podnet.c does; the host end's IPv4 settings through sysctl.h. */
#include "hostlink.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "addr.h"
#include "hostroute.h"
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
	case NLE_INVAL:    return -EINVAL;
	default:           return -EIO;
	}
}

void hostlink_names(uint32_t vni, char host[CFG_IFNAMSIZ], char dp[CFG_IFNAMSIZ])
{
	snprintf(host, CFG_IFNAMSIZ, "vtep%u", vni % 100000000u);
	snprintf(dp, CFG_IFNAMSIZ, "vtep%ud", vni % 100000000u);
}

static int make_pair(struct nl_sock *sk, const char *host, const char *dp, uint32_t mtu)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int e;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, host);
	rtnl_link_set_mtu(l, mtu);
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(peer, dp);
	rtnl_link_set_mtu(peer, mtu);
	rtnl_link_put(peer);
	e = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	return nlerr(e);
}

/* Up, with the MTU asked (a restart with another uplink MTU follows it). */
static int link_set(struct nl_sock *sk, int ifindex, uint32_t mtu)
{
	struct rtnl_link *cur = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int e = -NLE_NOMEM;

	if (cur && chg) {
		rtnl_link_set_ifindex(cur, ifindex);
		rtnl_link_set_flags(chg, IFF_UP);
		rtnl_link_set_mtu(chg, mtu);
		e = rtnl_link_change(sk, cur, chg, 0);
	}
	rtnl_link_put(cur);
	rtnl_link_put(chg);
	return nlerr(e);
}

static int set_addr(struct nl_sock *sk, int ifindex, uint32_t ip)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(AF_INET, &ip, 4);
	int e = -NLE_NOMEM;

	if (a && local) {
		nl_addr_set_prefixlen(local, 32);
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, AF_INET);
		rtnl_addr_set_scope(a, RT_SCOPE_UNIVERSE);
		e = rtnl_addr_set_local(a, local);
		if (!e)
			e = rtnl_addr_add(sk, a, NLM_F_REPLACE);
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return nlerr(e);
}

/* SUBNET via GATEWAY dev HOST onlink src HOST_IP proto 118, replacing ours
 * (or an earlier run's) in the main table. */
static int set_route(struct nl_sock *sk, int ifindex, const struct hostlink_spec *s)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(AF_INET, &s->subnet, 4);
	struct nl_addr *via = nl_addr_build(AF_INET, &s->gateway, 4);
	struct nl_addr *src = nl_addr_build(AF_INET, &s->host_ip, 4);
	int e = -NLE_NOMEM;

	if (r && nh && dst && via && src) {
		nl_addr_set_prefixlen(dst, s->prefixlen);
		rtnl_route_set_family(r, AF_INET);
		rtnl_route_set_table(r, RT_TABLE_MAIN);
		rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
		rtnl_route_set_protocol(r, HOSTROUTE_PROTO);
		rtnl_route_set_type(r, RTN_UNICAST);
		e = rtnl_route_set_dst(r, dst);
		if (!e)
			e = rtnl_route_set_pref_src(r, src);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
		rtnl_route_add_nexthop(r, nh);
		nh = NULL; /* the route owns it */
		if (!e)
			e = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_REPLACE);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	nl_addr_put(src);
	rtnl_route_put(r);
	return nlerr(e);
}

/* The host end, as it must be: a veth whose peer is the datapath end. */
static int host_end(struct nl_sock *sk, const char *host, const char *dp, int *ifindex,
		    char err[CFG_ERR_LEN])
{
	struct rtnl_link *l = NULL;
	int e = nlerr(rtnl_link_get_kernel(sk, 0, host, &l)), peer = 0;

	if (e)
		return e;
	*ifindex = rtnl_link_get_ifindex(l);
	if (!rtnl_link_is_veth(l) || (peer = rtnl_link_get_link(l)) <= 0 ||
	    peer != (int)if_nametoindex(dp)) {
		snprintf(err, CFG_ERR_LEN, "%s exists but is not a veth paired with %s; "
			 "delete it or free the name", host, dp);
		e = -EEXIST;
	}
	rtnl_link_put(l);
	return e;
}

int hostlink_up(const struct hostlink_spec *s, char err[CFG_ERR_LEN])
{
	char host[CFG_IFNAMSIZ], dp[CFG_IFNAMSIZ], a[ADDR_PREFIX_STRLEN];
	struct nl_sock *sk = nl_socket_alloc();
	int ifindex = 0, dp_index, ret;

	hostlink_names(s->vni, host, dp);
	if (!sk || nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		snprintf(err, CFG_ERR_LEN, "cannot open a netlink socket");
		return -ENOMEM;
	}
	ret = host_end(sk, host, dp, &ifindex, err);
	if (ret == -ENOENT) {
		ret = make_pair(sk, host, dp, s->mtu);
		if (ret)
			snprintf(err, CFG_ERR_LEN, "cannot create the veth %s/%s: %s", host, dp,
				 strerror(-ret));
		else
			ret = host_end(sk, host, dp, &ifindex, err);
	}
	if (ret)
		goto out;
	dp_index = (int)if_nametoindex(dp);
	/* Forwarding on the host end: the replies steered into it (ctsteer.h)
	 * are forwarded to the client pod after conntrack undoes the NAT
	 * (ip_route_input_slow refuses to forward from an interface without
	 * it). arp_announce 2: see hostlink.h. */
	if ((ret = sysctl_if_set(host, "forwarding", "1")) ||
	    (ret = sysctl_if_set(host, "arp_announce", "2"))) {
		snprintf(err, CFG_ERR_LEN, "%s: cannot set net.ipv4.conf.%s: %s", host, host,
			 strerror(-ret));
		goto out;
	}
	/* No IPv6 on the pair (vtepd's ports take IPv4 only for now): its
	 * router solicitations would only be counted as drops. Best effort:
	 * a kernel without IPv6 has no such file. */
	sysctl_if_set6(host, "disable_ipv6", "1");
	sysctl_if_set6(dp, "disable_ipv6", "1");
	if ((ret = set_addr(sk, ifindex, s->host_ip)) && ret != -EEXIST) {
		snprintf(err, CFG_ERR_LEN, "%s: cannot add %s/32: %s", host,
			 addr_fmt_ip(s->host_ip, a), strerror(-ret));
		goto out;
	}
	if ((ret = link_set(sk, dp_index, s->mtu)) || (ret = link_set(sk, ifindex, s->mtu))) {
		snprintf(err, CFG_ERR_LEN, "cannot bring %s/%s up: %s", host, dp, strerror(-ret));
		goto out;
	}
	if ((ret = set_route(sk, ifindex, s)))
		snprintf(err, CFG_ERR_LEN, "%s: cannot route %s: %s", host,
			 addr_fmt_prefix(s->subnet, s->prefixlen, a), strerror(-ret));
out:
	nl_socket_free(sk);
	return ret;
}

int hostlink_delete(uint32_t vni)
{
	char host[CFG_IFNAMSIZ], dp[CFG_IFNAMSIZ];
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *l = rtnl_link_alloc();
	int ret = -ENOMEM;

	hostlink_names(vni, host, dp);
	if (sk && l && !nl_connect(sk, NETLINK_ROUTE)) {
		rtnl_link_set_name(l, host);
		ret = nlerr(rtnl_link_delete(sk, l));
		if (ret == -ENOENT)
			ret = 0;
	}
	rtnl_link_put(l);
	nl_socket_free(sk);
	return ret;
}
