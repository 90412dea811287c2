/* metrics_conn.h - bounds on the /metrics server's connections.
 *
 * libmicrohttpd's MHD_OPTION_CONNECTION_TIMEOUT is an inactivity timeout:
 * a client that sends one byte of its request every few seconds never
 * trips it, and MHD_OPTION_CONNECTION_LIMIT of them lock every scraper out
 * (slowloris). This module adds, through MHD's own hooks:
 *   - an absolute deadline: a request must be complete and answered within
 *     deadline_ms of the connection's start (or of the end of its previous
 *     request, for keep-alive); a helper thread shuts down the socket of
 *     connections past it, and MHD then closes them as closed by the peer;
 *   - eviction: a connection beyond max_conns shuts down the oldest one
 *     (one not being answered, if any), so a new scrape is always served
 *     even while slow clients hold every slot.
 *
 * Wiring (metrics.c):
 *   MHD_OPTION_CONNECTION_LIMIT      metrics_conn_mhd_limit(g)
 *   MHD_OPTION_NOTIFY_CONNECTION     metrics_conn_notify, g
 *   MHD_OPTION_NOTIFY_COMPLETED      metrics_conn_completed, g
 *   the access handler               metrics_conn_request(g, conn) first
 *   metrics_conn_free(g) after MHD_stop_daemon().
 *
 * The socket is shut down through a dup() of it, made on the MHD thread
 * when the connection starts and closed when MHD reports it closed: the
 * helper thread never touches a descriptor MHD may have closed and reused.
 */
#ifndef VTEP_METRICS_CONN_H
#define VTEP_METRICS_CONN_H

#include <stdint.h>
#include <microhttpd.h>

#define METRICS_CONN_MAX         16      /* connections served at once */
#define METRICS_CONN_DEADLINE_MS 10000   /* Prometheus' default scrape_timeout */

struct metrics_conn;

/* Starts the helper thread. Returns 0 or -errno. */
int metrics_conn_new(unsigned max_conns, unsigned deadline_ms, struct metrics_conn **out);
/* Stops the thread, closes what is left; call after MHD_stop_daemon().
 * NULL is a no-op. */
void metrics_conn_free(struct metrics_conn *g);
/* Tests: a shorter deadline. */
void metrics_conn_set_deadline(struct metrics_conn *g, unsigned deadline_ms);
/* MHD's connection limit: one above max_conns, so that a newcomer can
 * evict the oldest. */
unsigned metrics_conn_mhd_limit(const struct metrics_conn *g);

void metrics_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);
void metrics_conn_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			    enum MHD_RequestTerminationCode toe);
/* A request's headers are complete: it is being answered. */
void metrics_conn_request(struct metrics_conn *g, struct MHD_Connection *c);

/* Connections shut down since start: past the deadline, evicted. */
void metrics_conn_stats(struct metrics_conn *g, uint64_t *deadline, uint64_t *evicted);

#endif /* VTEP_METRICS_CONN_H */
