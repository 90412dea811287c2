/* mapsync_writer.c - the writer thread: runs the jobs of
 * mapsync_flush_async() one at a time, in the order they came, while the
 * loop's thread goes on reading and deciding routes.
 *
 * Why a thread: inserting an entry into a hash map that is not
 * preallocated costs the kernel about a microsecond (an allocation, a
 * memory-cgroup charge, a bucket lock, a cache miss or two), as much as
 * everything vtepd itself does for a route. Run beside the loop, the two
 * halves overlap on a machine with a second CPU free.
 *
 * What the thread touches: the job it runs and the maps (ms_job_run), and
 * the queues under w->mu. Everything else - resolving keys, the intent, the
 * results (errors, pending entries, the BGP side's hooks) - stays on the
 * loop's thread, which learns that a job is done from w->efd
 * (mapsync_event_fd, watched by the loop: mapsync_poll) or waits for it
 * (ms_writer_drain, before anything that reads a map or needs the writes
 * done).
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "log.h"

static void *writer_main(void *arg)
{
	struct ms_writer *w = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct ms_job *j, **tail;

		while (!w->stop && !w->todo)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->todo)
			break;
		j = w->todo;
		pthread_mutex_unlock(&w->mu);
		ms_job_run(w->fd, j);
		pthread_mutex_lock(&w->mu);
		w->todo = j->next;
		j->next = NULL;
		for (tail = &w->done; *tail; tail = &(*tail)->next)
			;
		*tail = j;
		pthread_cond_broadcast(&w->done_cv);
		/* Best effort: the loop also reaps at every flush. */
		if (w->efd >= 0 && write(w->efd, &one, sizeof(one)) < 0)
			(void)0;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int writer_start(struct mapsync *ms)
{
	struct ms_writer *w = &ms->w;
	sigset_t all, old;
	int err;

	if (w->started)
		return 0;
	w->fd = ms->fd;
	/* Signals stay with the loop's thread (it reads them from a
	 * signalfd): the thread starts with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&w->th, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_warn("mapsync: no writer thread (%s): big flushes run on the loop's thread",
			 strerror(-err));
		return err;
	}
	w->started = true;
	return 0;
}

int ms_writer_submit(struct mapsync *ms, struct ms_job *j)
{
	struct ms_writer *w = &ms->w;
	struct ms_job **tail;
	int err = writer_start(ms);

	if (err)
		return err;
	pthread_mutex_lock(&w->mu);
	for (tail = &w->todo; *tail; tail = &(*tail)->next)
		;
	*tail = j;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	ms->inflight++;
	return 0;
}

/* Takes the finished jobs off the done list (waiting for every job in
 * flight when wait), then applies their results in order. */
static int writer_collect(struct mapsync *ms, bool wait)
{
	struct ms_writer *w = &ms->w;
	struct ms_job *list, *j;
	uint64_t v;
	int first = 0, e;

	if (!ms->inflight)
		return 0;
	pthread_mutex_lock(&w->mu);
	if (wait)
		while (w->todo)
			pthread_cond_wait(&w->done_cv, &w->mu);
	list = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->mu);
	if (w->efd >= 0 && read(w->efd, &v, sizeof(v)) < 0)
		(void)0; /* EAGAIN: nothing was signalled since the last read */
	while ((j = list)) {
		list = j->next;
		ms->inflight--;
		e = ms_job_done(ms, j);
		if (!first)
			first = e;
	}
	return first;
}

int ms_writer_drain(struct mapsync *ms)
{
	return writer_collect(ms, true);
}

int ms_writer_reap(struct mapsync *ms)
{
	return writer_collect(ms, false);
}

void ms_writer_stop(struct mapsync *ms)
{
	struct ms_writer *w = &ms->w;

	if (w->started) {
		ms_writer_drain(ms);
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		w->started = false;
	}
}

int ms_writer_init(struct mapsync *ms)
{
	struct ms_writer *w = &ms->w;

	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return w->efd < 0 ? -errno : 0;
}

void ms_writer_free(struct mapsync *ms)
{
	struct ms_writer *w = &ms->w;

	ms_writer_stop(ms);
	if (w->efd >= 0)
		close(w->efd);
	w->efd = -1;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->done_cv);
}

int mapsync_event_fd(const struct mapsync *ms)
{
	return ms->w.efd;
}
