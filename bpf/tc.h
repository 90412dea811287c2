/* tc.h - TC verdicts and skb constants that vmlinux.h lacks (BTF carries
 * no #defines). Values from include/uapi/linux/pkt_cls.h and if_packet.h. */
#ifndef VTEP_TC_H
#define VTEP_TC_H

#include "vmlinux.h"

#ifndef TC_ACT_OK
#define TC_ACT_UNSPEC   (-1)
#define TC_ACT_OK       0
#define TC_ACT_SHOT     2
#define TC_ACT_REDIRECT 7
#endif

#ifndef PACKET_HOST
#define PACKET_HOST     0
#endif

#ifndef AF_INET
#define AF_INET         2
#endif

/* skb->data and skb->data_end, loaded so that the compiler cannot keep
 * "ctx + offset" in a register across a helper call and dereference it
 * later: the verifier rejects a load through a modified ctx pointer, which
 * clang 14 emits when the same field is read before and after
 * bpf_skb_pull_data()/adjust_room(). */
static __always_inline void *skb_data(const struct __sk_buff *skb)
{
	void *p;

	asm volatile("%0 = *(u32 *)(%1 + %2)"
		     : "=r"(p)
		     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, data)));
	return p;
}

static __always_inline void *skb_data_end(const struct __sk_buff *skb)
{
	void *p;

	asm volatile("%0 = *(u32 *)(%1 + %2)"
		     : "=r"(p)
		     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, data_end)));
	return p;
}

#endif /* VTEP_TC_H */
