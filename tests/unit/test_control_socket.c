/* test_control_socket.c - agent/ctl/control.c's socket server, serving the
 * fake daemon of control_test_util.h: permissions, stale sockets, partial
 * reads, pipelining, oversized and truncated requests, clients that never
 * finish or never read, and lib/ctlproto's client against it. What a
 * request means is the other test_control_*.c files' (control_dispatch
 * without a socket). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "control_test_util.h"
#include "log.h"

static char dir[64], path[128];
static struct control *ctl;

static void open_server(void)
{
	char sub[96];

	ct_reset();
	strcpy(dir, "/tmp/vtepd-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);
	ck_assert_int_eq(control_open_ops(ct_daemon, &ct_ops, path, &ctl), 0);
}

static void close_server(void)
{
	char sub[96];

	control_close(ctl);
	ctl = NULL;
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	strcpy(sa.sun_path, path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Drives the server (as the daemon's loop would) while sending data on fd,
 * then until fd has `lines` complete lines or EOF. Returns bytes read into
 * buf (NUL-terminated); *eof tells whether the server closed. */
static size_t exchange(int fd, const char *data, size_t len, int lines, char *buf, size_t cap,
		       bool *eof)
{
	long long deadline = now_ms() + 5000;
	size_t off = 0, got = 0;
	int seen = 0;

	*eof = false;
	while (now_ms() < deadline) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };

		if (off < len) {
			ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);

			if (w > 0)
				off += (size_t)w;
		}
		if (poll(&p, 1, 10) > 0)
			control_handle(ctl);
		for (;;) {
			ssize_t r = recv(fd, buf + got, cap - 1 - got, 0);

			if (r == 0)
				*eof = true;
			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++)
				seen += buf[got + (size_t)i] == '\n';
			got += (size_t)r;
		}
		buf[got] = '\0';
		if (off == len && (seen >= lines || *eof))
			break;
	}
	return got;
}

START_TEST(socket_permissions)
{
	struct stat st;
	char sub[96];

	open_server();
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	/* A second server on a live socket is refused; the first keeps it. */
	{
		struct control *two;

		ck_assert_int_eq(control_open_ops(ct_daemon, &ct_ops, path, &two), -EADDRINUSE);
		ck_assert_int_eq(stat(path, &st), 0);
	}
	close_server();
	ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

START_TEST(socket_stale)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sub[96];
	int fd;

	strcpy(dir, "/tmp/vtepd-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);
	/* A socket file nobody listens on: what a killed vtepd leaves. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(control_open_ops(ct_daemon, &ct_ops, path, &ctl), 0);
	close_server();

	/* A regular file is never deleted. */
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(control_open_ops(ct_daemon, &ct_ops, path, &ctl), -EEXIST);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(socket_request_reply)
{
	static const char req[] = "{\"cmd\":\"reload\"}\n";
	char buf[4096];
	bool eof;
	int fd;

	open_server();
	fd = connect_client();
	exchange(fd, req, sizeof(req) - 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert(!eof);
	ck_assert_int_eq(ct_rec.reload, 1);
	/* The connection stays open for the next request. */
	exchange(fd, req, sizeof(req) - 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert_int_eq(ct_rec.reload, 2);
	close(fd);
	close_server();
}
END_TEST

START_TEST(socket_partial_reads)
{
	static const char req[] = "{\"cmd\":\"ports.del\",\"args\":{\"ifname\":\"w9\"}}\n";
	char buf[4096];
	bool eof;
	int fd;

	open_server();
	fd = connect_client();
	/* One byte at a time, the server handling each. */
	for (size_t i = 0; i < sizeof(req) - 2; i++) {
		exchange(fd, req + i, 1, 0, buf, sizeof(buf), &eof);
		ck_assert_str_eq(buf, "");
		ck_assert_int_eq(ct_rec.port_del, 0);
	}
	exchange(fd, req + sizeof(req) - 2, 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert_str_eq(ct_rec.ifname, "w9");
	close(fd);
	close_server();
}
END_TEST

START_TEST(socket_pipelined)
{
	static const char reqs[] =
		"{\"cmd\":\"reload\"}\n"
		"\n"
		"{\"cmd\":\"nope\"}\n"
		"garbage\n"
		"{\"cmd\":\"version\"}\n";
	char buf[8192], *l2, *l3, *l4;
	bool eof;
	int fd;

	open_server();
	fd = connect_client();
	exchange(fd, reqs, sizeof(reqs) - 1, 4, buf, sizeof(buf), &eof);
	/* Four replies, in order; the blank line is skipped; errors do not
	 * end the connection. */
	ck_assert(!eof);
	l2 = strchr(buf, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l4 = strchr(l3, '\n') + 1;
	ck_assert(!strncmp(buf, "{\"ok\":true", 10));
	ck_assert(!strncmp(l2, "{\"ok\":false", 11) && strstr(l2, "unknown command"));
	ck_assert(!strncmp(l3, "{\"ok\":false", 11) && strstr(l3, "invalid JSON"));
	ck_assert(!strncmp(l4, "{\"ok\":true", 10) && strstr(l4, VTEP_VERSION));
	ck_assert_uint_eq(control_errors(ctl), 2);
	close(fd);
	close_server();
}
END_TEST

START_TEST(socket_oversized)
{
	size_t n = CTLPROTO_MAX_MSG + 4096;
	char *big = malloc(n), buf[4096];
	bool eof;
	int fd;

	memset(big, ' ', n);
	big[0] = '{';
	open_server();
	fd = connect_client();
	exchange(fd, big, CTLPROTO_MAX_MSG, 1, buf, sizeof(buf), &eof);
	ck_assert_ptr_nonnull(strstr(buf, "\"ok\":false"));
	ck_assert_ptr_nonnull(strstr(buf, "longer than"));
	/* and then the server hangs up */
	exchange(fd, "", 0, 2, buf, sizeof(buf), &eof);
	ck_assert(eof);
	ck_assert_uint_eq(control_errors(ctl), 1);
	close(fd);
	free(big);
	close_server();
}
END_TEST

START_TEST(socket_truncated_and_unterminated)
{
	static const char part[] = "{\"cmd\":\"routes.add\",\"args\":{\"vni\":1";
	static const char whole[] = "{\"cmd\":\"reload\"}";
	char buf[4096];
	bool eof;
	int fd;

	open_server();
	/* A request cut short by the client's shutdown: an error, then EOF. */
	fd = connect_client();
	exchange(fd, part, sizeof(part) - 1, 0, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "");
	shutdown(fd, SHUT_WR);
	exchange(fd, "", 0, 1, buf, sizeof(buf), &eof);
	ck_assert_ptr_nonnull(strstr(buf, "truncated"));
	exchange(fd, "", 0, 2, buf, sizeof(buf), &eof);
	ck_assert(eof);
	close(fd);
	/* One whole request per connection, no newline: answered. */
	fd = connect_client();
	exchange(fd, whole, sizeof(whole) - 1, 0, buf, sizeof(buf), &eof);
	shutdown(fd, SHUT_WR);
	exchange(fd, "", 0, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert_int_eq(ct_rec.reload, 1);
	close(fd);
	ck_assert_uint_eq(control_errors(ctl), 1);
	close_server();
}
END_TEST

START_TEST(socket_slow_client_does_not_block)
{
	static const char req[] = "{\"cmd\":\"reload\"}\n";
	char buf[4096];
	bool eof;
	int slow, fast, gone;

	open_server();
	/* One client sends half a request and stalls; another vanishes right
	 * after its request without reading the reply. */
	slow = connect_client();
	exchange(slow, "{\"cmd\":", 7, 0, buf, sizeof(buf), &eof);
	gone = connect_client();
	ck_assert_int_eq(send(gone, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	close(gone);
	fast = connect_client();
	exchange(fast, req, sizeof(req) - 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	/* The stalled client can still finish. */
	exchange(slow, "\"reload\"}\n", 10, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	close(slow);
	close(fast);
	close_server();
}
END_TEST

START_TEST(socket_reader_that_never_reads)
{
	char line[512], buf[4096];
	bool eof;
	int hog, fd;
	long long deadline;

	open_server();
	ct_rec.npeers = 3;
	/* Pipeline far more replies than a socket buffer holds, never read:
	 * the server must keep serving others. */
	hog = connect_client();
	snprintf(line, sizeof(line), "{\"cmd\":\"peers\"}\n");
	deadline = now_ms() + 2000;
	while (now_ms() < deadline) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };

		if (send(hog, line, strlen(line), MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			break;
		if (poll(&p, 1, 1) > 0)
			control_handle(ctl);
	}
	fd = connect_client();
	exchange(fd, "{\"cmd\":\"version\"}\n", 18, 1, buf, sizeof(buf), &eof);
	ck_assert_ptr_nonnull(strstr(buf, "\"ok\":true"));
	close(fd);
	close(hog);
	close_server();
}
END_TEST

struct server_thread {
	volatile int stop;
};

static void *serve(void *arg)
{
	struct server_thread *t = arg;

	while (!t->stop) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };

		if (poll(&p, 1, 10) > 0)
			control_handle(ctl);
	}
	return NULL;
}

START_TEST(client_roundtrip)
{
	struct server_thread t = { 0 };
	struct json_object *args = json_object_new_object(), *root, *data;
	const char *error, *note;
	pthread_t th;
	char err[256];
	bool ok;

	open_server();
	ct_rec.npeers = 2;
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &t), 0);
	ck_assert_int_eq(ctlproto_call(path, "peers", NULL, 5000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), 0);
	ck_assert(ok);
	ck_assert_int_eq(json_object_array_length(data), 2);
	json_object_put(root);

	json_object_object_add(args, "ifname", json_object_new_string("w1"));
	ct_rec.fail = ENODEV;
	ck_assert_int_eq(ctlproto_call(path, "ports.del", args, 5000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), 0);
	ck_assert(!ok);
	ck_assert_str_eq(error, "fake failure 19");
	json_object_put(root);
	ct_rec.fail = 0;

	ck_assert_int_eq(ctlproto_call(path, "bgp.routes", NULL, 5000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), 0);
	ck_assert(ok);
	ck_assert_ptr_nonnull(note);
	ck_assert_int_eq(json_object_array_length(data), 0);
	json_object_put(root);

	t.stop = 1;
	pthread_join(th, NULL);
	json_object_put(args);
	close_server();
	/* Gone: the client reports the socket as unreachable. */
	ck_assert_int_eq(ctlproto_call(path, "peers", NULL, 1000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), -ENOENT);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("control_socket");
	TCase *k = tcase_create("socket");

	/* A client that hangs up must never kill the daemon with SIGPIPE;
	 * control uses MSG_NOSIGNAL, so the default action stays. */
	signal(SIGPIPE, SIG_DFL);
	log_level = LOG_LVL_ERR;
	tcase_add_test(k, socket_permissions);
	tcase_add_test(k, socket_stale);
	tcase_add_test(k, socket_request_reply);
	tcase_add_test(k, socket_partial_reads);
	tcase_add_test(k, socket_pipelined);
	tcase_add_test(k, socket_oversized);
	tcase_add_test(k, socket_truncated_and_unterminated);
	tcase_add_test(k, socket_slow_client_does_not_block);
	tcase_add_test(k, socket_reader_that_never_reads);
	tcase_add_test(k, client_roundtrip);
	tcase_set_timeout(k, 30);
	suite_add_tcase(s, k);
	return s;
}
