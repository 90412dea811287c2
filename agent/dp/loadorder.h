/* loadorder.h - whether this CPU keeps loads in program order, as the
 * datapath's copies of vtep_routes rely on: the route cache reads its gen
 * before vtep_routes (bpf/rcache.h), the flat route table its seq and epoch
 * around the slots (bpf/rtab.h), with no barrier the BPF instruction set
 * could express on every kernel. x86 (TSO) does; vtepd leaves both off
 * elsewhere. */
#ifndef VTEP_LOADORDER_H
#define VTEP_LOADORDER_H

#include <stdbool.h>

static inline bool dp_loads_in_order(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return true;
#else
	return false;
#endif
}

#endif /* VTEP_LOADORDER_H */
