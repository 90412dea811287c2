/* harness.c - see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "counters.h"

static const char *const map_names[HM_COUNT] = {
	[HM_GLOBAL] = VTEP_MAP_GLOBAL,     [HM_VNIS] = VTEP_MAP_VNIS,
	[HM_PORTS] = VTEP_MAP_PORTS,       [HM_ROUTES] = VTEP_MAP_ROUTES,
	[HM_PREFIXES] = VTEP_MAP_PREFIXES, [HM_ROUTES6] = VTEP_MAP_ROUTES6,
	[HM_PREFIXES6] = VTEP_MAP_PREFIXES6,
	[HM_FDB] = VTEP_MAP_FDB,           [HM_REMOTES] = VTEP_MAP_REMOTES,
	[HM_STATS] = VTEP_MAP_STATS,       [HM_EVENTS] = VTEP_MAP_EVENTS,
	[HM_HOSTADDRS] = VTEP_MAP_HOSTADDRS, [HM_HOSTADDRS6] = VTEP_MAP_HOSTADDRS6,
	[HM_HOSTLINKS] = VTEP_MAP_HOSTLINKS, [HM_PORT_RATES] = VTEP_MAP_PORT_RATES,
};

int harness_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "harness: '%s' failed (status %d)\n", cmd, rc);
		return -EIO;
	}
	return 0;
}

/* Where the private bpffs goes: over the host's bpffs, in this process's
 * mount namespace only. An existing directory, so nothing is created on a
 * shared filesystem: a failed ck_assert in a forked test (or checked setup)
 * ends the child with _exit() before any teardown, and a directory made for
 * the mount (the former /run/vtep-ta-XXXXXX) stayed behind for good each
 * time. The mount itself goes with the namespace. */
#define HARNESS_BPFFS "/sys/fs/bpf"

int harness_init(struct harness *h, unsigned int flags)
{
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < HM_COUNT; i++)
		h->map_fd[i] = -1;
	if (flags & HARNESS_NETNS) {
		if (unshare(CLONE_NEWNET) < 0) {
			fprintf(stderr, "harness: unshare(CLONE_NEWNET): %s\n", strerror(errno));
			return -errno;
		}
		if (harness_sh("ip link set lo up"))
			return -EIO;
	}
	/* A private mount namespace: the bpffs mount dies with this process
	 * even if it crashes, and no other process ever sees it. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "harness: private mount namespace: %s\n", strerror(errno));
		return -errno;
	}
	snprintf(h->root, sizeof(h->root), "%s", HARNESS_BPFFS);
	if (mount("bpf", h->root, "bpf", 0, "mode=0700") < 0) {
		int err = -errno;

		fprintf(stderr, "harness: mount bpffs on %s: %s\n", h->root, strerror(errno));
		h->root[0] = '\0';
		return err;
	}
	h->mounted = 1;
	h->open_opts.sz = sizeof(h->open_opts);
	h->open_opts.pin_root_path = h->root;
	return 0;
}

void harness_fini(struct harness *h)
{
	if (h->rb)
		ring_buffer__free(h->rb);
	h->rb = NULL;
	for (int i = 0; i < HM_COUNT; i++) {
		if (h->map_fd[i] >= 0)
			close(h->map_fd[i]);
		h->map_fd[i] = -1;
	}
	/* A bpffs mount is its own superblock: unmounting it drops the pins. */
	if (h->mounted && umount2(h->root, MNT_DETACH) < 0)
		fprintf(stderr, "harness: umount %s: %s\n", h->root, strerror(errno));
	h->mounted = 0;
	h->root[0] = '\0';
}

const struct bpf_object_open_opts *harness_open_opts(struct harness *h)
{
	return &h->open_opts;
}

int harness_maps_open(struct harness *h)
{
	char path[128];
	int found = 0;

	for (int i = 0; i < HM_COUNT; i++) {
		if (h->map_fd[i] >= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", h->root, map_names[i]);
		h->map_fd[i] = bpf_obj_get(path);
		found += h->map_fd[i] >= 0;
	}
	if (!found) {
		fprintf(stderr, "harness: no pinned maps under %s\n", h->root);
		return -ENOENT;
	}
	return 0;
}

int harness_ifindex(const char *name)
{
	unsigned int i = if_nametoindex(name);

	return i ? (int)i : -errno;
}

int harness_ifmac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

int harness_veth(struct harness *h, const char *name, const char *peer)
{
	(void)h;
	if (harness_sh("ip link add %s type veth peer name %s && ip link set %s up && "
		       "ip link set %s up", name, peer, name, peer))
		return -EIO;
	return harness_ifindex(name);
}

int harness_map_update(struct harness *h, enum harness_map m, const void *key, const void *val)
{
	if (h->map_fd[m] < 0) {
		fprintf(stderr, "harness: map %s not open\n", map_names[m]);
		return -EBADF;
	}
	if (bpf_map_update_elem(h->map_fd[m], key, val, BPF_ANY) < 0) {
		int err = -errno;

		fprintf(stderr, "harness: update %s: %s\n", map_names[m], strerror(errno));
		return err;
	}
	return 0;
}

int harness_map_delete(struct harness *h, enum harness_map m, const void *key)
{
	if (h->map_fd[m] < 0)
		return -EBADF;
	return bpf_map_delete_elem(h->map_fd[m], key) < 0 ? -errno : 0;
}

int harness_global_set(struct harness *h, uint32_t vtep_ip, uint16_t udp_port)
{
	struct vtep_global g = {
		.vtep_ip = vtep_ip,
		.layout_version = VTEP_LAYOUT_VERSION,
		.vxlan_port = htons(udp_port),
	};
	uint32_t zero = 0;

	return harness_map_update(h, HM_GLOBAL, &zero, &g);
}

int harness_vni_add(struct harness *h, uint32_t vni, const struct vtep_vni *v)
{
	return harness_map_update(h, HM_VNIS, &vni, v);
}

int harness_port_add(struct harness *h, uint32_t ifindex, const struct vtep_port *port)
{
	return harness_map_update(h, HM_PORTS, &ifindex, port);
}

int harness_route_add(struct harness *h, uint32_t vni, uint32_t ip, const struct vtep_route *r)
{
	struct vtep_route_key k = { .vni = vni, .ip = ip };

	return harness_map_update(h, HM_ROUTES, &k, r);
}

int harness_prefix_add(struct harness *h, uint32_t vni, uint32_t ip, uint8_t len,
		       const struct vtep_route *r)
{
	struct vtep_prefix_key k = { .prefixlen = 32 + len, .vni = htonl(vni), .ip = ip };

	return harness_map_update(h, HM_PREFIXES, &k, r);
}

int harness_fdb_add(struct harness *h, uint32_t vni, const uint8_t mac[6], const struct vtep_fdb *f)
{
	struct vtep_fdb_key k = { .vni = vni };

	memcpy(k.mac, mac, 6);
	return harness_map_update(h, HM_FDB, &k, f);
}

int harness_remote_add(struct harness *h, uint32_t vtep_ip)
{
	struct vtep_remote r = { .refs = 1, .sources = 1u << VTEP_SRC_STATIC };

	return harness_map_update(h, HM_REMOTES, &vtep_ip, &r);
}

int harness_hostaddr_add(struct harness *h, uint32_t ip, uint32_t ifindex)
{
	struct vtep_hostaddr a = { .ifindex = ifindex };

	return harness_map_update(h, HM_HOSTADDRS, &ip, &a);
}

int harness_stats(struct harness *h, struct vtep_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *percpu;
	uint32_t zero = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0 || h->map_fd[HM_STATS] < 0)
		return -EINVAL;
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(h->map_fd[HM_STATS], &zero, percpu) < 0)
		err = -errno;
	else
		counters_sum(percpu, ncpu, out);
	free(percpu);
	return err;
}

uint64_t harness_stat_off(struct harness *h, size_t offset)
{
	struct vtep_stats s;
	uint64_t v;

	if (harness_stats(h, &s))
		return UINT64_MAX;
	memcpy(&v, (const char *)&s + offset, sizeof(v));
	return v;
}

void harness_stats_dump(struct harness *h, FILE *f)
{
	struct vtep_stats s;

	if (harness_stats(h, &s))
		return;
	for (size_t i = 0; i < counter_count; i++) {
		if (counter_value(&s, i))
			fprintf(f, "  %s = %llu\n", counter_descs[i].name,
				(unsigned long long)counter_value(&s, i));
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct harness *h = ctx;

	if (h->ev_n >= h->ev_max)
		return 1; /* stop consuming; the rest stays for the next call */
	memset(&h->ev_buf[h->ev_n], 0, sizeof(h->ev_buf[0]));
	memcpy(&h->ev_buf[h->ev_n], data,
	       size < sizeof(h->ev_buf[0]) ? size : sizeof(h->ev_buf[0]));
	h->ev_n++;
	return 0;
}

int harness_events(struct harness *h, struct vtep_event *ev, int max)
{
	int rc;

	if (h->map_fd[HM_EVENTS] < 0)
		return -EBADF;
	if (!h->rb) {
		h->rb = ring_buffer__new(h->map_fd[HM_EVENTS], on_event, h, NULL);
		if (!h->rb)
			return -errno;
	}
	h->ev_buf = ev;
	h->ev_max = max;
	h->ev_n = 0;
	rc = ring_buffer__consume(h->rb);
	if (rc < 0 && h->ev_n == 0)
		return rc;
	return h->ev_n;
}

static int run(int prog_fd, const void *ctx, size_t ctx_size, void *ctx_out,
	       const void *pkt, size_t len, struct harness_result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt,
		.data_size_in = (uint32_t)len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.ctx_in = ctx,
		.ctx_size_in = (uint32_t)ctx_size,
		.ctx_out = ctx_out,
		.ctx_size_out = ctx_out ? (uint32_t)ctx_size : 0,
		.repeat = 1,
	);

	r->err = bpf_prog_test_run_opts(prog_fd, &o) < 0 ? -errno : 0;
	r->retval = o.retval;
	r->out_len = r->err ? 0 : o.data_size_out;
	if (r->err)
		fprintf(stderr, "harness: BPF_PROG_TEST_RUN: %s\n", strerror(-r->err));
	return r->err;
}

int harness_run_tc_ctx(int prog_fd, const struct __sk_buff *ctx, const void *pkt, size_t len,
		       struct harness_result *r)
{
	memset(&r->skb_out, 0, sizeof(r->skb_out));
	return run(prog_fd, ctx, sizeof(*ctx), &r->skb_out, pkt, len, r);
}

int harness_run_tc(int prog_fd, uint32_t ifindex, const void *pkt, size_t len,
		   struct harness_result *r)
{
	struct __sk_buff ctx = { .ifindex = ifindex, .ingress_ifindex = ifindex };

	return harness_run_tc_ctx(prog_fd, &ctx, pkt, len, r);
}

int harness_run_xdp(int prog_fd, uint32_t ifindex, const void *pkt, size_t len,
		    struct harness_result *r)
{
	struct xdp_md ctx = { .ingress_ifindex = ifindex, .rx_queue_index = 0 };

	return run(prog_fd, &ctx, sizeof(ctx), NULL, pkt, len, r);
}

/* ------------------------------------------------- libbpf log capture */

static char bpflog_reason[256];
static libbpf_print_fn_t bpflog_prev;

/* The verifier's explanation in msg's "-- BEGIN PROG LOAD LOG --" block:
 * its last line that is not a statistic ("processed N insns ...",
 * "verification time ..."), as agent/bpflog.c reads it for vtepd. */
static int bpflog_verifier_line(const char *msg, char *out, size_t len)
{
	const char *p = strstr(msg, "-- BEGIN PROG LOAD LOG --");
	const char *end = strstr(msg, "-- END PROG LOAD LOG --");
	const char *line, *best = NULL;
	size_t best_len = 0;

	if (!p || !end || !(p = strchr(p, '\n')) || p > end)
		return 0;
	for (line = p + 1; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (n && strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17)) {
			best = line;
			best_len = n;
		}
		line += n + 1;
	}
	if (!best)
		return 0;
	snprintf(out, len, "%.*s", (int)best_len, best);
	return 1;
}

static int bpflog_keep(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL;
	size_t n;

	if (level != LIBBPF_WARN || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (!bpflog_verifier_line(msg, bpflog_reason, sizeof(bpflog_reason)) && !bpflog_reason[0])
		snprintf(bpflog_reason, sizeof(bpflog_reason), "%s",
			 strncmp(msg, "libbpf: ", 8) ? msg : msg + 8);
	free(msg);
	return 0;
}

void harness_bpflog_begin(void)
{
	bpflog_reason[0] = '\0';
	bpflog_prev = libbpf_set_print(bpflog_keep);
}

void harness_bpflog_end(char *reason, size_t len)
{
	libbpf_set_print(bpflog_prev); /* libbpf's own printer again */
	snprintf(reason, len, "%s", bpflog_reason);
	bpflog_reason[0] = '\0';
}
