/* kcount.c - counts what the kernel's own EVPN data path holds, for the
 * ingestion bench's FRR receiver (bench/ingest.sh, system frr_fwd): the
 * remote MACs zebra put in the bridge FDB of a VXLAN device and the
 * neighbours it put on the SVI. One netlink dump each, counted here: piping
 * `bridge fdb show` through wc takes seconds at a million entries.
 *
 *   kcount fdb DEV      FDB entries of DEV (a VXLAN device) with a remote
 *                       VTEP (NDA_DST), extern_learn or not
 *   kcount neigh DEV    IPv4 neighbours on DEV marked extern_learn
 *   kcount fdb-has DEV MAC / neigh-has DEV IP
 *                       exit 0 when that one entry is there: one
 *                       RTM_GETNEIGH for the key (no dump, so polling it
 *                       leaves the daemon that fills the tables alone)
 * Prints the count. Exit 1 on a netlink error.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "addr.h"

struct want {
	int family;             /* AF_BRIDGE or AF_INET */
	int ifindex;
	bool has_key;
	uint8_t mac[6];
	uint32_t ip;            /* network order */
};

/* Does one RTM_NEWNEIGH match w? */
static bool match(const struct nlmsghdr *h, const struct want *w)
{
	const struct ndmsg *nd = NLMSG_DATA(h);
	const struct rtattr *a = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	bool dst = false, key = !w->has_key;

	if (nd->ndm_family != w->family || nd->ndm_ifindex != w->ifindex)
		return false;
	if (w->family == AF_INET && !(nd->ndm_flags & NTF_EXT_LEARNED))
		return false;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_DST)
			dst = true;
		if (w->has_key && w->family == AF_BRIDGE && a->rta_type == NDA_LLADDR &&
		    RTA_PAYLOAD(a) == 6 && !memcmp(RTA_DATA(a), w->mac, 6))
			key = true;
		if (w->has_key && w->family == AF_INET && a->rta_type == NDA_DST &&
		    RTA_PAYLOAD(a) == 4 && !memcmp(RTA_DATA(a), &w->ip, 4))
			key = true;
	}
	return key && (w->family == AF_INET || dst);
}

/* One entry by its key (RTM_GETNEIGH without NLM_F_DUMP): 1 when it is
 * there, 0 when not, -errno. For the VXLAN device's FDB the request carries
 * NTF_SELF and the MAC (vxlan_fdb_get); for a neighbour, its IP. */
static long get_one(const struct want *w)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
		char attrs[64];
	} req;
	static char buf[1 << 16];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rtattr *a;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	long ret = -EPROTO;
	ssize_t r;

	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 1;
	req.nd.ndm_family = (uint8_t)w->family;
	req.nd.ndm_ifindex = w->ifindex;
	a = (struct rtattr *)req.attrs;
	if (w->family == AF_BRIDGE) {
		req.nd.ndm_flags = NTF_SELF;
		a->rta_type = NDA_LLADDR;
		a->rta_len = RTA_LENGTH(6);
		memcpy(RTA_DATA(a), w->mac, 6);
	} else {
		a->rta_type = NDA_DST;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &w->ip, 4);
	}
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd)) + RTA_ALIGN(a->rta_len);
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	r = recv(fd, buf, sizeof(buf), 0);
	if (r < 0) {
		ret = -errno;
	} else {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		int len = (int)r;

		if (NLMSG_OK(h, len)) {
			if (h->nlmsg_type == RTM_NEWNEIGH)
				ret = match(h, w) ? 1 : 0;
			else if (h->nlmsg_type == NLMSG_ERROR)
				ret = ((const struct nlmsgerr *)NLMSG_DATA(h))->error == -ENOENT ? 0 :
				      ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
	close(fd);
	return ret;
}

static long dump(const struct want *w)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req;
	static char buf[1 << 20];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), rcv = 8 << 20;
	long n = 0;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.nd.ndm_family = (uint8_t)w->family;
	req.nd.ndm_ifindex = w->ifindex;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		int len;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			break;
		}
		len = (int)r;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				n = e->error ? e->error : n;
				goto out;
			}
			if (h->nlmsg_type == RTM_NEWNEIGH && match(h, w)) {
				n++;
				if (w->has_key)
					goto out;
			}
		}
	}
out:
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	struct want w;
	long n;

	memset(&w, 0, sizeof(w));
	if (argc < 3 || (argc != 3 && argc != 4)) {
		fprintf(stderr, "usage: kcount fdb|neigh DEV | fdb-has DEV MAC | neigh-has DEV IP\n");
		return 2;
	}
	w.ifindex = (int)if_nametoindex(argv[2]);
	if (!w.ifindex) {
		fprintf(stderr, "kcount: no interface %s\n", argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "fdb") || !strcmp(argv[1], "fdb-has")) {
		w.family = AF_BRIDGE;
		if (argc == 4 && addr_parse_mac(argv[3], w.mac))
			return 2;
	} else if (!strcmp(argv[1], "neigh") || !strcmp(argv[1], "neigh-has")) {
		w.family = AF_INET;
		if (argc == 4 && addr_parse_ip(argv[3], &w.ip))
			return 2;
	} else {
		return 2;
	}
	w.has_key = argc == 4;
	n = w.has_key ? get_one(&w) : dump(&w);
	if (n < 0) {
		fprintf(stderr, "kcount: %s\n", strerror((int)-n));
		return 1;
	}
	printf("%ld\n", n);
	return w.has_key && !n ? 1 : 0;
}
