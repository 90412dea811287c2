/* cniname.h - the host-side name of a pod's veth, shared by vtepd (which
 * creates it) and vtepd-cni (which looks for it when vtepd is down).
 *
 * "vt" + 11 hex digits of a 64-bit FNV-1a hash of "CONTAINERID/IFNAME".
 * Why a hash and not the container id's first characters: the CNI spec
 * (SPEC.md section 2, CNI_CONTAINERID) allows any alphanumeric id with
 * '_', '.' and '-', not only hex, and an attachment is the pair
 * (CNI_CONTAINERID, CNI_IFNAME): one container may be attached twice with
 * two interface names, and each attachment needs its own host interface.
 * 13 characters leave room under IFNAMSIZ (16 with the NUL). 44 bits make
 * a collision between two pods of one node improbable; vtepd still refuses
 * one rather than reuse another pod's interface.
 */
#ifndef VTEP_CNINAME_H
#define VTEP_CNINAME_H

#define CNINAME_PREFIX "vt"
#define CNINAME_LEN    13     /* "vt" + 11 hex digits */

/* out: at least CNINAME_LEN + 1 bytes. */
void cniname_host_ifname(const char *container_id, const char *ifname, char *out);

/* Linux's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or
 * whitespace (the CNI spec's rule for CNI_IFNAME, section 2). */
int cniname_ifname_valid(const char *s);
/* The CNI spec's rule for CNI_CONTAINERID (section 2): not empty, an
 * alphanumeric first character, then alphanumerics, '_', '.' or '-';
 * at most CNINAME_ID_MAX bytes (ours: the spec sets no limit, runtimes use
 * 64 hex digits). */
#define CNINAME_ID_MAX 128
int cniname_id_valid(const char *s);

#endif /* VTEP_CNINAME_H */
