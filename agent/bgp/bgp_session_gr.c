/* bgp_session_gr.c - graceful restart, helper side (RFC 4724 4.2, and
 * RFC 8538 after a NOTIFICATION): when a session goes down its peer's
 * routes stay in the RIB, stale, for its Restart Time; they go at its
 * End-of-RIB, when the timers run out, or at once when it comes back
 * without forwarding state. The decisions are made where the events are
 * (bgp_session.c, bgp_session_rx.c); the bookkeeping is here.
 */
#include "bgp_session_priv.h"

#include "log.h"

void sess_rib_flush(struct bgp_session *s)
{
	if (s->ops->rib_flush)
		s->ops->rib_flush(s->ctx, s);
}

void sess_stale_sweep(struct bgp_session *s, const char *why)
{
	if (!s->stale)
		return;
	log_info("%s: %s: deleting its routes still stale", sess_name(s), why);
	s->stale = false;
	s->stale_at = NEVER;
	if (s->ops->rib_stale_sweep)
		s->ops->rib_stale_sweep(s->ctx, s);
	sess_rib_flush(s);
}

/* Established -> down. gr_ok: the TCP session ended without a
 * NOTIFICATION, which is what leaves a graceful-restart peer's routes in
 * place, stale, for its Restart Time (RFC 4724 4.2). */
void sess_down(struct bgp_session *s, uint64_t now, bool gr_ok)
{
	bool keep = gr_ok && s->peer_gr && s->peer_gr_time;

	s->est = -1;
	s->flaps++;
	/* DampPeerOscillations (RFC 4271 8.1.1): only a session that stayed
	 * up a while earns a quick reconnect. */
	if (now - s->est_since >= sess_ms(BGP_STABLE_S))
		s->idle_s = BGP_IDLE_HOLD_MIN_S;
	if (s->ops->rib_peer_down)
		s->ops->rib_peer_down(s->ctx, s, keep);
	if (keep) {
		s->stale = true;
		s->stale_at = now + sess_ms(s->peer_gr_time);
		log_info("%s: session down; its routes stay, stale, for its restart time of %u s "
			 "(RFC 4724 4.2)", sess_name(s), s->peer_gr_time);
	} else {
		s->stale = false;
		s->stale_at = NEVER;
		log_info("%s: session down; its routes are withdrawn", sess_name(s));
	}
	sess_rib_flush(s);
}
