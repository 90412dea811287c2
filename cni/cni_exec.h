/* cni_exec.h - running a delegated plugin (SPEC.md section 4, "Delegated
 * plugin execution procedure"): looked up in CNI_PATH, run with the same
 * environment and the same configuration on stdin, its stderr going to
 * ours. Only CNI_COMMAND and, for the releases GC does, the attachment's
 * variables are changed.
 *
 * Bounded like every other input (cni_input.h): its stdout is read up to
 * CNI_OUTPUT_MAX bytes and parsed by the same reader; the whole run has a
 * deadline, after which the child is killed. A delegate that fails gives
 * its own code and msg to ours, as its error result says them.
 */
#ifndef CNI_EXEC_H
#define CNI_EXEC_H

#include <stddef.h>
#include <json-c/json.h>

#include "cni_err.h"

#define CNI_EXEC_TIMEOUT_MS 20000

struct cni_exec {
	const char *type;          /* the plugin's name (ipam.type) */
	const char *path;          /* CNI_PATH */
	const char *command;       /* CNI_COMMAND for it */
	const char *stdin_text;    /* the configuration, as we got it */
	size_t      stdin_len;
	/* "NAME=VALUE" (or "NAME=" to unset) replacing our own; NULL-ended,
	 * may be NULL. */
	const char *const *env;
	int         timeout_ms;
};

/* Runs it. 0: success, *result its stdout as a JSON object (NULL when it
 * printed nothing, as DEL, CHECK, GC and STATUS may). Else -code with e
 * set (the delegate's code, or 101 when it gave none; 4 for a missing
 * CNI_PATH; 7 when it is not found in CNI_PATH; 5 for a failed run). */
int cni_exec_run(const struct cni_exec *x, struct json_object **result, struct cni_err *e);

/* The spec versions a delegate speaks (its VERSION reply): whether it
 * lists want. 1 yes, 0 no, -code on failure. */
int cni_exec_speaks(const struct cni_exec *x, const char *want, struct cni_err *e);

/* The version to speak to a delegate: want itself when the delegate lists
 * it, else the highest it lists below want and from 0.3.0 on (older results
 * have another shape); "" when there is none. 0 or -code. */
int cni_exec_version_for(const struct cni_exec *x, const char *want, char out[16],
			 struct cni_err *e);

/* The pure halves of the two above, for tests and tests/fuzz/fuzz_cni.c:
 * what a delegate's stdout (buf[0..got)) and wait status mean - its result,
 * nothing, or its error result's code and msg - and the version to speak
 * given its VERSION result r (out: "" when none fits). */
int cni_exec_output(const struct cni_exec *x, int status, const char *buf, size_t got,
		    struct json_object **result, struct cni_err *e);
void cni_exec_pick_version(struct json_object *r, const char *want, char out[16]);

#endif /* CNI_EXEC_H */
