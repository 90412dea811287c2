/* gen.c - the benchmark's traffic generator.
 *
 *   gen -i IFNAME [-n COUNT | -d SECONDS] [frame options] [-j]
 *
 * Builds one frame (bench/frame.h) and has the kernel transmit it COUNT times
 * (or for SECONDS) out of IFNAME, in the current network namespace: the XDP
 * program bench/gen.bpf.c returns bpf_redirect(IFNAME) and is run with
 * BPF_PROG_TEST_RUN + BPF_F_TEST_XDP_LIVE_FRAMES, which turns every
 * XDP_REDIRECT into a real transmission (kernel doc bpf_prog_run.rst, "Running
 * XDP programs in live frame mode"). The whole run stays on one CPU: the
 * receiving veth end's NAPI is scheduled there too, so a receiver that keeps
 * up gets every frame and a slower one drops at its ring.
 *
 * Reports frames run through the program and frames per second; whether they
 * arrived is for the receiver to count (bpf_stats, interface counters).
 *
 * --mode xsk sends through an AF_XDP socket instead (bench/xsk_tx.h), for
 * kernels that refuse live frames (EPERM); --mode auto (the default) tries
 * live frames first and falls back on EPERM. The JSON line names the mode.
 * --probe prints the mode auto would use and sends nothing.
 *
 * --relay A:B (xsk mode): the socket sends into veth end A, and this
 * program, attached as native XDP on its peer B, rewrites each frame and
 * redirects it out of IFNAME. The receiving end of IFNAME then gets
 * xdp_frames in its NAPI ring, as from live frames, and the socket's skbs
 * are consumed on the sending CPU (veth_xdp_rcv_skb copies each one into a
 * page for XDP and frees it there, so the socket's completion and
 * sock_wfree stay off the receiving CPU).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "frame.h"
#include "gen.skel.h"
#include "xsk_tx.h"

#define GEN_CHUNK (1u << 16) /* repeats per test run when sending for a time */

static volatile sig_atomic_t gen_stop;

struct gen_opts {
	const char *ifname;
	unsigned long long count;
	double seconds;
	int cpu;
	unsigned int batch;
	unsigned int spread;
	double zipf;       /* > 0: --spread destinations drawn Zipf(zipf), not in turn */
	int json;
	int stats;
	int probe;
	const char *relay; /* "A:B" */
	enum gen_mode { GEN_AUTO, GEN_LIVE, GEN_XSK } mode;
	struct frame_spec spec;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: gen -i IFNAME [-n COUNT | -d SECONDS] [-C CPU] [-B BATCH] [-j]\n"
"           [--smac M] [--dmac M] [--sip A] [--dip A] [--sport P] [--dport P]\n"
"           [--sip6 A --dip6 A] [--icmp] [--ns]\n"
"           [--size BYTES] [--arp] [--vlan ID] [--ethertype 0xNNNN] [--truncate BYTES]\n"
"           [--vxlan VNI --osmac M --odmac M --osip A --odip A [--osport P]]\n"
"           [--spread N [--zipf S]] [--stats] [--mode auto|live|xsk] [--probe]\n"
"           [--relay A:B]\n"
"Transmits one crafted frame out of IFNAME (this network namespace) at line rate\n"
"through XDP live-frame test runs; --spread walks the (inner) IPv4 destination or\n"
"ARP target over N consecutive addresses from --dip (IPv6: the low 32 bits of\n"
"--dip6, the UDP/ICMPv6 checksum patched), each in turn, or with --zipf S\n"
"draws them Zipf-distributed (rank k sent in proportion to 1/k^S: a few hot\n"
"destinations, a long tail; 65536 draws repeated). --sip6/--dip6 make the\n"
"(inner) packet IPv6; --icmp sends echo requests instead of UDP; --ns (IPv6) a\n"
"Neighbor Solicitation for --dip6 to its solicited-node address. --stats holds the kernel's\n"
"BPF run-time statistics on while sending (BPF_ENABLE_STATS), whatever anyone\n"
"does to kernel.bpf_stats_enabled meanwhile. --mode xsk sends through an AF_XDP\n"
"socket (copy mode) where live frames are refused; auto tries live first.\n"
"--probe prints the mode auto picks. --relay A:B (xsk): send into veth end A,\n"
"whose peer B redirects each frame out of IFNAME in XDP. Defaults: -n 1000000,\n"
"UDP 1024 -> 9, 60-byte frames.\n");
}

static void on_signal(int sig)
{
	(void)sig;
	gen_stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_u(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

enum {
	O_SMAC = 256, O_DMAC, O_SIP, O_DIP, O_SPORT, O_DPORT, O_SIZE, O_ARP, O_VLAN,
	O_ETYPE, O_TRUNC, O_VXLAN, O_OSMAC, O_ODMAC, O_OSIP, O_ODIP, O_OSPORT, O_SPREAD,
	O_STATS, O_MODE, O_PROBE, O_RELAY, O_ZIPF, O_SIP6, O_DIP6, O_ICMP, O_NS,
};

static const struct option long_opts[] = {
	{ "smac", 1, 0, O_SMAC }, { "dmac", 1, 0, O_DMAC },
	{ "sip", 1, 0, O_SIP }, { "dip", 1, 0, O_DIP },
	{ "sport", 1, 0, O_SPORT }, { "dport", 1, 0, O_DPORT },
	{ "size", 1, 0, O_SIZE }, { "arp", 0, 0, O_ARP },
	{ "vlan", 1, 0, O_VLAN }, { "ethertype", 1, 0, O_ETYPE },
	{ "truncate", 1, 0, O_TRUNC }, { "vxlan", 1, 0, O_VXLAN },
	{ "osmac", 1, 0, O_OSMAC }, { "odmac", 1, 0, O_ODMAC },
	{ "osip", 1, 0, O_OSIP }, { "odip", 1, 0, O_ODIP },
	{ "osport", 1, 0, O_OSPORT }, { "spread", 1, 0, O_SPREAD },
	{ "stats", 0, 0, O_STATS }, { "mode", 1, 0, O_MODE },
	{ "probe", 0, 0, O_PROBE }, { "relay", 1, 0, O_RELAY }, { "zipf", 1, 0, O_ZIPF },
	{ "sip6", 1, 0, O_SIP6 }, { "dip6", 1, 0, O_DIP6 },
	{ "icmp", 0, 0, O_ICMP }, { "ns", 0, 0, O_NS },
	{ "help", 0, 0, 'h' },
	{ 0 },
};

/* An IPv6 address into a (16 bytes, network order); sets the frame IPv6. */
static int parse_ip6(const char *str, uint8_t *a, struct frame_spec *s)
{
	s->ip6 = 1;
	return inet_pton(AF_INET6, str, a) == 1 ? 0 : -EINVAL;
}

/* Returns 0, 1 for --help, or -EINVAL with a message printed. */
static int parse_args(int argc, char **argv, struct gen_opts *o)
{
	struct frame_spec *s = &o->spec;
	unsigned long long v;
	int c, err = 0;

	memset(o, 0, sizeof(*o));
	o->count = 1000000;
	o->cpu = -1;
	frame_spec_init(s);
	while ((c = getopt_long(argc, argv, "i:n:d:C:B:jh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'n': err = parse_u(optarg, ~0ull, &o->count); break;
		case 'd': {
			char *end;

			o->seconds = strtod(optarg, &end);
			if (*end || o->seconds <= 0)
				err = -EINVAL;
			break;
		}
		case 'C': err = parse_u(optarg, CPU_SETSIZE - 1, &v); o->cpu = (int)v; break;
		case 'B': err = parse_u(optarg, 256, &v); o->batch = (unsigned int)v; break;
		case 'j': o->json = 1; break;
		case O_SMAC: err = addr_parse_mac(optarg, s->smac); break;
		case O_DMAC: err = addr_parse_mac(optarg, s->dmac); break;
		case O_SIP: err = addr_parse_ip(optarg, &s->sip); break;
		case O_DIP: err = addr_parse_ip(optarg, &s->dip); break;
		case O_SPORT: err = parse_u(optarg, 65535, &v); s->sport = (uint16_t)v; break;
		case O_DPORT: err = parse_u(optarg, 65535, &v); s->dport = (uint16_t)v; break;
		case O_SIZE: err = parse_u(optarg, FRAME_MAX, &v); s->size = v; break;
		case O_ARP: s->arp = 1; break;
		case O_VLAN: err = parse_u(optarg, 4095, &v); s->vlan = (int)v; break;
		case O_ETYPE: err = parse_u(optarg, 65535, &v); s->ethertype = (int)v; break;
		case O_TRUNC: err = parse_u(optarg, FRAME_MAX, &v); s->truncate = v; break;
		case O_VXLAN: err = parse_u(optarg, 0xffffff, &v); s->vxlan = 1; s->vni = (uint32_t)v; break;
		case O_OSMAC: err = addr_parse_mac(optarg, s->osmac); break;
		case O_ODMAC: err = addr_parse_mac(optarg, s->odmac); break;
		case O_OSIP: err = addr_parse_ip(optarg, &s->osip); break;
		case O_ODIP: err = addr_parse_ip(optarg, &s->odip); break;
		case O_OSPORT: err = parse_u(optarg, 65535, &v); s->osport = (uint16_t)v; break;
		case O_SPREAD: err = parse_u(optarg, 1u << 24, &v); o->spread = (unsigned int)v; break;
		case O_STATS: o->stats = 1; break;
		case O_MODE:
			if (!strcmp(optarg, "auto")) o->mode = GEN_AUTO;
			else if (!strcmp(optarg, "live")) o->mode = GEN_LIVE;
			else if (!strcmp(optarg, "xsk")) o->mode = GEN_XSK;
			else err = -EINVAL;
			break;
		case O_PROBE: o->probe = 1; break;
		case O_RELAY: o->relay = optarg; break;
		case O_ZIPF: {
			char *end;

			o->zipf = strtod(optarg, &end);
			if (*end || o->zipf <= 0 || o->zipf > 4)
				err = -EINVAL;
			break;
		}
		case O_SIP6: err = parse_ip6(optarg, s->sip6, s); break;
		case O_DIP6: err = parse_ip6(optarg, s->dip6, s); break;
		case O_ICMP: s->l4 = FRAME_ECHO; break;
		case O_NS: s->l4 = FRAME_NS; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -EINVAL;
		}
		if (err) {
			fprintf(stderr, "gen: bad value for option %s: %s\n",
				argv[optind - 1], optarg ? optarg : "");
			return -EINVAL;
		}
	}
	if ((!o->ifname && !o->probe) || optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	if (o->zipf > 0 && o->spread < 2) {
		fprintf(stderr, "gen: --zipf needs --spread N (N >= 2)\n");
		return -EINVAL;
	}
	/* An NS's destination follows its target: one field cannot walk both. */
	if ((s->l4 == FRAME_NS && (!s->ip6 || o->spread)) || (s->arp && s->ip6)) {
		fprintf(stderr, "gen: --ns needs --dip6 and no --spread; --arp is IPv4\n");
		return -EINVAL;
	}
	return 0;
}

/* GEN_ZIPF_N offsets in [0, n), rank k (0-based) drawn with probability
 * proportional to 1 / (k + 1)^s: the inverse of the cumulative
 * distribution, bisected, for uniform draws of a fixed seed (runs compare). */
#define GEN_ZIPF_N 65536
static uint32_t *zipf_table(unsigned int n, double s)
{
	double *cdf = malloc((size_t)n * sizeof(*cdf)), sum = 0;
	uint32_t *t = malloc(GEN_ZIPF_N * sizeof(*t));
	uint64_t x = 0x243f6a8885a308d3ull;
	unsigned int i;

	if (!cdf || !t) {
		free(cdf);
		free(t);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		sum += pow((double)i + 1, -s);
		cdf[i] = sum;
	}
	for (i = 0; i < GEN_ZIPF_N; i++) {
		double u;
		unsigned int lo = 0, hi = n - 1;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		u = (double)((x * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0 * sum;
		while (lo < hi) {
			unsigned int mid = lo + (hi - lo) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		t[i] = lo;
	}
	free(cdf);
	return t;
}

/* One test run of n frames; returns 0 or -errno. */
static int run_once(int prog_fd, const struct frame *f, unsigned int n, unsigned int batch)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = f->buf,
		.data_size_in = (__u32)f->len,
		.repeat = (int)n,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.batch_size = batch,
	);

	return bpf_prog_test_run_opts(prog_fd, &topts) ? -errno : 0;
}

/* Live frames for the time or count asked; returns frames sent or -errno. */
static long long send_live(struct gen_bpf *skel, const struct gen_opts *o, const struct frame *f)
{
	int fd = bpf_program__fd(skel->progs.bench_gen), err = 0;
	unsigned long long sent = 0, n;
	double t0 = now_s();

	if (o->seconds > 0) {
		while (!gen_stop && now_s() - t0 < o->seconds && !err) {
			err = run_once(fd, f, GEN_CHUNK, o->batch);
			if (!err)
				sent += GEN_CHUNK;
		}
	} else {
		while (!gen_stop && sent < o->count && !err) {
			n = o->count - sent;
			if (n > GEN_CHUNK * 64ull)
				n = GEN_CHUNK * 64ull;
			err = run_once(fd, f, (unsigned int)n, o->batch);
			if (!err)
				sent += n;
		}
	}
	if (err == -EINTR)
		err = 0; /* a signal ended the last run; its frames are not counted */
	return err ? err : (long long)sent;
}

/* Loads the generator program with the frame (tmpl_len 0: a program that
 * only aborts, for the probe). */
static struct gen_bpf *gen_load(unsigned int ifindex, const struct gen_opts *o,
				const struct frame *f, size_t len)
{
	struct gen_bpf *skel = gen_bpf__open();
	int err;

	if (!skel) {
		fprintf(stderr, "gen: open: %s\n", strerror(errno));
		return NULL;
	}
	if (f->len > sizeof(skel->rodata->tmpl)) {
		fprintf(stderr, "gen: a frame of %zu bytes is over the %zu the program copies\n",
			f->len, sizeof(skel->rodata->tmpl));
		goto fail;
	}
	skel->rodata->gen_ifindex = ifindex;
	skel->rodata->tmpl_len = (__u32)len;
	memcpy((void *)skel->rodata->tmpl, f->buf, f->len);
	if (o->spread) {
		uint32_t base;

		/* The template's own address: --dip, or --dip6's low 32 bits. */
		memcpy(&base, f->buf + f->addr_off, 4);
		skel->rodata->spread_n = o->spread;
		skel->rodata->spread_base = ntohl(base);
		skel->rodata->spread_off = (__u32)f->addr_off;
		skel->rodata->ipcsum_off = (__u32)f->ipcsum_off;
		skel->rodata->l4csum_off = (__u32)f->l4csum_off;
	}
	if (o->spread && o->zipf > 0) {
		uint32_t *t = zipf_table(o->spread, o->zipf);

		if (!t) {
			fprintf(stderr, "gen: out of memory for the Zipf table\n");
			goto fail;
		}
		skel->rodata->zipf_on = 1;
		memcpy((void *)skel->rodata->zipf_off, t, sizeof(skel->rodata->zipf_off));
		free(t);
	}
	err = gen_bpf__load(skel);
	if (!err)
		return skel;
	fprintf(stderr, "gen: load: %s\n", strerror(-err));
fail:
	gen_bpf__destroy(skel);
	return NULL;
}

/* Does this kernel run live frames? One test run of a program that only
 * aborts (nothing is transmitted): the kernel checks the flag first. */
static int live_allowed(const struct gen_opts *o, const struct frame *f)
{
	struct gen_bpf *skel = gen_load(1, o, f, 0);
	int err;

	if (!skel)
		return -1;
	err = run_once(bpf_program__fd(skel->progs.bench_gen), f, 1, 0);
	gen_bpf__destroy(skel);
	return err == -EPERM ? 0 : 1;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "gen: cpu %d: %s\n", cpu, strerror(errno));
		return -errno;
	}
	return 0;
}

static void report(const struct gen_opts *o, unsigned int ifindex, const struct frame *f,
		   unsigned long long sent, double secs)
{
	const char *mode = o->mode == GEN_XSK ? "xsk" : "live";
	double pps = secs > 0 ? sent / secs : 0.0;

	if (o->json)
		printf("{\"ifname\":\"%s\",\"ifindex\":%u,\"frame_bytes\":%zu,\"frames\":%llu,"
		       "\"seconds\":%.6f,\"pps\":%.0f,\"mode\":\"%s\"}\n", o->ifname, ifindex, f->len,
		       sent, secs, pps, mode);
	else
		printf("gen: %llu frames of %zu bytes out of %s in %.3f s: %.0f pps (%s)\n",
		       sent, f->len, o->ifname, secs, pps, mode);
}

/* --relay A:B: the program on B (native XDP) redirects to IFNAME; the socket
 * sends into A. Returns A's ifindex and sets *relay_ifindex, or 0. */
static unsigned int relay_setup(struct gen_bpf *skel, const char *relay,
				unsigned int *relay_ifindex)
{
	char a[2 * IF_NAMESIZE + 2] = "", *b;
	unsigned int ia;
	int err;

	snprintf(a, sizeof(a), "%s", relay);
	b = strchr(a, ':');
	if (b)
		*b++ = '\0';
	ia = b ? if_nametoindex(a) : 0;
	*relay_ifindex = ia ? if_nametoindex(b) : 0;
	if (!*relay_ifindex) {
		fprintf(stderr, "gen: --relay %s: need two interfaces A:B here\n", relay);
		return 0;
	}
	err = bpf_xdp_attach((int)*relay_ifindex, bpf_program__fd(skel->progs.bench_gen),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "gen: XDP on %s: %s\n", b, strerror(-err));
		*relay_ifindex = 0;
		return 0;
	}
	return ia;
}

int main(int argc, char **argv)
{
	struct gen_bpf *skel = NULL;
	struct xsk_tx *xsk = NULL;
	uint32_t *zipf = NULL;
	struct gen_opts o;
	struct frame f;
	unsigned int ifindex = 0, xsk_ifindex, relay_ifindex = 0;
	long long sent;
	double t0;
	int err, live, stats_fd = -1, rc = 1;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (frame_build(&o.spec, &f)) {
		fprintf(stderr, "gen: frame does not fit %d bytes\n", FRAME_MAX);
		return 2;
	}
	if (o.mode == GEN_AUTO || o.probe) {
		live = live_allowed(&o, &f);
		if (live < 0)
			return 1;
		if (o.probe) {
			printf("%s\n", live ? "live" : "xsk");
			return 0;
		}
		o.mode = live ? GEN_LIVE : GEN_XSK;
	}
	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		fprintf(stderr, "gen: no interface %s in this namespace\n", o.ifname);
		return 1;
	}
	if (pin_cpu(o.cpu))
		return 1;
	if ((o.mode == GEN_LIVE || o.relay) && !(skel = gen_load(ifindex, &o, &f, f.len)))
		return 1;
	xsk_ifindex = ifindex;
	if (o.mode == GEN_XSK && o.relay &&
	    !(xsk_ifindex = relay_setup(skel, o.relay, &relay_ifindex)))
		goto out;
	/* Through the relay the program writes every frame (spread too). */
	if (o.mode == GEN_XSK && !o.relay && o.zipf > 0 &&
	    !(zipf = zipf_table(o.spread, o.zipf))) {
		fprintf(stderr, "gen: out of memory for the Zipf table\n");
		goto out;
	}
	if (o.mode == GEN_XSK &&
	    !(xsk = xsk_tx_open(xsk_ifindex, &f, o.relay ? 0 : o.spread, zipf,
				zipf ? GEN_ZIPF_N : 0))) {
		fprintf(stderr, "gen: AF_XDP socket on %s: %s\n", o.ifname, strerror(errno));
		goto out;
	}
	/* The sysctl is global and other benchmarks flip it; an fd from
	 * BPF_ENABLE_STATS keeps the statistics on until it is closed. */
	if (o.stats && (stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) < 0) {
		fprintf(stderr, "gen: BPF_ENABLE_STATS: %s\n", strerror(-stats_fd));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_s();
	sent = o.mode == GEN_LIVE ? send_live(skel, &o, &f) :
				    xsk_tx_run(xsk, o.count, o.seconds, &gen_stop);
	if (sent < 0)
		fprintf(stderr, "gen: %s on %s: %s\n", o.mode == GEN_LIVE ? "test run" : "AF_XDP",
			o.ifname, strerror((int)-sent));
	else {
		report(&o, ifindex, &f, (unsigned long long)sent, now_s() - t0);
		rc = 0;
	}
out:
	if (stats_fd >= 0)
		close(stats_fd);
	xsk_tx_close(xsk);
	free(zipf);
	if (relay_ifindex)
		bpf_xdp_detach((int)relay_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	gen_bpf__destroy(skel);
	return rc;
}
