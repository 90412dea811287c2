// k8s_validate.js - validates dist/kubernetes/*.yaml offline against the
// Kubernetes schemas of the npm package kubernetes-models (the OpenAPI
// schemas of the Kubernetes API, compiled to validators), and checks what
// the schemas cannot know: the DaemonSet's capabilities are exactly the
// ones the tests run vtepd with, and it mounts what vtepd needs.
//
//   node tests/k8s_validate.js NODE_MODULES OUT_DIR FILE...
// Writes the ConfigMap's data files into OUT_DIR (for tests/k8s_deploy.sh
// to render a node's configuration from). Prints one line per check;
// exits 1 on the first failure.
"use strict";
const fs = require("fs");
const path = require("path");
const [modules, outDir, ...files] = process.argv.slice(2);
const yaml = require(path.join(modules, "js-yaml"));
const classes = {
  "apps/v1/DaemonSet": require(path.join(modules, "kubernetes-models/apps/v1")).DaemonSet,
  "v1/ConfigMap": require(path.join(modules, "kubernetes-models/v1")).ConfigMap,
};
const WANT_CAPS = ["BPF", "NET_ADMIN", "PERFMON", "SYS_ADMIN", "NET_BIND_SERVICE"];
const WANT_MOUNTS = {
  "/sys/fs/bpf": "/sys/fs/bpf", "/run/vtepd": "/run/vtepd", "/var/lib/vtepd": "/var/lib/vtepd",
  "/run/netns": "/run/netns", "/host/proc/sys/net": "/proc/sys/net",
};
const WANT_INIT_MOUNTS = { "/host/opt/cni/bin": "/opt/cni/bin", "/host/etc/cni/net.d": "/etc/cni/net.d" };

function fail(msg) { console.log(`FAIL ${msg}`); process.exit(1); }
function pass(msg) { console.log(`PASS ${msg}`); }
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

function mountsOk(spec, c, want, what) {
  const vols = Object.fromEntries(spec.volumes.map((v) => [v.name, v]));
  for (const [mp, host] of Object.entries(want)) {
    const m = (c.volumeMounts || []).find((x) => x.mountPath === mp);
    if (!m) fail(`${what}: no mount at ${mp}`);
    const v = vols[m.name];
    if (!v || !v.hostPath || v.hostPath.path !== host)
      fail(`${what}: ${mp} is not the host's ${host}`);
  }
  pass(`${what}: mounts ${Object.keys(want).join(", ")} from the host`);
}

function checkDaemonSet(ds, file) {
  const spec = ds.spec.template.spec;
  if (!spec.hostNetwork) fail(`${file}: hostNetwork is not true`);
  const vtepd = spec.containers.find((c) => c.name === "vtepd");
  if (!vtepd) fail(`${file}: no container vtepd`);
  const sc = vtepd.securityContext || {};
  if (sc.privileged) fail(`${file}: vtepd runs privileged`);
  const caps = sc.capabilities || {};
  if (!same(caps.add || [], WANT_CAPS) || !same(caps.drop || [], ["ALL"]))
    fail(`${file}: capabilities ${JSON.stringify(caps)}, want drop ALL, add ${WANT_CAPS}`);
  pass(`${file}: hostNetwork, not privileged, capabilities exactly ${WANT_CAPS.join(" ")}`);
  mountsOk(spec, vtepd, WANT_MOUNTS, `${file} vtepd`);
  const bpf = vtepd.volumeMounts.find((m) => m.mountPath === "/sys/fs/bpf");
  if (!bpf.mountPropagation) fail(`${file}: /sys/fs/bpf without mountPropagation`);
  pass(`${file}: /sys/fs/bpf mountPropagation ${bpf.mountPropagation}`);
  const init = (spec.initContainers || []).find((c) => c.name === "install-cni");
  if (!init || JSON.stringify(init.args) !== '["install-cni"]') fail(`${file}: no install-cni init container`);
  mountsOk(spec, init, WANT_INIT_MOUNTS, `${file} install-cni`);
  for (const c of [vtepd, init]) {
    const env = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
    if (env.NODE_NAME?.valueFrom?.fieldRef?.fieldPath !== "spec.nodeName" ||
        env.NODE_IP?.valueFrom?.fieldRef?.fieldPath !== "status.hostIP")
      fail(`${file} ${c.name}: NODE_NAME/NODE_IP not from the downward API`);
  }
  pass(`${file}: NODE_NAME and NODE_IP from the downward API in both containers`);
}

fs.mkdirSync(outDir, { recursive: true });
for (const file of files) {
  const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d);
  for (const doc of docs) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const Cls = classes[key];
    if (!Cls) fail(`${file}: no schema known for ${key}`);
    try {
      new Cls(doc).validate();
    } catch (e) {
      fail(`${file}: ${key} ${doc.metadata?.name}: ${e.message}`);
    }
    pass(`${file}: ${key} ${doc.metadata.name} is valid against the Kubernetes schema (kubernetes-models)`);
    if (doc.kind === "DaemonSet") checkDaemonSet(doc, file);
    if (doc.kind === "ConfigMap")
      for (const [k, v] of Object.entries(doc.data || {})) fs.writeFileSync(path.join(outDir, k), v);
  }
}
