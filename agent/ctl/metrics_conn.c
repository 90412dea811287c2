/* metrics_conn.c - see metrics_conn.h: an absolute deadline per request and
 * eviction of the oldest connection, on top of libmicrohttpd.
 *
 * A table of slots, one per open connection, under one mutex shared by the
 * MHD thread (notify callbacks, the handler) and the helper thread (the
 * deadline sweep). Slots are few (max_conns + 1), so every walk is linear.
 */
#include "metrics_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define METRICS_CONN_TICK_MS 250

struct slot {
	bool used;
	bool shut;          /* shut down by us; MHD has not reported it closed yet */
	bool busy;          /* a request is being answered */
	int fd;             /* our dup() of the connection's socket, or -1 */
	uint64_t since_ms;  /* connection start, or the end of its last request */
};

struct metrics_conn {
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* CLOCK_MONOTONIC; signalled to stop */
	pthread_t thread;
	bool stop, started;
	unsigned max, deadline_ms;
	struct slot *slots;      /* max + 1 */
	uint64_t n_deadline, n_evicted;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Under the lock. MHD sees end of file (and write errors) on the socket
 * and closes the connection on its next poll. */
static void slot_shut(struct slot *s)
{
	if (s->shut)
		return;
	s->shut = true;
	if (s->fd >= 0)
		shutdown(s->fd, SHUT_RDWR);
}

static void *sweeper(void *arg)
{
	struct metrics_conn *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		struct timespec ts;
		uint64_t now = now_ms();

		for (unsigned i = 0; i <= g->max; i++) {
			struct slot *s = &g->slots[i];

			if (s->used && !s->shut && now - s->since_ms >= g->deadline_ms) {
				slot_shut(s);
				g->n_deadline++;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += METRICS_CONN_TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int metrics_conn_new(unsigned max_conns, unsigned deadline_ms, struct metrics_conn **out)
{
	struct metrics_conn *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;
	int ret;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->max = max_conns ? max_conns : 1;
	g->deadline_ms = deadline_ms;
	g->slots = calloc(g->max + 1, sizeof(*g->slots));
	if (!g->slots) {
		free(g);
		return -ENOMEM;
	}
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &ca);
	pthread_condattr_destroy(&ca);
	ret = -pthread_create(&g->thread, NULL, sweeper, g);
	if (ret) {
		metrics_conn_free(g);
		return ret;
	}
	g->started = true;
	*out = g;
	return 0;
}

void metrics_conn_free(struct metrics_conn *g)
{
	if (!g)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	/* MHD is stopped: its CLOSED notifications have come; close any
	 * duplicate left all the same. */
	for (unsigned i = 0; i <= g->max; i++)
		if (g->slots[i].used && g->slots[i].fd >= 0)
			close(g->slots[i].fd);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g);
}

void metrics_conn_set_deadline(struct metrics_conn *g, unsigned deadline_ms)
{
	pthread_mutex_lock(&g->lock);
	g->deadline_ms = deadline_ms;
	pthread_mutex_unlock(&g->lock);
}

unsigned metrics_conn_mhd_limit(const struct metrics_conn *g)
{
	return g->max + 1;
}

/* Under the lock: past max live connections, shut the oldest one that is
 * not being answered (a scrape in progress only if all are). */
static void evict(struct metrics_conn *g)
{
	struct slot *idle = NULL, *any = NULL;
	unsigned live = 0;

	for (unsigned i = 0; i <= g->max; i++) {
		struct slot *s = &g->slots[i];

		if (!s->used || s->shut)
			continue;
		live++;
		if (!any || s->since_ms < any->since_ms)
			any = s;
		if (!s->busy && (!idle || s->since_ms < idle->since_ms))
			idle = s;
	}
	if (live <= g->max)
		return;
	slot_shut(idle ? idle : any);
	g->n_evicted++;
}

static void conn_started(struct metrics_conn *g, struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd = ci ? ci->connect_fd : -1;
	struct slot *s = NULL;

	*ctx = NULL;
	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i <= g->max && !s; i++)
		if (!g->slots[i].used)
			s = &g->slots[i];
	if (!s) {
		/* Cannot happen with MHD's limit at max + 1; refuse rather
		 * than serve a connection nothing bounds. */
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		g->n_evicted++;
		pthread_mutex_unlock(&g->lock);
		return;
	}
	*s = (struct slot){ .used = true, .since_ms = now_ms(),
			    .fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1 };
	if (s->fd < 0)
		log_warn("metrics: cannot track a connection's socket: %s",
			 fd < 0 ? "no descriptor" : "dup failed");
	*ctx = s;
	evict(g);
	pthread_mutex_unlock(&g->lock);
}

void metrics_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct metrics_conn *g = cls;
	struct slot *s = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_started(g, c, socket_context);
		return;
	}
	if (toe != MHD_CONNECTION_NOTIFY_CLOSED || !s)
		return;
	pthread_mutex_lock(&g->lock);
	if (s->fd >= 0)
		close(s->fd);
	*s = (struct slot){ .fd = -1 };
	*socket_context = NULL;
	pthread_mutex_unlock(&g->lock);
}

static struct slot *slot_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

void metrics_conn_request(struct metrics_conn *g, struct MHD_Connection *c)
{
	struct slot *s = slot_of(c);

	if (!s)
		return;
	pthread_mutex_lock(&g->lock);
	s->busy = true;
	pthread_mutex_unlock(&g->lock);
}

void metrics_conn_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			    enum MHD_RequestTerminationCode toe)
{
	struct metrics_conn *g = cls;
	struct slot *s = slot_of(c);

	(void)con_cls;
	(void)toe;
	if (!s)
		return;
	/* Keep-alive: the next request has a whole deadline of its own. */
	pthread_mutex_lock(&g->lock);
	s->busy = false;
	s->since_ms = now_ms();
	pthread_mutex_unlock(&g->lock);
}

void metrics_conn_stats(struct metrics_conn *g, uint64_t *deadline, uint64_t *evicted)
{
	pthread_mutex_lock(&g->lock);
	*deadline = g->n_deadline;
	*evicted = g->n_evicted;
	pthread_mutex_unlock(&g->lock);
}
