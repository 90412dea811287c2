/* floorload.c - loads one encapsulation-floor program of bench/floor.bpf.c
 * with its rodata set and attaches it on a device's clsact ingress, in the
 * current network namespace (bench/progcost.sh runs it with nsenter).
 *
 *   floorload -d DEV -p PROG -r REDIRECT_DEV --osmac MAC --odmac MAC
 *             --osip IPV4 --odip IPV4 --vni N --ismac MAC --idmac MAC
 *
 * PROG is bench_encap_floor or bench_encap_floor_noadj. tc cannot set a
 * program's rodata, so this does what tc would: the filter goes in at
 * priority 1 handle 1 (where bench/lib.sh bn_tc puts bench_floor),
 * replacing what is there, in direct-action mode. The attached filter holds
 * the program; this process exits once it is in place. Prints the program
 * id.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static int parse_mac(const char *s, unsigned char m[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		m[i] = (unsigned char)b[i];
	}
	return 0;
}

/* The program's NAME_hi and NAME_lo: the address's first 4 bytes and last
 * 2, in wire order (the program stores them as they are). */
#define SET_MAC(name, m) do { \
	__u32 hi_; __u16 lo_; \
	memcpy(&hi_, (m), 4); memcpy(&lo_, (m) + 4, 2); \
	skel->rodata->name##_hi = hi_; skel->rodata->name##_lo = lo_; \
} while (0)

static void usage(void)
{
	fprintf(stderr, "usage: floorload -d DEV -p PROG -r REDIRECT_DEV --osmac MAC --odmac MAC "
		"--osip IPV4 --odip IPV4 --vni N --ismac MAC --idmac MAC\n");
	exit(2);
}

int main(int argc, char **argv)
{
	enum { O_OSMAC = 256, O_ODMAC, O_OSIP, O_ODIP, O_VNI, O_ISMAC, O_IDMAC };
	static const struct option lo[] = {
		{ "dev", 1, 0, 'd' }, { "prog", 1, 0, 'p' }, { "redirect", 1, 0, 'r' },
		{ "osmac", 1, 0, O_OSMAC }, { "odmac", 1, 0, O_ODMAC }, { "osip", 1, 0, O_OSIP },
		{ "odip", 1, 0, O_ODIP }, { "vni", 1, 0, O_VNI }, { "ismac", 1, 0, O_ISMAC },
		{ "idmac", 1, 0, O_IDMAC }, { 0, 0, 0, 0 }
	};
	const char *dev = NULL, *prog = NULL, *rdev = NULL;
	unsigned char osmac[6] = {0}, odmac[6] = {0}, ismac[6] = {0}, idmac[6] = {0};
	struct in_addr osip = {0}, odip = {0};
	unsigned long vni = 0;
	struct floor_bpf *skel;
	struct bpf_program *p, *want = NULL;
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	int c, err, ifindex, rifindex;
	char *end;

	while ((c = getopt_long(argc, argv, "d:p:r:", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'p': prog = optarg; break;
		case 'r': rdev = optarg; break;
		case O_OSMAC: if (parse_mac(optarg, osmac)) usage(); break;
		case O_ODMAC: if (parse_mac(optarg, odmac)) usage(); break;
		case O_ISMAC: if (parse_mac(optarg, ismac)) usage(); break;
		case O_IDMAC: if (parse_mac(optarg, idmac)) usage(); break;
		case O_OSIP: if (inet_pton(AF_INET, optarg, &osip) != 1) usage(); break;
		case O_ODIP: if (inet_pton(AF_INET, optarg, &odip) != 1) usage(); break;
		case O_VNI:
			vni = strtoul(optarg, &end, 0);
			if (*end || vni > 0xffffff)
				usage();
			break;
		default: usage();
		}
	}
	if (!dev || !prog || !rdev || optind != argc)
		usage();
	if (!(ifindex = (int)if_nametoindex(dev)) || !(rifindex = (int)if_nametoindex(rdev))) {
		fprintf(stderr, "floorload: no device %s or %s\n", dev, rdev);
		return 1;
	}

	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floorload: open: %s\n", strerror(errno));
		return 1;
	}
	SET_MAC(ef_osmac, osmac);
	SET_MAC(ef_odmac, odmac);
	SET_MAC(ef_ismac, ismac);
	SET_MAC(ef_idmac, idmac);
	skel->rodata->ef_osip = osip.s_addr;
	skel->rodata->ef_odip = odip.s_addr;
	skel->rodata->ef_vni = (__u32)vni;
	skel->rodata->ef_ifindex = (__u32)rifindex;
	/* Only the program asked for is loaded. */
	bpf_object__for_each_program(p, skel->obj) {
		if (!strcmp(bpf_program__name(p), prog))
			want = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!want) {
		fprintf(stderr, "floorload: no program %s in floor.bpf.o\n", prog);
		floor_bpf__destroy(skel);
		return 1;
	}
	err = floor_bpf__load(skel);
	if (!err) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1,
			    .prog_fd = bpf_program__fd(want), .flags = BPF_TC_F_REPLACE);

		libbpf_print_fn_t print;

		/* The clsact qdisc is usually there already (EEXIST): libbpf
		 * would print the kernel's complaint about it. */
		print = libbpf_set_print(NULL);
		err = bpf_tc_hook_create(&hook);
		libbpf_set_print(print);
		if (err == -EEXIST)
			err = 0;
		if (!err)
			err = bpf_tc_attach(&hook, &opts);
	}
	if (!err) {
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(bpf_program__fd(want), &info, &info_len);
		if (!err)
			printf("%u\n", info.id);
	}
	if (err)
		fprintf(stderr, "floorload: %s on %s: %s\n", prog, dev, strerror(-err));
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
