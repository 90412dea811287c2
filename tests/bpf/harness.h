/* harness.h - running the real BPF programs under BPF_PROG_TEST_RUN.
 *
 * One struct harness per test: a private network namespace (anonymous, so
 * it disappears with the process, never leaks a name), a private mount
 * namespace holding a fresh bpffs mounted over /sys/fs/bpf that the
 * skeletons pin their maps in (maps.bpf.h pins by name; the mount is
 * invisible to other processes, hides the host's pins from this one only,
 * and dies with it; no directory is created, so a test that dies leaves
 * nothing behind), and the fds of those pinned maps.
 * Every object loaded with harness_open_opts() shares the same maps, so a
 * test may load the port and the uplink programs side by side.
 *
 *	struct harness h;
 *	struct port_tc_bpf *skel;
 *
 *	ck_assert_int_eq(harness_init(&h, HARNESS_NETNS), 0);
 *	skel = port_tc_bpf__open_opts(harness_open_opts(&h));
 *	ck_assert_int_eq(port_tc_bpf__load(skel), 0);
 *	ck_assert_int_eq(harness_maps_open(&h), 0);     // after the first load
 *	ifindex = harness_veth(&h, "ta-w1", "ta-w1p");  // real devices
 *	harness_port_add(&h, ifindex, &port);  ... fill maps ...
 *	harness_run_tc(bpf_program__fd(skel->progs.x), ifindex, p.buf, p.len, &r);
 *	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
 *	ck_assert_uint_eq(harness_stat(&h, fwd_local), 1);
 *	port_tc_bpf__destroy(skel);
 *	harness_fini(&h);                                // unpins, unmounts
 *
 * Functions return 0 or -errno (harness_veth: the ifindex or -errno) and
 * print the reason on stderr. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
 * Check forks each test by default, so calling harness_init() in a checked
 * fixture gives every test fresh maps and a fresh namespace.
 *
 * Facts about BPF_PROG_TEST_RUN the helpers encode (net/bpf/test_run.c):
 * - skb programs: ctx ifindex names the device the skb is "received" on
 *   (dev_net of it is the FIB/redirect namespace); ingress_ifindex sets
 *   skb_iif; the linear data is limited to about 3.7 KB.
 * - bpf_redirect*() only record the target: the verdict comes back as
 *   TC_ACT_REDIRECT (XDP_REDIRECT for XDP) and nothing is transmitted.
 * - repeat > 1 re-runs on the already modified packet: always 1 here.
 */
#ifndef VTEP_TEST_HARNESS_H
#define VTEP_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/libbpf.h>
#include "vtep_maps.h"
#include "pkt.h"

enum harness_flags {
	HARNESS_NETNS = 0x1, /* unshare(CLONE_NEWNET) first, bring lo up */
};

enum harness_map {
	HM_GLOBAL, HM_VNIS, HM_PORTS, HM_ROUTES, HM_PREFIXES, HM_ROUTES6, HM_PREFIXES6,
	HM_FDB, HM_REMOTES, HM_STATS, HM_EVENTS, HM_HOSTADDRS, HM_HOSTADDRS6,
	HM_HOSTLINKS, HM_PORT_RATES, HM_COUNT
};

struct harness {
	char root[64];                /* the bpffs mount point */
	int mounted;
	int map_fd[HM_COUNT];         /* -1 until harness_maps_open() */
	struct bpf_object_open_opts open_opts;
	struct ring_buffer *rb;       /* lazily, by harness_events() */
	struct vtep_event *ev_buf;    /* harness_events() destination */
	int ev_max, ev_n;
};

struct harness_result {
	int err;                      /* bpf_prog_test_run_opts(): 0 or -errno */
	uint32_t retval;              /* the program's verdict */
	uint8_t out[PKT_BUF];         /* the packet after the program */
	uint32_t out_len;
	struct __sk_buff skb_out;     /* harness_run_tc*(): ctx after the run */
};

int harness_init(struct harness *h, unsigned int flags);
void harness_fini(struct harness *h);
/* Open options with pin_root_path = the private bpffs; valid until fini. */
const struct bpf_object_open_opts *harness_open_opts(struct harness *h);
/* Opens every pinned vtep_* map (missing ones stay -1). */
int harness_maps_open(struct harness *h);

/* Runs a shell command (printf-style) in the test's namespace; 0 or -EIO. */
int harness_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A veth pair, both ends up; returns the ifindex of `name`, or -errno. */
int harness_veth(struct harness *h, const char *name, const char *peer);
int harness_ifindex(const char *name);
/* The MAC of a device in the current namespace. */
int harness_ifmac(const char *name, uint8_t mac[6]);

/* Map fillers (key/value as in vtep_maps.h; addresses network order). */
int harness_global_set(struct harness *h, uint32_t vtep_ip, uint16_t udp_port);
int harness_vni_add(struct harness *h, uint32_t vni, const struct vtep_vni *v);
int harness_port_add(struct harness *h, uint32_t ifindex, const struct vtep_port *port);
int harness_route_add(struct harness *h, uint32_t vni, uint32_t ip, const struct vtep_route *r);
int harness_prefix_add(struct harness *h, uint32_t vni, uint32_t ip, uint8_t len,
		       const struct vtep_route *r);
int harness_fdb_add(struct harness *h, uint32_t vni, const uint8_t mac[6], const struct vtep_fdb *f);
int harness_remote_add(struct harness *h, uint32_t vtep_ip);
/* One of the host's own addresses (vtep_hostaddrs, as vtepd keeps it). */
int harness_hostaddr_add(struct harness *h, uint32_t ip, uint32_t ifindex);
/* Any map by role: update (BPF_ANY) or delete. */
int harness_map_update(struct harness *h, enum harness_map m, const void *key, const void *val);
int harness_map_delete(struct harness *h, enum harness_map m, const void *key);

/* Counters summed over CPUs; harness_stat(h, name) reads one by name. */
int harness_stats(struct harness *h, struct vtep_stats *out);
uint64_t harness_stat_off(struct harness *h, size_t offset);
#define harness_stat(h, name) harness_stat_off((h), offsetof(struct vtep_stats, name))
/* Prints every non-zero counter (for failure messages). */
void harness_stats_dump(struct harness *h, FILE *f);

/* Reads up to max events waiting in vtep_events; returns how many, or -errno. */
int harness_events(struct harness *h, struct vtep_event *ev, int max);

/* libbpf's messages during a load whose refusal the test wants to explain
 * (a kernel that cannot run a program is a skip, not a failure, and the
 * skip must say why): between begin and end they are kept instead of
 * printed (a refused load's verifier log runs to thousands of lines), and
 * end copies the telling line: the verifier's last line before its
 * statistics, or else libbpf's first warning ("" if there was none). */
void harness_bpflog_begin(void);
void harness_bpflog_end(char *reason, size_t len);

/* BPF_PROG_TEST_RUN of an skb (tc) program: ifindex and ingress_ifindex
 * both = ifindex (a tc ingress hook). _ctx takes a full __sk_buff (e.g. to
 * set gso_size/gso_segs); its data pointers must be 0. */
int harness_run_tc(int prog_fd, uint32_t ifindex, const void *pkt, size_t len,
		   struct harness_result *r);
int harness_run_tc_ctx(int prog_fd, const struct __sk_buff *ctx, const void *pkt, size_t len,
		       struct harness_result *r);
/* BPF_PROG_TEST_RUN of an XDP program received on ifindex, rx queue 0. */
int harness_run_xdp(int prog_fd, uint32_t ifindex, const void *pkt, size_t len,
		    struct harness_result *r);

#endif /* VTEP_TEST_HARNESS_H */
