/* cleanup.c - see cleanup.h. */
#include "cleanup.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "hostlink.h"
#include "hostroute.h"
#include "loader.h"
#include "log.h"
#include "state.h"
#include "vtep_maps.h"

/* A vtepd answering on the socket would re-attach what we remove. */
static bool vtepd_running(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ok;
}

static void port_by_name(struct hostroute *hr, const struct cfg_port *p)
{
	int ifindex = (int)if_nametoindex(p->ifname);
	static const uint8_t none[16];

	if (!ifindex)
		return;
	loader_detach_port(ifindex, p->ifname);
	if (hr && p->ip)
		hostroute_del(hr, p->ip, ifindex);
	if (hr && memcmp(p->ip6, none, 16))
		hostroute6_del(hr, p->ip6, ifindex);
}

/* Ports the pinned map still names (added at run time and never saved, or
 * configured in an older file). */
static void pinned_ports(struct hostroute *hr, const char *bpffs)
{
	char path[PATH_MAX], name[IF_NAMESIZE];
	struct vtep_port vp;
	__u32 key, next;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", bpffs, VTEP_MAP_PORTS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	err = bpf_map_get_next_key(fd, NULL, &next);
	while (!err) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &vp) && if_indextoname(key, name) &&
		    !strncmp(name, vp.ifname, sizeof(vp.ifname))) {
			static const uint8_t none[16];

			loader_detach_port((int)key, name);
			if (hr && vp.ip)
				hostroute_del(hr, vp.ip, (int)key);
			if (hr && memcmp(vp.ip6, none, 16))
				hostroute6_del(hr, vp.ip6, (int)key);
		}
		err = bpf_map_get_next_key(fd, &key, &next);
	}
	close(fd);
}

static void pinned_hostlinks(const char *bpffs)
{
	char path[PATH_MAX];
	__u32 key, next;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", bpffs, VTEP_MAP_HOSTLINKS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	err = bpf_map_get_next_key(fd, NULL, &next);
	while (!err) {
		key = next;
		err = bpf_map_get_next_key(fd, &key, &next);
		if (!(key & VTEP_HOSTLINK_IF))
			hostlink_delete(key);
	}
	close(fd);
}

int cleanup_run(const struct vtep_config *cfg)
{
	struct hostroute *hr = NULL;
	char path[PATH_MAX], err[CFG_ERR_LEN];
	struct state st;
	size_t i;
	int ret;

	if (vtepd_running(cfg->control_socket)) {
		log_err("cleanup: vtepd is running (%s answers); stop it first",
			cfg->control_socket);
		return -EBUSY;
	}
	if ((ret = hostroute_open(&hr)))
		log_warn("cleanup: netlink: %s; host routes stay", strerror(-ret));
	for (i = 0; i < cfg->n_uplinks; i++) {
		int ifindex = (int)if_nametoindex(cfg->uplinks[i]);

		if (ifindex)
			loader_detach_uplink(ifindex, cfg->uplinks[i]);
	}
	for (i = 0; i < cfg->n_ports; i++)
		port_by_name(hr, &cfg->ports[i]);
	/* Only read a state file that exists: state_load would create the
	 * directory, and cleanup must not leave anything behind. */
	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, STATE_FILE);
	if (!access(path, F_OK)) {
		if (!state_load(cfg->state_dir, &st, err)) {
			for (i = 0; i < st.n_ports; i++)
				port_by_name(hr, &st.ports[i]);
			state_free(&st);
		} else {
			log_warn("cleanup: %s", err);
		}
	}
	pinned_ports(hr, cfg->bpffs);
	/* Host links: the configured ones and any an earlier file had
	 * (vtep_hostlinks' keys); deleting the pair takes its route along. */
	for (i = 0; i < cfg->n_vnis; i++)
		if (cfg->vnis[i].host_ip)
			hostlink_delete(cfg->vnis[i].vni);
	pinned_hostlinks(cfg->bpffs);
	if (hr) {
		hostroute_sweep(hr, NULL, NULL);
		hostroute6_sweep(hr, NULL, NULL);
		hostroute_close(hr);
	}
	ret = loader_unpin(cfg->bpffs);
	if (ret) {
		log_err("cleanup: cannot remove %s: %s", cfg->bpffs, strerror(-ret));
		return ret;
	}
	log_info("cleanup: programs detached, pins in %s removed", cfg->bpffs);
	return 0;
}
