/* cni_err.h - the plugin's errors, as the CNI spec's error result
 * (SPEC.md section 5, "Error"): {cniVersion, code, msg, details} on stdout
 * and a non-zero exit status.
 *
 * Every failure in the plugin fills one struct cni_err on its way out;
 * main() prints it once. msg is the short, fixed text of the code; details
 * says what exactly went wrong (the field, the variable, vtepd's answer).
 */
#ifndef CNI_ERR_H
#define CNI_ERR_H

/* Well-known codes (SPEC.md section 5, "Error"). 100+ are ours. */
enum cni_code {
	CNI_OK              = 0,
	CNI_EVERSION        = 1,   /* incompatible CNI version */
	CNI_EFIELD          = 2,   /* unsupported field: names the key and value */
	CNI_EUNKNOWN        = 3,   /* container unknown or does not exist */
	CNI_EENV            = 4,   /* invalid environment variables: names them */
	CNI_EIO             = 5,   /* I/O failure */
	CNI_EDECODE         = 6,   /* failed to decode content */
	CNI_ECONFIG         = 7,   /* invalid network config */
	CNI_ETRYAGAIN       = 11,  /* try again later */
	CNI_EUNAVAILABLE    = 50,  /* STATUS: cannot service ADD */
	CNI_EUNAVAILABLE_NET = 51, /* STATUS: ... and existing containers may suffer */
	CNI_EVTEPD          = 100, /* vtepd refused or failed the request */
	CNI_EIPAM           = 101, /* the IPAM plugin failed without a code of its own */
};

#define CNI_ERR_MSG_LEN     128
#define CNI_ERR_DETAILS_LEN 1024

struct cni_err {
	int  code;
	char msg[CNI_ERR_MSG_LEN];
	char details[CNI_ERR_DETAILS_LEN];
	/* The request's cniVersion once it is known to be one we speak: the
	 * error is written in it (SPEC.md section 5: "the protocol version in
	 * use"); the newest we speak before that. */
	char version[16];
};

/* Sets e (the code's standard msg) and returns -code, so a failing step can
 * `return cni_fail(e, CNI_EENV, "CNI_IFNAME: ...");`. */
int cni_fail(struct cni_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with a msg of the caller's (a delegated plugin's own error). */
int cni_fail_msg(struct cni_err *e, int code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A code another program gave us (a delegate's error result, vtepd's
 * reply) as ours: itself when it is one of the spec's (SPEC.md section 5:
 * "Error codes 0-99 are reserved for well-known errors", those listed
 * above) or 100..999, else fallback. */
int cni_code_of(long long code, int fallback);
/* The standard short text of a code. */
const char *cni_code_msg(int code);

/* The error result as one JSON line (malloc'ed, NULL when out of memory). */
char *cni_err_json(const struct cni_err *e);

#endif /* CNI_ERR_H */
