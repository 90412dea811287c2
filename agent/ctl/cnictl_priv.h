/* cnictl_priv.h - the CNI socket's insides: cnictl.c (the socket, the
 * dispatch and the replies) -> cnictl_args.c (argument readers). Both use
 * the control module's request and readers (control_priv.h): the CNI
 * socket is the control socket's server with other commands. */
#ifndef VTEP_CNICTL_PRIV_H
#define VTEP_CNICTL_PRIV_H

#include <stdbool.h>
#include "cnictl.h"
#include "control_priv.h"
#include "pods.h"

/* container_id and ifname. */
int cnictl_arg_attachment(struct req *r, struct pod *p);
int cnictl_arg_netns(struct req *r, bool required, struct pod *p);
int cnictl_arg_network(struct req *r, bool required, char out[POD_NET_LEN]);
/* The attachment, netns, network, vni, ip and the egress limit; with_extras:
 * mtu and k8s. */
int cnictl_arg_pod(struct req *r, bool with_extras, struct pod *p);

#endif /* VTEP_CNICTL_PRIV_H */
