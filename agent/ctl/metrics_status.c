/* metrics_status.c - what the kernel can run and the mode of each uplink, as
 * gauges: vtepd_datapath_feature{feature} is 1 for a capability the kernel
 * took (probe.h) and 0 for one it refused; vtepd_uplink_mode{ifname,mode}
 * is 1 for the mode each uplink runs (one series per uplink, so a mode
 * change is a new series, as for an info metric); vtepd_map_pending{map}
 * counts the entries a full map holds back (they wait for room). */
#include "metrics_priv.h"

#include "uplink_mode.h"

void metrics_render_status(FILE *f, struct daemon *d, const struct metrics_ops *ops)
{
	struct uplink_status st;
	size_t i;
	int k;

	if (!ops->status || ops->status(d, &st))
		return;
	metrics_family(f, "vtepd_datapath_feature", "gauge",
		       "Kernel capabilities the datapath uses: 1 when the kernel runs it, 0 when it "
		       "refused it (vtepctl status names why).");
	for (k = 0; k < PROBE_F_COUNT; k++)
		fprintf(f, "vtepd_datapath_feature{feature=\"%s\"} %d\n", probe_name(k),
			st.features.have[k] ? 1 : 0);
	metrics_family(f, "vtepd_uplink_mode", "gauge",
		       "The program mode each uplink runs in (xdp or tc): always 1.");
	for (i = 0; i < st.n_uplinks; i++)
		fprintf(f, "vtepd_uplink_mode{ifname=\"%s\",mode=\"%s\"} 1\n", st.uplinks[i].ifname,
			uplink_mode_name(st.uplinks[i].mode));
	if (!st.n_maps)
		return;
	metrics_family(f, "vtepd_map_pending", "gauge",
		       "Entries wanted in a map that it has no room for (full: vtepd_map_capacity); "
		       "they are installed as room frees. Raise limits.routes or limits.fdb.");
	for (i = 0; i < st.n_maps; i++)
		fprintf(f, "vtepd_map_pending{map=\"%s\"} %llu\n", st.maps[i].map,
			(unsigned long long)st.maps[i].pending);
}
