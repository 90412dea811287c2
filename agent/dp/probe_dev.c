/* probe_dev.c - what an uplink device's driver does in XDP (probe.h).
 *
 * Native XDP support comes from the kernel itself: the "netdev" generic
 * netlink family (Linux 6.3+) reports each device's xdp-features
 * (include/uapi/linux/netdev.h, enum netdev_xdp_act). Older kernels have no
 * such family; the answer is then "unknown" and `auto` does not gamble on it.
 *
 * Whether the driver gives XDP programs a metadata area is reported nowhere:
 * a driver passes meta_valid to xdp_prepare_buff(), and without it
 * bpf_xdp_adjust_meta() fails at run time (-ENOTSUPP), packet by packet. So
 * `auto` uses XDP only on drivers known to pass true; the list comes from
 * the drivers' receive paths in Linux 6.x (mlx4, fec, mvneta, qede, thunderx,
 * sparx5 and others pass false). `"uplink_attach": "xdp"` still forces XDP.
 */
#include "probe.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

/* include/uapi/linux/netdev.h (Linux 6.3+; Debian 12's headers are 6.1). */
#define PROBE_NETDEV_FAMILY        "netdev"
#define PROBE_NETDEV_CMD_DEV_GET   1
#define PROBE_NETDEV_A_IFINDEX     1
#define PROBE_NETDEV_A_XDP_FEAT    3
#define PROBE_NETDEV_A_MAX         3
#define PROBE_NETDEV_XDP_BASIC     (1ULL << 0)
#define PROBE_NETDEV_XDP_RX_SG     (1ULL << 5)

bool probe_driver_keeps_meta(const char *driver)
{
	static const char *const keep[] = {
		"mlx5_core", "i40e", "ice", "ixgbe", "igb", "igc", "bnxt_en", "nfp",
		"virtio_net", "tun", "veth", "stmmac", NULL,
	};
	const char *const *k;

	for (k = keep; *k; k++)
		if (!strcmp(*k, driver))
			return true;
	return false;
}

/* Driver name (ETHTOOL_GDRVINFO) and MTU; devices without ethtool support
 * keep driver "". */
static void dev_driver_mtu(const char *ifname, struct probe_dev *d)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	_Static_assert(sizeof(d->driver) == sizeof(info.driver), "driver name size");
	if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
		memcpy(d->driver, info.driver, sizeof(d->driver) - 1);
		d->driver[sizeof(d->driver) - 1] = '\0';
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		d->mtu = (unsigned int)ifr.ifr_mtu;
	close(fd);
}

static int on_dev(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[PROBE_NETDEV_A_MAX + 1] = {
		[PROBE_NETDEV_A_IFINDEX] = { .type = NLA_U32 },
		[PROBE_NETDEV_A_XDP_FEAT] = { .type = NLA_U64 },
	};
	struct nlattr *tb[PROBE_NETDEV_A_MAX + 1];
	uint64_t *feat = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PROBE_NETDEV_A_MAX, pol) ||
	    !tb[PROBE_NETDEV_A_XDP_FEAT])
		return NL_SKIP;
	*feat = nla_get_u64(tb[PROBE_NETDEV_A_XDP_FEAT]);
	return NL_OK;
}

/* The device's xdp-features. 0, -ENOENT (no netdev family: kernel older
 * than 6.3), or another -errno. */
static int dev_xdp_features(int ifindex, uint64_t *feat)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int fam, err;

	*feat = UINT64_MAX;
	if (!sk)
		return -ENOMEM;
	err = genl_connect(sk);
	if (err)
		goto out;
	fam = genl_ctrl_resolve(sk, PROBE_NETDEV_FAMILY);
	if (fam < 0) {
		err = -ENOENT;
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, 0,
				 PROBE_NETDEV_CMD_DEV_GET, 1) ||
	    nla_put_u32(msg, PROBE_NETDEV_A_IFINDEX, (uint32_t)ifindex)) {
		err = -ENOMEM;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_dev, feat);
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	err = err < 0 ? -EIO : (*feat == UINT64_MAX ? -ENODATA : 0);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return err;
}

int probe_device(int ifindex, const char *ifname, struct probe_dev *d)
{
	uint64_t feat;
	int err;

	memset(d, 0, sizeof(*d));
	d->xdp_native = d->xdp_sg = PROBE_UNKNOWN;
	dev_driver_mtu(ifname, d);
	d->veth = !strcmp(d->driver, "veth");
	d->meta_driver = probe_driver_keeps_meta(d->driver);
	err = dev_xdp_features(ifindex, &feat);
	if (err)
		return err == -ENOENT ? 0 : err;
	d->xdp_native = (feat & PROBE_NETDEV_XDP_BASIC) ? PROBE_YES : PROBE_NO;
	d->xdp_sg = (feat & PROBE_NETDEV_XDP_RX_SG) ? PROBE_YES : PROBE_NO;
	return 0;
}
