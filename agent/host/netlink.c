/* netlink.c - see netlink.h. */
#include "netlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/rtnl.h>

#include "log.h"

#ifndef IFLA_TARGET_NETNSID
#define IFLA_TARGET_NETNSID 46 /* linux 4.20; older uapi headers lack it */
#endif

/* Big enough for a burst of link events (a node starting 100s of pods). */
#define NETLINK_RCVBUF (4 << 20)

struct netlink {
	struct nl_sock *ev;      /* RTNLGRP_LINK and RTNLGRP_TC events, non-blocking */
	struct nl_cb   *evcb;    /* ev's callbacks (a reference) */
	struct nl_sock *req;     /* dumps and requests, blocking */
	netlink_link_cb cb;
	void *ctx;
	netlink_addr_cb addr_cb;       /* netlink_watch_addrs(), or NULL */
	netlink_resync_cb addr_resync;
	void *addr_ctx;
	netlink_addr6_cb addr6_cb;     /* netlink_watch_addrs6(), or NULL */
	netlink_resync_cb addr6_resync;
	void *addr6_ctx;
	netlink_change_cb ul_cb;       /* netlink_watch_underlay(), or NULL */
	void *ul_ctx;
	bool ul_changed;               /* an underlay change in this burst */
};

/* libnl error codes are their own; map the ones we act on back to errno. */
static int nlerr_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:
		return -ENODEV;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int parse_link(struct nlmsghdr *nlh, struct netlink_link *out)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EINVAL;
	ifi = nlmsg_data(nlh);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->type = ifi->ifi_type;
	out->up = ifi->ifi_flags & IFF_UP;
	out->deleted = nlh->nlmsg_type == RTM_DELLINK;
	out->link_netnsid = -1;
	if (tb[IFLA_IFNAME])
		nla_strlcpy(out->ifname, tb[IFLA_IFNAME], sizeof(out->ifname));
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(out->mac, nla_data(tb[IFLA_ADDRESS]), 6);
		out->has_mac = true;
	}
	if (tb[IFLA_LINK] && nla_len(tb[IFLA_LINK]) >= 4)
		out->link_ifindex = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID] && nla_len(tb[IFLA_LINK_NETNSID]) >= 4)
		out->link_netnsid = nla_get_s32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_QDISC])
		nla_strlcpy(out->qdisc, tb[IFLA_QDISC], sizeof(out->qdisc));
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) >= 0 &&
	    info[IFLA_INFO_KIND])
		nla_strlcpy(out->kind, info[IFLA_INFO_KIND], sizeof(out->kind));
	/* A veth's IFLA_LINK is its peer; for other kinds it may name a
	 * lower device, which we never use. */
	if (strcmp(out->kind, "veth"))
		out->link_ifindex = 0;
	return 0;
}

static int parse_addr(struct nlmsghdr *nlh, struct netlink_addr *out)
{
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct ifaddrmsg *ifa;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -EINVAL;
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return -EINVAL;
	ifa = nlmsg_data(nlh);
	if (ifa->ifa_family != AF_INET)
		return -EINVAL;
	/* IFA_ADDRESS is the peer's on a point-to-point link; IFA_LOCAL is
	 * always ours when present (net/ipv4/devinet.c fills both). */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != 4)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->ifindex = (int)ifa->ifa_index;
	memcpy(&out->ip, nla_data(a), 4);
	out->prefixlen = ifa->ifa_prefixlen;
	out->deleted = nlh->nlmsg_type == RTM_DELADDR;
	return 0;
}

static int parse_addr6(struct nlmsghdr *nlh, struct netlink_addr6 *out)
{
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct ifaddrmsg *ifa;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -EINVAL;
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return -EINVAL;
	ifa = nlmsg_data(nlh);
	if (ifa->ifa_family != AF_INET6)
		return -EINVAL;
	/* net/ipv6/addrconf.c sends IFA_ADDRESS, and IFA_LOCAL as well only
	 * on a point-to-point link, where IFA_ADDRESS is the peer's */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != 16)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->ifindex = (int)ifa->ifa_index;
	memcpy(out->ip, nla_data(a), 16);
	out->prefixlen = ifa->ifa_prefixlen;
	out->flags = tb[IFA_FLAGS] && nla_len(tb[IFA_FLAGS]) >= 4 ? nla_get_u32(tb[IFA_FLAGS])
								: ifa->ifa_flags;
	out->deleted = nlh->nlmsg_type == RTM_DELADDR;
	return 0;
}

/* IPv4 route, IPv4 neighbour and link changes can move the underlay next
 * hop (the underlay is IPv4: IPv6 neighbour discovery is not a change). */
static bool is_underlay_change(struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return nlmsg_valid_hdr(nlh, sizeof(struct ndmsg)) &&
		       ((struct ndmsg *)nlmsg_data(nlh))->ndm_family == AF_INET;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return nlmsg_valid_hdr(nlh, sizeof(struct rtmsg)) &&
		       ((struct rtmsg *)nlmsg_data(nlh))->rtm_family == AF_INET;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return true;
	default:
		return false;
	}
}

static int get_link(struct netlink *nl, int ifindex, const char *ifname, int netnsid,
		    struct netlink_link *out);

/* The ifindex whose root qdisc this RTM_NEWQDISC / RTM_DELQDISC changed, or
 * 0. Only the root (TC_H_ROOT) decides how a device transmits; ingress and
 * clsact (TC_H_INGRESS, ours among them), classes and filters do not. */
static int root_qdisc_ifindex(struct nlmsghdr *nlh)
{
	const struct tcmsg *tcm;

	if ((nlh->nlmsg_type != RTM_NEWQDISC && nlh->nlmsg_type != RTM_DELQDISC) ||
	    !nlmsg_valid_hdr(nlh, sizeof(*tcm)))
		return 0;
	tcm = nlmsg_data(nlh);
	return tcm->tcm_parent == TC_H_ROOT && tcm->tcm_ifindex > 0 ? tcm->tcm_ifindex : 0;
}

/* A root qdisc changed: hand the link, re-read, to the link callback. The
 * request runs after the change is complete (both hold the RTNL), so after
 * a delete IFLA_QDISC already names the default qdisc put back. */
static void on_qdisc(struct netlink *nl, int ifindex)
{
	struct netlink_link l;

	if (!get_link(nl, ifindex, NULL, -1, &l))
		nl->cb(nl->ctx, &l);
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct netlink *nl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct netlink_addr6 a6;
	struct netlink_addr a;
	struct netlink_link l;
	int qdisc_if;

	if (nl->ul_cb && is_underlay_change(nlh))
		nl->ul_changed = true;
	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		if (nl->addr_cb && !parse_addr(nlh, &a))
			nl->addr_cb(nl->addr_ctx, &a);
		else if (nl->addr6_cb && !parse_addr6(nlh, &a6))
			nl->addr6_cb(nl->addr6_ctx, &a6);
		return NL_OK;
	}
	qdisc_if = root_qdisc_ifindex(nlh);
	if (qdisc_if) {
		on_qdisc(nl, qdisc_if);
		return NL_OK;
	}
	if (!parse_link(nlh, &l) && l.ifindex > 0)
		nl->cb(nl->ctx, &l);
	return NL_OK;
}

int netlink_open(netlink_link_cb cb, void *ctx, struct netlink **out)
{
	struct netlink *nl = calloc(1, sizeof(*nl));
	int err = -ENOMEM;

	if (!nl)
		return -ENOMEM;
	nl->cb = cb;
	nl->ctx = ctx;
	nl->ev = nl_socket_alloc();
	nl->req = nl_socket_alloc();
	if (!nl->ev || !nl->req)
		goto fail;
	nl_socket_disable_seq_check(nl->ev);
	nl_socket_modify_cb(nl->ev, NL_CB_VALID, NL_CB_CUSTOM, on_event, nl);
	nl->evcb = nl_socket_get_cb(nl->ev);
	/* Replies on the request socket come without acks: a GETLINK answer
	 * is one message, a dump ends in NLMSG_DONE. */
	nl_socket_disable_auto_ack(nl->req);
	if ((err = nl_connect(nl->ev, NETLINK_ROUTE)) ||
	    (err = nl_connect(nl->req, NETLINK_ROUTE)) ||
	    (err = nl_socket_add_membership(nl->ev, RTNLGRP_LINK)) ||
	    (err = nl_socket_add_membership(nl->ev, RTNLGRP_TC)) ||
	    (err = nl_socket_set_nonblocking(nl->ev))) {
		err = nlerr_to_errno(err);
		goto fail;
	}
	nl_socket_set_buffer_size(nl->ev, NETLINK_RCVBUF, 0);
	*out = nl;
	return 0;
fail:
	netlink_close(nl);
	return err;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	nl_cb_put(nl->evcb);
	nl_socket_free(nl->ev);
	nl_socket_free(nl->req);
	free(nl);
}

int netlink_fd(const struct netlink *nl)
{
	return nl_socket_get_fd(nl->ev);
}

void netlink_handle(struct netlink *nl)
{
	int n;

	/* nl_recvmsgs_report returns the number of messages handled; a
	 * non-blocking socket ends with -NLE_AGAIN. */
	while ((n = nl_recvmsgs_report(nl->ev, nl->evcb)) > 0)
		;
	if (n == 0 || n == -NLE_AGAIN) {
		if (nl->ul_changed && nl->ul_cb)
			nl->ul_cb(nl->ul_ctx);
		nl->ul_changed = false;
		return;
	}
	if (n == -NLE_NOMEM) {
		/* ENOBUFS: the kernel dropped events. Our view may be stale;
		 * a full dump tells us every interface again. */
		log_warn("netlink: link events were lost, rescanning interfaces%s",
			 nl->addr_resync || nl->addr6_resync ? " and addresses" : "");
		netlink_dump_links(nl);
		if (nl->addr_resync)
			nl->addr_resync(nl->addr_ctx);
		if (nl->addr6_resync)
			nl->addr6_resync(nl->addr6_ctx);
		if (nl->ul_cb)
			nl->ul_cb(nl->ul_ctx);
		nl->ul_changed = false;
		return;
	}
	log_warn("netlink: cannot read link events: %s", nl_geterror(n));
}

int netlink_dump_links(struct netlink *nl)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, nl);
	err = nl_rtgen_request(nl->req, RTM_GETLINK, AF_UNSPEC, NLM_F_DUMP);
	if (err >= 0)
		err = nl_recvmsgs(nl->req, cb);
	nl_cb_put(cb);
	if (err < 0) {
		log_warn("netlink: cannot list interfaces: %s", nl_geterror(err));
		return nlerr_to_errno(err);
	}
	return 0;
}

int netlink_watch_addrs(struct netlink *nl, netlink_addr_cb cb, netlink_resync_cb resync,
			void *ctx)
{
	int err;

	if (!cb) {
		/* The watcher goes; the membership stays (events are ignored). */
		nl->addr_cb = NULL;
		nl->addr_resync = NULL;
		nl->addr_ctx = NULL;
		return 0;
	}
	if (nl->addr_cb)
		return -EBUSY;
	err = nl_socket_add_membership(nl->ev, RTNLGRP_IPV4_IFADDR);
	if (err)
		return nlerr_to_errno(err);
	nl->addr_cb = cb;
	nl->addr_resync = resync;
	nl->addr_ctx = ctx;
	return 0;
}

int netlink_watch_addrs6(struct netlink *nl, netlink_addr6_cb cb, netlink_resync_cb resync,
			 void *ctx)
{
	int err;

	if (!cb) {
		nl->addr6_cb = NULL;
		nl->addr6_resync = NULL;
		nl->addr6_ctx = NULL;
		return 0;
	}
	if (nl->addr6_cb)
		return -EBUSY;
	err = nl_socket_add_membership(nl->ev, RTNLGRP_IPV6_IFADDR);
	if (err)
		return nlerr_to_errno(err);
	nl->addr6_cb = cb;
	nl->addr6_resync = resync;
	nl->addr6_ctx = ctx;
	return 0;
}

int netlink_watch_underlay(struct netlink *nl, netlink_change_cb cb, void *ctx)
{
	int err;

	if (!cb) {
		/* The watcher goes; the memberships stay (events are ignored). */
		nl->ul_cb = NULL;
		nl->ul_ctx = NULL;
		nl->ul_changed = false;
		return 0;
	}
	if (nl->ul_cb)
		return -EBUSY;
	if ((err = nl_socket_add_membership(nl->ev, RTNLGRP_IPV4_ROUTE)) ||
	    (err = nl_socket_add_membership(nl->ev, RTNLGRP_NEIGH)))
		return nlerr_to_errno(err);
	nl->ul_cb = cb;
	nl->ul_ctx = ctx;
	return 0;
}

struct addr_dump {
	netlink_addr_cb cb;
	void *ctx;
};

static int on_addr(struct nl_msg *msg, void *arg)
{
	struct addr_dump *ad = arg;
	struct netlink_addr a;

	if (!parse_addr(nlmsg_hdr(msg), &a))
		ad->cb(ad->ctx, &a);
	return NL_OK;
}

int netlink_dump_addrs(struct netlink *nl, netlink_addr_cb cb, void *ctx)
{
	struct nl_cb *ncb = nl_cb_alloc(NL_CB_DEFAULT);
	struct addr_dump ad = { .cb = cb, .ctx = ctx };
	int err;

	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, on_addr, &ad);
	err = nl_rtgen_request(nl->req, RTM_GETADDR, AF_INET, NLM_F_DUMP);
	if (err >= 0)
		err = nl_recvmsgs(nl->req, ncb);
	nl_cb_put(ncb);
	if (err < 0) {
		log_warn("netlink: cannot list addresses: %s", nl_geterror(err));
		return nlerr_to_errno(err);
	}
	return 0;
}

struct addr6_dump {
	netlink_addr6_cb cb;
	void *ctx;
};

static int on_addr6(struct nl_msg *msg, void *arg)
{
	struct addr6_dump *ad = arg;
	struct netlink_addr6 a;

	if (!parse_addr6(nlmsg_hdr(msg), &a))
		ad->cb(ad->ctx, &a);
	return NL_OK;
}

int netlink_dump_addrs6(struct netlink *nl, netlink_addr6_cb cb, void *ctx)
{
	struct nl_cb *ncb = nl_cb_alloc(NL_CB_DEFAULT);
	struct addr6_dump ad = { .cb = cb, .ctx = ctx };
	int err;

	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, on_addr6, &ad);
	err = nl_rtgen_request(nl->req, RTM_GETADDR, AF_INET6, NLM_F_DUMP);
	if (err >= 0)
		err = nl_recvmsgs(nl->req, ncb);
	nl_cb_put(ncb);
	if (err < 0) {
		log_warn("netlink: cannot list IPv6 addresses: %s", nl_geterror(err));
		return nlerr_to_errno(err);
	}
	return 0;
}

struct get_ctx {
	struct netlink_link *out;
	int found;
};

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct get_ctx *g = arg;

	if (!parse_link(nlmsg_hdr(msg), g->out))
		g->found = 1;
	return NL_OK;
}

/* RTM_GETLINK for one interface (by index or by name), optionally in a
 * namespace named by its id. */
static int get_link(struct netlink *nl, int ifindex, const char *ifname, int netnsid,
		    struct netlink_link *out)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct get_ctx g = { .out = out };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int err;

	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		err = -NLE_NOMEM;
		goto out;
	}
	if ((err = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO)) < 0)
		goto out;
	if (ifname && (err = nla_put_string(msg, IFLA_IFNAME, ifname)) < 0)
		goto out;
	if (netnsid >= 0 && (err = nla_put_s32(msg, IFLA_TARGET_NETNSID, netnsid)) < 0)
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &g);
	if ((err = nl_send_auto(nl->req, msg)) < 0)
		goto out;
	err = nl_recvmsgs(nl->req, cb);
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	if (err < 0)
		return nlerr_to_errno(err);
	return g.found ? 0 : -ENODEV;
}

int netlink_link_by_name(struct netlink *nl, const char *ifname, struct netlink_link *out)
{
	return get_link(nl, 0, ifname, -1, out);
}

int netlink_link_by_index(struct netlink *nl, int ifindex, int netnsid, struct netlink_link *out)
{
	return get_link(nl, ifindex, NULL, netnsid, out);
}
