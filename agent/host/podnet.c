/* podnet.c - see podnet.h. The veth is made in one RTM_NEWLINK whose peer
 * carries IFLA_NET_NS_FD and the pod's interface name; then the pod end is
 * set up through a socket in the pod's namespace (podnet_ns.c); then the
 * host end comes up. Any failure deletes the host end, which takes the pod
 * end with it: a veth pair dies as a whole. */
#include "podnet_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "addr6.h"

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
	case NLE_RANGE:    return -ERANGE;
	default:           return -EIO;
	}
}

static struct nl_sock *host_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

static int make_veth(struct nl_sock *sk, const struct podnet_spec *s, int nsfd)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int e;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, s->host_ifname);
	rtnl_link_set_mtu(l, s->mtu);
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(peer, s->ifname);
	rtnl_link_set_mtu(peer, s->mtu);
	rtnl_link_set_ns_fd(peer, nsfd);
	rtnl_link_put(peer);
	e = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	return nlerr(e);
}

static int host_end(struct nl_sock *sk, const char *name, struct podnet_made *out)
{
	struct rtnl_link *l = NULL;
	struct nl_addr *a;
	int e = rtnl_link_get_kernel(sk, 0, name, &l);

	if (e)
		return nlerr(e);
	out->host_ifindex = rtnl_link_get_ifindex(l);
	a = rtnl_link_get_addr(l);
	if (a && nl_addr_get_len(a) == 6)
		memcpy(out->host_mac, nl_addr_get_binary_addr(a), 6);
	rtnl_link_put(l);
	return podnet_link_up(sk, out->host_ifindex);
}

int podnet_create(const struct podnet_spec *s, struct podnet_made *out, char err[CFG_ERR_LEN])
{
	struct nl_sock *pod = NULL, *host = NULL;
	int nsfd = -1, ret;
	bool made = false;

	memset(out, 0, sizeof(*out));
	ret = podnet_ns_socket(s->netns, &pod, &nsfd, err);
	if (ret)
		return ret;
	host = host_socket();
	if (!host) {
		ret = -ENOMEM;
		snprintf(err, CFG_ERR_LEN, "cannot open a netlink socket");
		goto out;
	}
	/* SPEC.md section 2, ADD: "If an interface of the requested name
	 * already exists in the container, the CNI plugin MUST return with an
	 * error." */
	ret = podnet_ns_has_link(pod, s->ifname);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "pod: %s", ret > 0 ?
			 "an interface of that name already exists in the namespace" : strerror(-ret));
		ret = ret > 0 ? -EEXIST : ret;
		goto out;
	}
	ret = make_veth(host, s, nsfd);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "cannot create the veth %s/%s (MTU %u): %s", s->host_ifname,
			 s->ifname, s->mtu, ret == -EEXIST ? "the host name is taken" : strerror(-ret));
		goto out;
	}
	made = true;
	if (!addr6_is_zero(s->ip6))
		ret = podnet_ns_enable6(nsfd, s->ifname, err);
	if (!ret)
		ret = podnet_ns_setup(pod, s, out->mac, err);
	if (!ret && (ret = host_end(host, s->host_ifname, out)))
		snprintf(err, CFG_ERR_LEN, "cannot bring up %s: %s", s->host_ifname, strerror(-ret));
out:
	if (ret && made)
		podnet_delete(s->host_ifname);
	if (nsfd >= 0)
		close(nsfd);
	nl_socket_free(pod);
	nl_socket_free(host);
	return ret;
}

int podnet_delete(const char *host_ifname)
{
	struct nl_sock *sk = host_socket();
	struct rtnl_link *l = rtnl_link_alloc();
	int ret = -ENOMEM;

	if (sk && l) {
		rtnl_link_set_name(l, host_ifname);
		ret = nlerr(rtnl_link_delete(sk, l));
		if (ret == -ENOENT || ret == -ENODEV)
			ret = 0;
	}
	rtnl_link_put(l);
	nl_socket_free(sk);
	return ret;
}

bool podnet_exists(const char *ifname)
{
	return if_nametoindex(ifname) != 0;
}

int podnet_check(const struct podnet_spec *s, const uint8_t mac[6], char err[CFG_ERR_LEN])
{
	struct nl_sock *pod = NULL, *host = NULL;
	struct rtnl_link *l = NULL;
	int nsfd = -1, ret;

	ret = podnet_ns_socket(s->netns, &pod, &nsfd, err);
	if (ret)
		return ret;
	ret = podnet_ns_check(pod, s, mac, err);
	if (!ret) {
		host = host_socket();
		ret = host ? nlerr(rtnl_link_get_kernel(host, 0, s->host_ifname, &l)) : -ENOMEM;
		if (ret)
			snprintf(err, CFG_ERR_LEN, "host: no interface %s", s->host_ifname);
		else if (!(rtnl_link_get_flags(l) & IFF_UP) && (ret = -EINVAL))
			snprintf(err, CFG_ERR_LEN, "host: %s is down", s->host_ifname);
	}
	rtnl_link_put(l);
	close(nsfd);
	nl_socket_free(pod);
	nl_socket_free(host);
	return ret;
}

int podnet_link_mtu(const char *ifname, uint32_t *mtu)
{
	struct nl_sock *sk = host_socket();
	struct rtnl_link *l = NULL;
	int ret = sk ? nlerr(rtnl_link_get_kernel(sk, 0, ifname, &l)) : -ENOMEM;

	if (!ret)
		*mtu = rtnl_link_get_mtu(l);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return ret;
}
