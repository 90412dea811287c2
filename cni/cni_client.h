/* cni_client.h - one request to vtepd over its CNI socket (lib/ctlproto.h
 * framing: one JSON line each way), with a deadline for connect and reply.
 *
 * Outcomes the commands tell apart:
 *   0                 vtepd answered ok; *data is its reply data
 *   -CNI_ETRYAGAIN    vtepd is not there (no socket, nobody listening,
 *                     no answer before the deadline): e says which
 *   -CNI_E...         vtepd answered with an error; its "code" (a CNI code
 *                     vtepd chose: 7 for a refused request, 3 for an unknown
 *                     attachment, ...) or 100, and its message in details
 * A vtepd busy with more clients than it serves ("too many clients") is
 * asked again until the deadline: 100 concurrent ADDs are normal on a node
 * that starts many pods at once.
 */
#ifndef CNI_CLIENT_H
#define CNI_CLIENT_H

#include <stddef.h>
#include <json-c/json.h>

#include "cni_err.h"

/* vtepd serves its CNI socket one request at a time, 50-100 ms for an ADD
 * on an idle node (veth, netns setup, TC attach) and several times that
 * under load: a node starting 100 pods at once queues seconds of work.
 * The deadlines bound the runtime's wait well inside kubelet's own
 * (runtime-request-timeout, 2 min) while leaving room for that queue. */
#define CNI_TIMEOUT_ADD_MS   30000   /* creating a veth and a netns setup */
#define CNI_TIMEOUT_OTHER_MS 10000

struct cni_reply {
	struct json_object *root;      /* owns data; put it with cni_reply_free */
	struct json_object *data;
};

int cni_call(const char *socket, const char *cmd, struct json_object *args, int timeout_ms,
	     struct cni_reply *r, struct cni_err *e);
/* One reply line as cni_call reads it (ctlproto_decode_reply, then the
 * same outcomes), without the socket: what tests and tests/fuzz/fuzz_cni.c
 * call. */
int cni_reply_parse(const char *buf, size_t len, const char *cmd, struct cni_reply *r,
		    struct cni_err *e);
void cni_reply_free(struct cni_reply *r);

#endif /* CNI_CLIENT_H */
