/* control.c - the control socket server (see control.h, lib/ctlproto.h).
 *
 * Everything is non-blocking and event driven from one private epoll set:
 * the listener, a timer that reaps idle clients, and the clients. Each client
 * owns an input buffer of CTLPROTO_MAX_MSG bytes and at most one pending
 * reply; while a reply is unsent the client is not read (back-pressure), so
 * a client that sends and never reads costs one buffer, never the loop.
 * Each complete request goes to control_dispatch() (control_dispatch.c).
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctlproto.h"
#include "log.h"

#define CONTROL_MAX_CLIENTS 32
#define CONTROL_IDLE_MS     10000   /* a client silent this long is dropped */
/* A request must be complete this long after its first byte: a client that
 * trickles bytes (slowloris) would otherwise hold a slot forever, and
 * CONTROL_MAX_CLIENTS of them would lock vtepctl out. */
#define CONTROL_REQUEST_MS  10000
#define CONTROL_TICK_S      2
#define CONTROL_BACKLOG     16

struct client {
	int fd;
	char *in;              /* CTLPROTO_MAX_MSG bytes */
	size_t inlen;
	char *out;             /* the one pending reply */
	size_t outlen, outoff;
	bool eof;              /* the client shut down its write side */
	bool closing;          /* close once out is flushed */
	uint32_t events;       /* what epoll watches for it */
	long long last_ms;
	long long req_ms;      /* when the partial request in `in` began */
	struct client *prev, *next;
};

struct control {
	struct daemon *d;
	const void *ops;
	control_serve_fn serve;     /* control_dispatch, or another socket's */
	size_t max_clients;
	int ep, lfd, tfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client *clients;
	size_t nclients;
	uint64_t errors;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sockets ---- */

static void client_free(struct control *c, struct client *cl)
{
	epoll_ctl(c->ep, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	if (cl->prev)
		cl->prev->next = cl->next;
	else
		c->clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	free(cl->in);
	free(cl->out);
	free(cl);
	c->nclients--;
	if (!c->nclients) {
		struct itimerspec off = { 0 };

		timerfd_settime(c->tfd, 0, &off, NULL);
	}
}

static void client_watch(struct control *c, struct client *cl, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = cl };

	if (cl->events == events)
		return;
	if (!epoll_ctl(c->ep, EPOLL_CTL_MOD, cl->fd, &ev))
		cl->events = events;
}

/* Queues a reply; NULL (out of memory) just closes the client. */
static void client_queue(struct client *cl, char *reply)
{
	if (!reply) {
		cl->closing = true;
		return;
	}
	cl->out = reply;
	cl->outlen = strlen(reply);
	cl->outoff = 0;
}

static bool is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* Turns buffered input into at most one queued reply. */
static void client_next(struct control *c, struct client *cl)
{
	while (!cl->outlen && !cl->closing) {
		char *nl = memchr(cl->in, '\n', cl->inlen);
		size_t n;

		if (!nl) {
			if (cl->inlen >= CTLPROTO_MAX_MSG) {
				char m[64];

				snprintf(m, sizeof(m), "request longer than %d bytes",
					 CTLPROTO_MAX_MSG);
				c->errors++;
				client_queue(cl, ctlproto_encode_error(m, NULL));
				cl->closing = true;
			} else if (cl->eof) {
				/* The client shut down its write side: a final
				 * unterminated request is still answered (one
				 * request per connection), then we close. */
				if (!is_blank(cl->in, cl->inlen))
					client_queue(cl, control_dispatch(c->d, c->ops, cl->in,
									  cl->inlen, &c->errors));
				cl->inlen = 0;
				cl->closing = true;
			}
			return;
		}
		n = (size_t)(nl - cl->in) + 1;
		/* A blank line is no request (keeps `echo | nc -U` quiet). */
		if (!is_blank(cl->in, n))
			client_queue(cl, c->serve(c->d, c->ops, cl->in, n, &c->errors, cl->fd));
		memmove(cl->in, cl->in + n, cl->inlen - n);
		cl->inlen -= n;
		if (cl->inlen)
			cl->req_ms = now_ms();   /* what is left starts a new request */
	}
}

/* 1: reply fully sent, 0: the socket is full, -1: the client is gone. */
static int client_flush(struct client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t w = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		cl->outoff += (size_t)w;
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return 1;
}

/* Answers what is buffered, a few replies at a time so that one client that
 * pipelines many requests cannot hold the loop; when work is left it waits
 * for EPOLLOUT, which fires as soon as the socket can take more. */
static void client_pump(struct control *c, struct client *cl)
{
	for (int budget = 8; budget > 0; budget--) {
		client_next(c, cl);
		if (cl->outlen) {
			int r = client_flush(cl);

			if (r < 0) {
				client_free(c, cl);
				return;
			}
			if (r == 0) {
				client_watch(c, cl, EPOLLOUT);
				return;
			}
			continue;
		}
		if (cl->closing) {
			client_free(c, cl);
			return;
		}
		client_watch(c, cl, EPOLLIN);
		return;
	}
	client_watch(c, cl, EPOLLOUT);
}

/* Reads what the socket holds; false when the client was dropped. */
static bool client_read(struct control *c, struct client *cl)
{
	ssize_t r = recv(cl->fd, cl->in + cl->inlen, CTLPROTO_MAX_MSG - cl->inlen, MSG_DONTWAIT);

	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return true;
		client_free(c, cl);
		return false;
	}
	if (r == 0) {
		cl->eof = true;
	} else {
		if (!cl->inlen)
			cl->req_ms = now_ms();
		cl->inlen += (size_t)r;
	}
	cl->last_ms = now_ms();
	return true;
}

static void accept_clients(struct control *c)
{
	for (int i = 0; i < CONTROL_BACKLOG; i++) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *cl;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("control: accept: %s", strerror(errno));
			return;
		}
		if (c->nclients >= c->max_clients) {
			static const char busy[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";

			c->errors++;
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("control: refusing a client: %s", strerror(errno));
			close(fd);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (cl)
			cl->in = malloc(CTLPROTO_MAX_MSG);
		ev.data.ptr = cl;
		if (!cl || !cl->in || epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev)) {
			if (cl)
				free(cl->in);
			free(cl);
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->events = EPOLLIN;
		cl->last_ms = now_ms();
		cl->next = c->clients;
		if (c->clients)
			c->clients->prev = cl;
		c->clients = cl;
		if (!c->nclients++) {
			struct itimerspec t = { .it_interval = { CONTROL_TICK_S, 0 },
						.it_value = { CONTROL_TICK_S, 0 } };

			timerfd_settime(c->tfd, 0, &t, NULL);
		}
	}
}

static void reap_idle(struct control *c)
{
	long long now = now_ms();
	uint64_t ticks;

	if (read(c->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("control: timerfd: %s", strerror(errno));
	for (struct client *cl = c->clients, *next; cl; cl = next) {
		next = cl->next;
		if (now - cl->last_ms > CONTROL_IDLE_MS) {
			log_debug("control: dropping a client idle for %d ms", CONTROL_IDLE_MS);
			client_free(c, cl);
		} else if (cl->inlen && !cl->outlen && now - cl->req_ms > CONTROL_REQUEST_MS) {
			c->errors++;
			log_warn("control: dropping a client whose request took more than %d ms "
				 "(%zu bytes so far)", CONTROL_REQUEST_MS, cl->inlen);
			client_free(c, cl);
		}
	}
}

void control_handle(struct control *c)
{
	struct epoll_event evs[16];
	int n = epoll_wait(c->ep, evs, 16, 0);

	for (int i = 0; i < n; i++) {
		void *p = evs[i].data.ptr;
		struct client *cl;

		if (p == &c->lfd) {
			accept_clients(c);
			continue;
		}
		if (p == &c->tfd) {
			reap_idle(c);
			continue;
		}
		/* A client dropped by an earlier event of this batch (the idle
		 * reaper) may still have an event here: only live ones count. */
		for (cl = c->clients; cl && cl != p; cl = cl->next)
			;
		if (!cl)
			continue;
		if (!cl->outlen && !cl->closing && !cl->eof &&
		    (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !client_read(c, cl))
			continue;
		if (evs[i].events & EPOLLOUT)
			cl->last_ms = now_ms();
		client_pump(c, cl);
	}
}

bool control_peer_gone(int peer_fd)
{
	struct pollfd p = { .fd = peer_fd, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

int control_fd(const struct control *c)
{
	return c->ep;
}

uint64_t control_errors(const struct control *c)
{
	return c->errors;
}

/* Creates the missing directories of the socket's path, 0700: the socket
 * is for root's vtepctl only. */
static int make_parent_dirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file left by a vtepd that died is removed; one that still
 * answers belongs to a running vtepd and is left alone. */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, live;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno == EAGAIN;
	close(fd);
	if (live)
		return -EADDRINUSE;
	if (unlink(sa->sun_path) && errno != ENOENT)
		return -errno;
	return 0;
}

/* The control socket answers whoever asked, even a client that left: a
 * script may send "routes add" and close without reading the reply. */
static char *serve_control(struct daemon *d, const void *ops, const char *msg, size_t len,
			   uint64_t *errors, int peer_fd)
{
	(void)peer_fd;
	return control_dispatch(d, ops, msg, len, errors);
}

int control_open_ops(struct daemon *d, const struct control_ops *ops, const char *path,
		     struct control **out)
{
	return control_open_server(d, ops, serve_control, CONTROL_MAX_CLIENTS, path, out);
}

int control_open_server(struct daemon *d, const void *ops, control_serve_fn serve,
			size_t max_clients, const char *path, struct control **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct control *c;
	mode_t old;
	int ret;

	*out = NULL;
	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->ops = ops;
	c->serve = serve;
	c->max_clients = max_clients;
	c->lfd = c->tfd = -1;
	strcpy(sa.sun_path, path);
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ep < 0 || c->tfd < 0 || c->lfd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = make_parent_dirs(path);
	if (ret) {
		log_err("control: cannot create the directory of %s: %s", path, strerror(-ret));
		goto fail;
	}
	ret = remove_stale(&sa);
	if (ret) {
		log_err("control: %s: %s", path, ret == -EADDRINUSE ?
			"another vtepd is listening there" : strerror(-ret));
		goto fail;
	}
	/* Bind under umask 0177 so the socket is never reachable by others,
	 * not even between bind() and chmod(). */
	old = umask(0177);
	ret = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (ret) {
		log_err("control: bind %s: %s", path, strerror(-ret));
		goto fail;
	}
	memcpy(c->path, path, strlen(path) + 1);
	/* A backlog as deep as the clients served: a burst of pod starts
	 * (one vtepd-cni each) then waits in the queue instead of being
	 * refused. */
	if (chmod(path, 0600) ||
	    listen(c->lfd, max_clients > CONTROL_BACKLOG ? (int)max_clients : CONTROL_BACKLOG)) {
		ret = -errno;
		goto fail;
	}
	ev.data.ptr = &c->lfd;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, c->lfd, &ev)) {
		ret = -errno;
		goto fail;
	}
	ev.data.ptr = &c->tfd;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, c->tfd, &ev)) {
		ret = -errno;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	control_close(c);
	return ret;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c, c->clients);
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->tfd >= 0)
		close(c->tfd);
	if (c->ep >= 0)
		close(c->ep);
	if (c->path[0])
		unlink(c->path);
	free(c);
}
