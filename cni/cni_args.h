/* cni_args.h - CNI_ARGS (SPEC.md section 2: "alphanumeric key-value pairs
 * separated by semicolons"), as kubelet and the runtimes fill it:
 *   IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=name;
 *   K8S_POD_INFRA_CONTAINER_ID=id;K8S_POD_UID=uid
 * Keys we know are kept; an unknown key is refused (code 2, naming it)
 * unless IgnoreUnknown is true (CONVENTIONS.md: "IgnoreUnknown=1" lets a
 * plugin skip keys it does not know), the convention the reference
 * plugins follow. Values are copied into fixed buffers; a value that does
 * not fit, a pair without '=', an empty key or a key given twice is
 * refused.
 */
#ifndef CNI_ARGS_H
#define CNI_ARGS_H

#include <stdbool.h>

#include "cni_err.h"

/* Kubernetes limits: a namespace is a DNS label (63), a pod name a DNS
 * subdomain (253), a UID 36 characters. */
#define CNI_K8S_NS_LEN   64
#define CNI_K8S_NAME_LEN 254
#define CNI_K8S_UID_LEN  64

struct cni_args {
	bool ignore_unknown;
	char k8s_namespace[CNI_K8S_NS_LEN];
	char k8s_name[CNI_K8S_NAME_LEN];
	char k8s_uid[CNI_K8S_UID_LEN];
	char k8s_infra_id[CNI_K8S_UID_LEN + 64];
};

/* s may be NULL or empty (no arguments). Returns 0, or fails e with code 2
 * (unknown key) or 4 (malformed: CNI_ARGS is an environment variable). */
int cni_args_parse(const char *s, struct cni_args *a, struct cni_err *e);

#endif /* CNI_ARGS_H */
