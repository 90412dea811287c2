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

/* skb->data, data_end and data_meta, each read with one instruction at a
 * fixed offset from the context, so that the compiler cannot keep
 * "ctx + offset" in a register across a helper call and dereference it
 * later, nor merge the loads of different paths into a load through a
 * computed context pointer: the verifier rejects both ("dereference of
 * modified ctx ptr"), and clang 14 emits them when the same field is read
 * before and after bpf_skb_pull_data()/adjust_room(). */
#define SKB_LOAD_PTR(skb, field)                                                \
	({                                                                      \
		void *__p;                                                      \
		asm volatile("%0 = *(u32 *)(%1 + %2)"                           \
			     : "=r"(__p)                                        \
			     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, field))); \
		__p;                                                            \
	})

static __always_inline void *skb_data(const struct __sk_buff *skb)
{
	return SKB_LOAD_PTR(skb, data);
}

static __always_inline void *skb_data_end(const struct __sk_buff *skb)
{
	return SKB_LOAD_PTR(skb, data_end);
}

static __always_inline void *skb_data_meta(const struct __sk_buff *skb)
{
	return SKB_LOAD_PTR(skb, data_meta);
}

#endif /* VTEP_TC_H */
