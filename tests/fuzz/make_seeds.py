#!/usr/bin/env python3
"""make_seeds.py - write the seed corpora of fuzz_config and fuzz_control
(tests/fuzz/corpus/{config,control}/) from the inputs the project already
uses, so the fuzzers start from real files and requests:

  config   every JSON object literal of the unit tests (tests/unit/*.c) that
           looks like a configuration, a state file or a pods file, the
           golden configs (tests/unit/config/*.json, refused ones too), the
           ```json blocks of docs/*.md, dist/vtepd.json.example, the
           Kubernetes ConfigMap's vtepd.json, and configurations written by
           tests/net/lib.sh's write_config (run with bash, jq), one of them
           made a Kubernetes node's as tests/net/k8s_lib.sh does (VNIs with
           outside "host" and host_ip, a cni_socket).
  control  every request literal of tests/unit/test_control.c and
           test_cnictl.c (the malformed ones included), each request vtepctl
           sends and each one vtepd-cni sends, in lib/ctlproto's encoding,
           plus one pipelined stream of them.

Run by hand after changing those inputs (`python3 tests/fuzz/make_seeds.py`);
the output is committed. Files are named after where they came from and a
hash of their content, so re-running only adds what is new.
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.normpath(os.path.join(here, "..", ".."))


def c_literals(text):
    """The C string literals of text, adjacent ones concatenated (as the
    compiler does), with their escapes decoded."""
    out = []
    tok = re.compile(r'"((?:[^"\\\n]|\\.)*)"|(\s+|//[^\n]*|/\*.*?\*/)|(.)', re.S)
    cur = None
    for m in tok.finditer(text):
        if m.group(1) is not None:
            cur = (cur or "") + m.group(1)
        elif m.group(2) is not None:
            continue
        else:
            if cur is not None:
                out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    res = []
    for s in out:
        try:
            b = s.encode("latin-1").decode("unicode_escape").encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):
            continue
        res.append(b)
    return res


def write(kind, origin, data):
    d = os.path.join(here, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:10]
    name = "%s_%s" % (re.sub(r"[^a-z0-9]+", "_", origin.lower()).strip("_"), h)
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        return 1
    return 0


def config_seeds():
    n = 0
    for src in sorted(glob.glob(os.path.join(top, "tests", "unit", "*.c"))):
        for b in c_literals(open(src, encoding="utf-8").read()):
            t = b.lstrip()
            if not t.startswith(b"{") or b'"cmd"' in t:
                continue
            # A configuration, a state or pods file, or a fragment of one.
            if any(k in t for k in (b'"vtep"', b'"vnis"', b'"ports"', b'"routes"',
                                     b'"version"', b'"bgp"', b'"pods"', b'"outside"',
                                     b'"cni_socket"', b'"container_id"')):
                n += write("config", "unit_" + os.path.basename(src)[:-2], b)
    for src in sorted(glob.glob(os.path.join(top, "tests", "unit", "config", "*.json"))):
        n += write("config", "golden_" + os.path.basename(src)[:-5], open(src, "rb").read())
    # The ConfigMap's vtepd.json (a block scalar: its indented lines).
    cm = os.path.join(top, "dist", "kubernetes", "vtepd-configmap.yaml")
    m = re.search(r"^  vtepd\.json: \|\n((?:    .*\n|\s*\n)+)", open(cm).read(), re.M)
    if m:
        n += write("config", "dist_k8s_configmap",
                   "".join(l[4:] + "\n" for l in m.group(1).splitlines()).encode())
    for md in sorted(glob.glob(os.path.join(top, "docs", "*.md"))) + \
            [os.path.join(top, "README.md")]:
        text = open(md, encoding="utf-8").read()
        for block in re.findall(r"```json\n(.*?)```", text, re.S):
            b = block.encode()
            if not block.lstrip().startswith("{"):
                b = b"{" + b + b"}"  # a fragment such as "bgp": {...}
            n += write("config", "doc_" + os.path.basename(md)[:-3], b)
    ex = os.path.join(top, "dist", "vtepd.json.example")
    n += write("config", "dist_example", open(ex, "rb").read())
    # tests/net/lib.sh's generator, as the network scenarios use it.
    with tempfile.TemporaryDirectory() as tmp:
        script = r'''
set -e
LOGDIR=%(tmp)s/logs
. %(top)s/tests/net/lib.sh
# The paths in the files stay lib.sh's own (R=/run/vtepd-test, nothing is
# created there); only the output goes to the temporary directory.
cfg_of() { echo "%(tmp)s/$1.json"; }
std_config h1;                mv %(tmp)s/h1.json %(tmp)s/h1_std.json
std_config h2 real tc;        mv %(tmp)s/h2.json %(tmp)s/h2_real_tc.json
METRICS='"127.0.0.1:9469"' std_config h1 gateway xdp; mv %(tmp)s/h1.json %(tmp)s/h1_metrics_xdp.json
write_config h1 "$(port_j w1 10.1.0.11 auto)" "" gateway auto; mv %(tmp)s/h1.json %(tmp)s/h1_auto.json
write_config h2 "" "" real auto; mv %(tmp)s/h2.json %(tmp)s/h2_empty.json
# A Kubernetes node's (tests/net/k8s_lib.sh's k8s_node_config): no static
# ports, two VNIs with outside "host" and host_ip, the CNI socket.
write_config h1 "" "" gateway auto
jq '.cni_socket = "/run/vtepd-test/h1/cni.sock" | .vnis = [
      (.vnis[0] + {outside: "host", host_ip: "10.1.1.1"}),
      {vni: 200, subnet: "10.2.0.0/16", gateway_ip: "10.2.255.254",
       gateway_mac: "02:00:00:00:02:00", outside: "host", host_ip: "10.2.1.1"}]' \
   %(tmp)s/h1.json >%(tmp)s/h1_k8s.json && rm %(tmp)s/h1.json
''' % {"tmp": tmp, "top": top}
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
        if r.returncode:
            print("make_seeds: lib.sh configs skipped:", r.stderr.strip()[-300:])
        for f in sorted(glob.glob(os.path.join(tmp, "*.json"))):
            n += write("config", "net_" + os.path.basename(f)[:-5], open(f, "rb").read())
    return n


def req(cmd, args=None):
    o = {"cmd": cmd}
    if args is not None:
        o["args"] = args
    return (json.dumps(o, separators=(",", ":")) + "\n").encode()


def control_seeds():
    n = 0
    for name in ("test_control.c", "test_cnictl.c"):
        src = os.path.join(top, "tests", "unit", name)
        for b in c_literals(open(src, encoding="utf-8").read()):
            if b'"cmd"' in b or b.startswith((b"{", b"[", b"not json")) or b == b"":
                n += write("control", "unit_" + name[:-2], b)
    # What vtepctl sends (cli/remote.c builds args, lib/ctlproto encodes).
    sent = [
        req("routes.add", {"vni": 100, "prefix": "10.1.0.22/32", "vtep": "192.0.2.2",
                           "mac": "02:00:00:00:00:22"}),
        req("routes.add", {"vni": 100, "prefix": "10.1.128.0/24", "vtep": "192.0.2.2",
                           "mac": "02:00:00:00:00:fe"}),
        req("routes.del", {"vni": 100, "prefix": "10.1.0.22/32"}),
        req("ports.add", {"ifname": "w5", "vni": 100, "ip": "10.1.0.15", "mac": "auto"}),
        req("ports.add", {"ifname": "tap1", "vni": 100, "ip": "10.1.0.16",
                          "mac": "02:00:00:00:00:16"}),
        req("ports.del", {"ifname": "w5"}),
        req("peers", {}),
        req("bgp.routes", {}),
        req("bgp.routes", {"vni": 100}),
        req("bgp.routes", {"vni": 100, "peer": "198.51.100.1"}),
        req("version", {}),
        req("status", {}),
        req("pods", {}),
        req("reload", {}),
    ]
    for b in sent:
        n += write("control", "vtepctl_" + json.loads(b)["cmd"], b)
    n += write("control", "vtepctl_pipelined", b"".join(sent) + b"\n  \n" + sent[0][:-1])
    # What vtepd-cni sends (cni/cni_cmd.c, cni_cmd_net.c).
    att = {"container_id": "3f69c0ffee", "ifname": "eth0", "network": "pods",
           "netns": "/run/netns/cni-1234"}
    cni = [
        req("cni.add", dict(att, vni=100, ip="10.1.1.5", mtu=1400,
                            k8s={"namespace": "default", "name": "web-0", "uid": "u-1"})),
        req("cni.add", dict(att, container_id="c0ffee", vni=100, ip="10.1.1.6")),
        req("cni.check", dict(att, vni=100, ip="10.1.1.5")),
        req("cni.del", att),
        req("cni.del", {"container_id": "3f69c0ffee", "ifname": "eth0", "network": "pods"}),
        req("cni.gc", {"network": "pods", "valid": [{"container_id": "c0ffee",
                                                      "ifname": "eth0"}]}),
        req("cni.status"),
    ]
    for i, b in enumerate(cni):
        n += write("control", "vtepd_cni_%s_%d" % (json.loads(b)["cmd"][4:], i), b)
    n += write("control", "vtepd_cni_pipelined", b"".join(cni + sent[-3:]))
    return n


if __name__ == "__main__":
    print("make_seeds: %d new config seeds, %d new control seeds"
          % (config_seeds(), control_seeds()))
