/* bpflog.h - libbpf's messages through vtepd's log, and the verifier's
 * answer kept for whoever asked for it.
 *
 * A refused program is explained by one line of the verifier's log (for
 * example "program of this type cannot use helper bpf_xdp_adjust_meta#54"),
 * which is what an operator needs in the reason for a fallback. While a
 * capture is open, libbpf's warnings go to the debug log only and the most
 * telling line is kept: the verifier's last line before its statistics, or
 * else libbpf's first warning (a map the kernel cannot create).
 */
#ifndef VTEP_BPFLOG_H
#define VTEP_BPFLOG_H

#include <stdbool.h>
#include <stddef.h>

/* Routes libbpf's messages through our log (once, before any libbpf use). */
void bpflog_init(void);

/* Starts keeping the refusal reason. quiet: libbpf's warnings go to the
 * debug log only (probes, whose refusals are expected); otherwise they are
 * logged as warnings as usual (the real programs). */
void bpflog_capture_begin(int quiet);
/* Ends the capture and copies the reason ("" when nothing was refused). */
void bpflog_capture_end(char *buf, size_t len);

/* The verifier's explanation in a "-- BEGIN PROG LOAD LOG --" block: its
 * last line that is not a statistic ("processed N insns ...", "verification
 * time ..."). Returns false when msg holds no such block. */
bool bpflog_reason_from(const char *msg, char *out, size_t len);

#endif /* VTEP_BPFLOG_H */
