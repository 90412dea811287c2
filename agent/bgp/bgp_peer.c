/* bgp_peer.c - the names of the RFC 4271 states (see bgp_peer.h). */
#include "bgp_peer.h"

const char *bgp_state_name(enum bgp_state st)
{
	switch (st) {
	case BGP_ST_IDLE:        return "Idle";
	case BGP_ST_CONNECT:     return "Connect";
	case BGP_ST_ACTIVE:      return "Active";
	case BGP_ST_OPENSENT:    return "OpenSent";
	case BGP_ST_OPENCONFIRM: return "OpenConfirm";
	case BGP_ST_ESTABLISHED: return "Established";
	}
	return "Idle";
}
