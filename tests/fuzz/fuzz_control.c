/* fuzz_control.c - libFuzzer target for the control socket: the framing of
 * the real server (agent/ctl/control.c: lines, blank lines, a last request
 * without '\n', partial reads) and every request through control_dispatch()
 * and lib/ctlproto.c, against a fake daemon; and the same lines through the
 * CNI socket's dispatch (cnictl_dispatch(), agent/ctl/cnictl.c), which
 * shares the server and the argument readers.
 *
 * The input is what a client writes on the socket. It goes three ways, from
 * the same starting state:
 *   - split into requests as the server frames them (one per '\n'-ended
 *     line, blank lines skipped, an unterminated non-blank tail answered at
 *     the client's shutdown) and handed to control_dispatch() one by one;
 *   - written to the real server (control_open_ops on a socket in a private
 *     directory) in chunks of varying size, then shut down; the loop that
 *     vtepd runs (control_handle) answers until it hangs up;
 *   - the same requests handed to cnictl_dispatch() one by one.
 * The first two must give the same replies, byte for byte, and each reply
 * of either socket must be one line that ctlproto_decode_reply() reads.
 * Requests that decode are also encoded again (ctlproto_encode_request)
 * and must decode to the same command. Every log line the agent writes must
 * be one line of printable text (log_msg is replaced here to check it), at
 * debug level by hand and at info level through the socket (what is logged
 * differs): a request must not be able to forge log lines.
 *
 * The fake daemon (a struct control_ops table, as tests/unit/test_control_*.c
 * have) applies route and port edits to a real struct state with the real
 * checks (state_route_add & co. against a running configuration, in memory),
 * so accepted requests reach the state code too; peers, bgp.routes, status
 * and the configuration are canned, pods are the CNI side's. The fake CNI
 * side (struct cnictl_ops) keeps a real struct pods: every pod that cni.add
 * lets through, completed as vtepd completes it (host interface, MAC, MTU),
 * must pass pods_check(), the check pods.json is read back with: a pod the
 * socket accepts is one vtepd can reload after a restart.
 * Seeds: tests/fuzz/corpus/control/ (make_seeds.py: each request vtepctl
 * and vtepd-cni send, the requests and garbage of test_control_*.c and
 * test_cnictl.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cnictl.h"
#include "config.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"
#include "pods.h"
#include "rib.h"
#include "state.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* ---- logging: every line must stay one printable line ------------------- */

enum log_level log_level = LOG_LVL_DEBUG;

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	CHECK(n >= 0);
	for (size_t i = 0; line[i]; i++)
		CHECK((unsigned char)line[i] >= 0x20);
}

/* ---- the fake daemon --------------------------------------------------- */

static const char running_json[] =
	"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"up0\" },"
	"  \"limits\": { \"routes\": 32, \"fdb\": 32, \"ports\": 8 },"
	"  \"bgp\": { \"asn\": 65101, \"router_id\": \"192.0.2.1\","
	"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 65001 } ] },"
	"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
	"               \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\" },"
	"             { \"vni\": 200, \"subnet\": \"10.2.0.0/24\", \"gateway_ip\": \"10.2.0.1\","
	"               \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"65000:200\" } ],"
	"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\", \"mac\": \"auto\" } ],"
	"  \"routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.21/32\", \"vtep\": \"192.0.2.2\","
	"                \"mac\": \"02:00:00:00:00:21\" } ] }";

static struct vtep_config cfg;
static struct state st;
static struct daemon *const D = (struct daemon *)&st;   /* never dereferenced */

static int f_route_add(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN])
{
	(void)d;
	return state_route_add(&st, &cfg, NULL, r, err);
}

static int f_route_del(struct daemon *d, const struct cfg_route *key, char err[CFG_ERR_LEN])
{
	(void)d;
	return state_route_del(&st, &cfg, NULL, key, err);
}

static int f_port_add(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN])
{
	(void)d;
	return state_port_add(&st, &cfg, NULL, p, err);
}

static int f_port_del(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN])
{
	(void)d;
	return state_port_del(&st, &cfg, NULL, ifname, err);
}

/* What daemon_reload does with the edits before the datapath. */
static int f_reload(struct daemon *d, char err[CFG_ERR_LEN])
{
	struct cfg_port *ports = NULL;
	struct cfg_route *routes = NULL;
	size_t np, nr;
	int ret;

	(void)d;
	state_prune(&st, &cfg);
	ret = state_merge(&cfg, &st, &ports, &np, &routes, &nr, err);
	free(ports);
	free(routes);
	return ret;
}

static size_t f_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{
	static const enum bgp_state states[] = { BGP_ST_IDLE, BGP_ST_ESTABLISHED,
						 BGP_ST_OPENSENT };
	size_t n = 3 + st.n_ports;   /* varies with the edits */

	(void)d;
	for (size_t i = 0; i < n && i < max; i++) {
		out[i] = (struct bgp_peer_info){
			.address = htonl(0xc6336401 + (uint32_t)i), .asn = 65001 + (uint32_t)i,
			.state = states[i % 3], .uptime_s = i * 10, .prefixes_received = i,
			.routes_rejected = i / 2,
		};
		snprintf(out[i].last_error, sizeof(out[i].last_error), "%s",
			 i % 3 ? "" : "sent Cease/6 Other Configuration Change");
	}
	return n;
}

/* A few paths of both VNIs, ours and received, filtered as the RIB does. */
static int f_bgp_routes(struct daemon *d, uint32_t vni, uint32_t peer_address,
			control_bgp_route_fn fn, void *ctx)
{
	(void)d;
	for (uint32_t i = 0; i < 8; i++) {
		struct rib_route_info ri = { .vni = i & 1 ? 200 : 100, .seq = i };
		uint32_t peer = i % 3 ? htonl(0xc6336401 + i % 3) : 0;
		int ret;

		if ((vni && vni != ri.vni) || (peer_address && peer_address != peer))
			continue;
		ri.route.type = i & 2 ? EVPN_RT_IMET : EVPN_RT_MACIP;
		ri.route.mac[0] = 0x02;
		ri.route.mac[5] = (uint8_t)i;
		ri.route.ip.len = 4;
		ri.route.ip.v4 = htonl(0x0a010000 + i);
		ri.peer = peer ? i % 3 : 0;
		ri.best = i < 4;
		if (peer) {
			config_parse_rt(i & 1 ? "65000:200" : "65000:100", ri.rt[0]);
			ri.n_rt = 1;
		}
		if ((ret = fn(ctx, &ri, peer)))
			return ret;
	}
	return 0;
}

static const struct vtep_config *f_config(const struct daemon *d)
{
	(void)d;
	return &cfg;
}

static int f_status(struct daemon *d, struct uplink_status *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
	for (int f = 0; f < PROBE_F_COUNT; f++)
		out->features.have[f] = f != PROBE_F_xdp_meta;
	snprintf(out->features.note[PROBE_F_xdp_meta], sizeof(out->features.note[0]),
		 "cannot use helper");
	snprintf(out->xdp_program, sizeof(out->xdp_program), "not loaded");
	out->n_uplinks = 1;
	snprintf(out->uplinks[0].ifname, sizeof(out->uplinks[0].ifname), "up0");
	out->uplinks[0].ifindex = 7;
	out->uplinks[0].attached = true;
	out->uplinks[0].mode = UPLINK_MODE_TC;
	snprintf(out->uplinks[0].reason, sizeof(out->uplinks[0].reason),
		 "kernel lacks xdp_meta");
	return 0;
}

/* ---- the fake CNI side ------------------------------------------------ */

static struct pods pods;

static const struct pods *f_pods(const struct daemon *d)
{
	(void)d;
	return &pods;
}

static const struct control_ops fake_ops = {
	.route_add = f_route_add, .route_del = f_route_del,
	.port_add = f_port_add, .port_del = f_port_del, .reload = f_reload,
	.peers = f_peers, .bgp_routes = f_bgp_routes, .config = f_config, .status = f_status,
	.pods = f_pods,
};

/* cni.add as daemon_cni.c completes it: the host end's name (vt + 11 hex
 * digits), the pod end's MAC, the MTU. The record must be one that
 * pods.json reads back. */
static int c_add(struct daemon *d, const struct pod *req, struct cnictl_made *out,
		 char err[CFG_ERR_LEN])
{
	struct pod p = *req;
	uint32_t h = 2166136261u;

	(void)d;
	for (const char *s = p.container_id; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	snprintf(p.host_ifname, sizeof(p.host_ifname), "vt%011x", h);
	p.mac[0] = 0x02;
	memcpy(p.mac + 2, &h, 4);
	if (!p.mtu)
		p.mtu = 1450;
	CHECK(pods_check(&p, err) == 0);
	if (pods_by_ip(&pods, p.ip) && !pods_find(&pods, p.container_id, p.ifname)) {
		snprintf(err, CFG_ERR_LEN, "ip in use");
		return -EEXIST;
	}
	if (pods_put(&pods, &p))
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	memcpy(out->host_ifname, p.host_ifname, sizeof(out->host_ifname));
	memcpy(out->mac, p.mac, 6);
	out->host_mac[0] = 0x02;
	out->mtu = p.mtu;
	out->ip = p.ip;
	out->gateway = htonl(0x0a01fffe);
	return 0;
}

static int c_del(struct daemon *d, const char *container_id, const char *ifname, bool *removed,
		 char err[CFG_ERR_LEN])
{
	(void)d;
	(void)err;
	*removed = pods_remove(&pods, container_id, ifname);
	return 0;
}

static int c_check(struct daemon *d, const struct pod *req, char err[CFG_ERR_LEN])
{
	const struct pod *p = pods_find(&pods, req->container_id, req->ifname);

	(void)d;
	if (!p) {
		snprintf(err, CFG_ERR_LEN, "no attachment %s/%s", req->container_id, req->ifname);
		return -ENOENT;
	}
	if (p->ip != req->ip || p->vni != req->vni) {
		snprintf(err, CFG_ERR_LEN, "attachment differs");
		return -EINVAL;
	}
	return 0;
}

static int c_gc(struct daemon *d, const char *network, const struct cnictl_attachment *valid,
		size_t n, cnictl_removed_fn removed, void *ctx, char err[CFG_ERR_LEN])
{
	(void)d;
	(void)err;
	for (size_t i = 0; i < pods.n;) {
		const struct pod *p = &pods.v[i];
		bool keep = strcmp(p->network, network) != 0;

		for (size_t j = 0; j < n && !keep; j++)
			keep = !strcmp(valid[j].container_id, p->container_id) &&
			       !strcmp(valid[j].ifname, p->ifname);
		if (keep) {
			i++;
			continue;
		}
		removed(ctx, p);
		CHECK(pods_remove(&pods, p->container_id, p->ifname));
	}
	return 0;
}

static size_t c_count(const struct daemon *d)
{
	(void)d;
	return pods.n;
}

static const struct cnictl_ops cni_ops = {
	.add = c_add, .del = c_del, .check = c_check, .gc = c_gc, .count = c_count,
};

/* ---- set-up ------------------------------------------------------------ */

static struct control *ctl;
static char dir[64], sock_path[128];

static void reset_state(void)
{
	struct cfg_route r = { .vni = 200, .prefixlen = 32, .mac = { 2, 0, 0, 0, 0, 0x22 } };
	char err[CFG_ERR_LEN];

	struct pod p = { .container_id = "c0ffee", .ifname = "eth0", .netns = "/run/netns/p0",
			 .network = "pods", .host_ifname = "vt00000000001", .vni = 100,
			 .mac = { 2, 0, 0, 0, 0, 0x31 }, .mtu = 1450, .k8s_namespace = "default",
			 .k8s_name = "web-0", .k8s_uid = "u-0" };

	state_free(&st);
	r.prefix = htonl(0x0a020016);
	r.vtep = htonl(0xc0000202);
	if (state_route_add(&st, &cfg, NULL, &r, err))
		abort();
	/* One pod of the CNI side, as daemon_cni.c would hold it. */
	pods_free(&pods);
	p.ip = htonl(0x0a010105);
	if (pods_put(&pods, &p))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CFG_ERR_LEN];

	(void)argc;
	(void)argv;
	if (config_parse(running_json, &cfg, err)) {
		fprintf(stderr, "fuzz_control: running config: %s\n", err);
		abort();
	}
	reset_state();
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz-control-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sock_path, sizeof(sock_path), "%s/run/ctl.sock", dir);
	if (control_open_ops(D, &fake_ops, sock_path, &ctl)) {
		fprintf(stderr, "fuzz_control: control_open_ops %s failed\n", sock_path);
		abort();
	}
	return 0;
}

__attribute__((destructor)) static void cleanup(void)
{
	char sub[96];

	if (ctl)
		control_close(ctl);
	state_free(&st);
	pods_free(&pods);
	if (dir[0] && dir[strlen(dir) - 1] != 'X') {
		snprintf(sub, sizeof(sub), "%s/run", dir);
		rmdir(sub);
		rmdir(dir);
	}
}

/* ---- checks ------------------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		CHECK(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* One reply: one line that decodes. */
static void check_reply(const char *line, size_t len)
{
	struct json_object *root, *data;
	const char *error, *note;
	char err[256];
	bool ok;

	CHECK(len > 0 && line[len - 1] == '\n');
	CHECK(memchr(line, '\n', len) == line + len - 1);
	CHECK(ctlproto_decode_reply(line, len, &root, &ok, &data, &error, &note, err,
				    sizeof(err)) == 0);
	if (!ok)
		CHECK(error && error[0]);
	json_object_put(root);
}

/* A request that decodes is encoded again to the same command. */
static void roundtrip_request(const char *msg, size_t len)
{
	struct json_object *root, *args, *root2, *args2;
	const char *cmd, *cmd2;
	char err[256], *line;
	size_t n;

	if (ctlproto_decode_request(msg, len, &root, &cmd, &args, err, sizeof(err)))
		return;
	line = ctlproto_encode_request(cmd, args, &n);
	if (line) {
		CHECK(n == strlen(line) && n > 0 && line[n - 1] == '\n');
		CHECK(ctlproto_decode_request(line, n, &root2, &cmd2, &args2, err,
					      sizeof(err)) == 0);
		CHECK(!strcmp(cmd, cmd2));
		json_object_put(root2);
		free(line);
	}
	json_object_put(root);
}

static bool blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

static void dispatch_one(const char *msg, size_t n, struct buf *out)
{
	uint64_t errors = 0;
	char *reply;

	roundtrip_request(msg, n);
	reply = control_dispatch(D, &fake_ops, msg, n, &errors);
	CHECK(reply);
	check_reply(reply, strlen(reply));
	CHECK(errors <= 1);
	buf_add(out, reply, strlen(reply));
	free(reply);
}

/* One request through the CNI socket's dispatch: a reply line that
 * decodes (with the CNI code of a refusal), and at most one error counted. */
static void dispatch_cni(const char *msg, size_t n, struct buf *out)
{
	uint64_t errors = 0;
	char *reply = cnictl_dispatch(D, &cni_ops, msg, n, &errors, false);

	(void)out;
	CHECK(reply);
	check_reply(reply, strlen(reply));
	CHECK(errors <= 1);
	free(reply);
}

/* The server's framing, done by hand: the replies it must send. */
static void by_hand(const char *data, size_t size, struct buf *out,
		    void (*one)(const char *msg, size_t n, struct buf *out))
{
	size_t off = 0;

	while (off < size) {
		const char *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : size - off;

		if (!blank(data + off, n))
			one(data + off, n, out);
		off += n;
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The real server: write in chunks, shut down, read until it hangs up. */
static void by_socket(const char *data, size_t size, struct buf *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + 5000;
	uint32_t lcg = (uint32_t)size * 2654435761u + 1;
	size_t off = 0;
	bool shut = false, eof = false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	while (!eof) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };
		char rb[4096];
		ssize_t r;

		/* Partial writes of 1..64 bytes (or all at once, one in four). */
		if (off < size) {
			size_t chunk;

			lcg = lcg * 1103515245u + 12345u;
			chunk = (lcg >> 16) & 3 ? 1 + ((lcg >> 8) & 63) : size - off;
			if (chunk > size - off)
				chunk = size - off;
			r = send(fd, data + off, chunk, MSG_NOSIGNAL);
			if (r > 0)
				off += (size_t)r;
		} else if (!shut) {
			CHECK(shutdown(fd, SHUT_WR) == 0);
			shut = true;
		}
		if (poll(&p, 1, 0) > 0)
			control_handle(ctl);
		while ((r = recv(fd, rb, sizeof(rb), 0)) > 0)
			buf_add(out, rb, (size_t)r);
		if (r == 0)
			eof = true;
		else if (r < 0 && errno != EAGAIN)
			eof = true;   /* reset by the server: checked by the caller */
		if (!eof && shut) {
			/* Nothing left to send: sleep until the server or our
			 * end has something (no busy loop, no fixed delay). */
			struct pollfd w[2] = { { .fd = control_fd(ctl), .events = POLLIN },
					       { .fd = fd, .events = POLLIN } };

			if (poll(w, 2, 100) <= 0 && now_ms() > deadline)
				CHECK(!"the server neither answered nor hung up in 5 s");
		}
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf direct = { 0 }, sock = { 0 };

	if (size >= CTLPROTO_MAX_MSG)
		return -1;   /* the oversize path: tests/unit/test_control_{refused,socket}.c */
	/* What is logged differs by level (a refusal at debug only): each
	 * input by hand at debug, through the socket at info, which must not
	 * change a reply. */
	log_level = LOG_LVL_DEBUG;
	reset_state();
	by_hand((const char *)data, size, &direct, dispatch_one);
	log_level = LOG_LVL_INFO;
	reset_state();
	by_socket((const char *)data, size, &sock);
	/* Each reply is a line that decodes (checked in by_hand); the server
	 * sent the same ones, in order. */
	CHECK(direct.len == sock.len);
	CHECK(!direct.len || !memcmp(direct.p, sock.p, direct.len));
	free(direct.p);
	free(sock.p);
	/* The same requests on the CNI socket. */
	log_level = LOG_LVL_DEBUG;
	reset_state();
	by_hand((const char *)data, size, NULL, dispatch_cni);
	return 0;
}
