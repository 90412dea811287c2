#!/usr/bin/env python3
"""make_seeds.py - write the seed corpora of fuzz_config, fuzz_control and
fuzz_cni (tests/fuzz/corpus/{config,control,cni}/) from the inputs the
project already uses, so the fuzzers start from real files and requests:

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
  cni      fuzz_cni's inputs (selector, config, env, vtepd's reply, IPAM
           output; the format is fuzz_cni.c's): the request configurations
           tests/net/cni_lib.sh derives from cni_conflist for each command
           (and cni_dualstack.sh's conflist6, cni_bad.sh's refused ones),
           the JSON literals and environment tables of tests/unit/test_cni.c,
           prevResults, host-local results with one and two ranges, vtepd's
           replies (ok and error) and an IPAM error result.

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


# ---- fuzz_cni (tests/fuzz/fuzz_cni.c's input format) ----
RS = b"\x1e"
SOCK = "/run/vtepd-test/h1/cni.sock"
IPAM_DIR = "/run/vtepd-test/cni-ipam/h1"
NETNS = "/run/netns/vtt-p11"


def cni_input(sel, conf, env, reply=b"", ipam=b""):
    """One fuzz_cni input: selector byte, then the four parts."""
    j = lambda x: x if isinstance(x, bytes) else json.dumps(x, separators=(",", ":")).encode()
    e = b"\0".join(x.encode() for x in env)
    return bytes([sel]) + j(conf) + RS + e + RS + j(reply) + RS + j(ipam)


def plugin(ver, node=1, ranges=None, dns=True):
    """cni_lib.sh's cni_conflist: vtepd-cni's entry, host-local from the
    node's range of the VNI's subnet."""
    p = {"type": "vtepd-cni", "vni": 100, "socket": SOCK,
         "ipam": {"type": "host-local", "dataDir": IPAM_DIR,
                  "ranges": ranges or [[{"subnet": "10.1.0.0/16",
                                         "rangeStart": "10.1.%d.10" % node,
                                         "rangeEnd": "10.1.%d.250" % node}]]}}
    if dns:
        p["dns"] = {"nameservers": ["10.1.255.253"], "search": ["svc.cluster.local"]}
    return p


def request(p, ver, cmd, name="pods", prev=None, valid=None, pm=None):
    """cni_lib.sh's cni_request: the plugin's object with the list's
    cniVersion and name, runtimeConfig, prevResult, valid attachments."""
    c = dict(p, cniVersion=ver, name=name)
    if cmd == "GC":
        c["cni.dev/valid-attachments"] = valid or []
    elif cmd != "STATUS":
        c["runtimeConfig"] = {"portMappings": pm} if pm else {}
        if prev is not None:
            c["prevResult"] = prev
    return c


def env(cmd, cid="c11", ifname="eth0", netns=NETNS, args=None):
    """cni_lib.sh's cni_exec environment."""
    e = ["CNI_COMMAND=" + cmd, "CNI_PATH=/usr/lib/vtepd-test/cni:/usr/lib/cni"]
    if cmd in ("ADD", "DEL", "CHECK"):
        e += ["CNI_CONTAINERID=" + cid, "CNI_IFNAME=" + ifname]
        if netns:
            e.append("CNI_NETNS=" + netns)
        e.append("CNI_ARGS=" + (args if args is not None else
                 "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-%s;"
                 "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=uid-%s" % (cid, cid, cid)))
    return e


def result(ver, v4=True, v6=False, netns=NETNS):
    """vtepd-cni's ADD result (a prevResult of the next plugin, CHECK's)."""
    r = {"cniVersion": ver, "interfaces": [
        {"name": "vt5a1c2d3e4f6", "mac": "02:00:00:00:10:01"},
        {"name": "eth0", "mac": "02:00:00:00:10:02", "sandbox": netns}], "ips": [], "routes": []}
    if ver == "1.1.0":
        for i in r["interfaces"]:
            i["mtu"] = 1450
    for fam, a, gw, dst in ((v4, "10.1.1.10/32", "10.1.255.254", "0.0.0.0/0"),
                            (v6, "2001:db8:100::1:10/128", "fe80::ff:fe00:100", "::/0")):
        if fam:
            ip = {"address": a, "gateway": gw, "interface": 1}
            if ver < "1.0.0":
                ip["version"] = "6" if ":" in a else "4"
            r["ips"].append(ip)
            r["routes"].append({"dst": dst, "gw": gw})
    r["dns"] = {"nameservers": ["10.1.255.253"], "search": ["svc.cluster.local"]}
    return r


def host_local(ver, v4=True, v6=False):
    """host-local's ADD result, one range or two."""
    r = {"cniVersion": ver, "ips": [], "dns": {}}
    for fam, a, gw in ((v4, "10.1.1.10/16", "10.1.0.1"), (v6, "2001:db8:100::1:10/64",
                                                          "2001:db8:100::1")):
        if fam:
            ip = {"address": a, "gateway": gw}
            if ver < "1.0.0":
                ip["version"] = "6" if ":" in a else "4"
            r["ips"].append(ip)
    return r


def reply_ok(v4=True, v6=False):
    d = {"host_ifname": "vt5a1c2d3e4f6", "host_mac": "02:00:00:00:10:01",
         "mac": "02:00:00:00:10:02", "mtu": 1450}
    if v4:
        d.update(ip="10.1.1.10", gateway="10.1.255.254")
    if v6:
        d.update(ip6="2001:db8:100::1:10", gateway6="fe80::ff:fe00:100")
    return (json.dumps({"ok": True, "data": d}, separators=(",", ":")) + "\n").encode()


def cni_seeds():
    n = 0
    w = lambda origin, data: write("cni", origin, data)
    sel = {"ADD": 0, "DEL": 1, "CHECK": 2, "GC": 3, "STATUS": 4, "VERSION": 5}
    for ver in ("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"):
        p = plugin(ver)
        n += w("net_cni_lib_add_" + ver, cni_input(0, request(p, ver, "ADD"), env("ADD"),
                                                   reply_ok(), host_local(ver)))
        n += w("net_cni_lib_del_" + ver, cni_input(1, request(p, ver, "DEL", prev=result(ver)),
                                                   env("DEL", netns=None), b'{"ok":true,"data":null}\n'))
        n += w("net_cni_lib_check_" + ver, cni_input(2, request(p, ver, "CHECK", prev=result(ver)),
                                                     env("CHECK"), b'{"ok":true}\n'))
    p = plugin("1.1.0")
    n += w("net_cni_spec_portmap", cni_input(0, request(p, "1.0.0", "ADD", pm=[
        {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]), env("ADD"), reply_ok(),
        host_local("1.0.0")))
    n += w("net_cni_lib_gc", cni_input(3, request(p, "1.1.0", "GC", valid=[
        {"containerID": "c11", "ifname": "eth0"}, {"containerID": "c12", "ifname": "eth0"}]),
        env("GC"), b'{"ok":true,"data":{"removed":[{"container_id":"c13","ifname":"eth0"}]}}\n'))
    n += w("net_cni_lib_status", cni_input(0x14, request(p, "1.1.0", "STATUS"), env("STATUS"),
                                           b'{"ok":true,"data":{"ready":true}}\n'))
    n += w("net_cni_lib_version", cni_input(5, {"cniVersion": "1.0.0"}, ["CNI_COMMAND=VERSION"],
                                            b"", {"cniVersion": "1.0.0", "supportedVersions": [
                                                "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"]}))
    # cni_dualstack.sh: host-local with two ranges, results with both families.
    r2 = [[{"subnet": "10.1.0.0/16", "rangeStart": "10.1.1.10", "rangeEnd": "10.1.1.250"}],
          [{"subnet": "2001:db8:100::/64", "rangeStart": "2001:db8:100::1:10",
            "rangeEnd": "2001:db8:100::1:250"}]]
    for ver, fams in (("1.1.0", "46"), ("0.4.0", "46"), ("1.1.0", "6")):
        p6 = plugin(ver, ranges=[r for r, f in zip(r2, "46") if f in fams], dns=False)
        v4, v6 = "4" in fams, "6" in fams
        n += w("net_cni_dualstack_add_%s_%s" % (ver, fams), cni_input(
            0, request(p6, ver, "ADD", name="pods6"), env("ADD"), reply_ok(v4, True),
            host_local(ver, v4, True)))
        n += w("net_cni_dualstack_check_%s_%s" % (ver, fams), cni_input(
            2, request(p6, ver, "CHECK", name="pods6", prev=result(ver, v4, True)), env("CHECK"),
            b'{"ok":true}\n'))
    # cni_bad.sh: the refusals.
    conf = request(plugin("1.0.0", dns=False), "1.0.0", "ADD")
    bad = {
        "malformed": b'{"cniVersion": "1.0.0", "name":', "array": b"[1, 2]",
        "version_999": dict(conf, cniVersion="9.9.9"), "version_020": dict(conf, cniVersion="0.2.0"),
        "unknown_field": dict(conf, frobnicate=7), "ipmasq": dict(conf, ipMasq=True),
        "vni_0": dict(conf, vni=0), "no_ipam": {k: v for k, v in conf.items() if k != "ipam"},
        "ipam_slash": dict(conf, ipam=dict(conf["ipam"], type="../x")), "vni_4242": dict(conf, vni=4242),
    }
    for k, c in bad.items():
        n += w("net_cni_bad_" + k, cni_input(0, c, env("ADD", cid="ca")))
    n += w("net_cni_bad_gc_100", cni_input(3, dict(conf, **{"cni.dev/valid-attachments": []}),
                                           env("GC")))
    for k, e in {"no_cid": env("ADD", cid=""), "ifname_slash": env("ADD", ifname="a/b"),
                 "ifname_16": env("ADD", ifname="abcdefghijklmnop"), "cid_dash": env("ADD", cid="-x"),
                 "netns_relative": env("ADD", netns="netns/a"), "args_foo": env("ADD", args="FOO=bar"),
                 "no_command": [x for x in env("ADD") if not x.startswith("CNI_COMMAND")]}.items():
        n += w("net_cni_bad_env_" + k, cni_input(0, conf, e))
    n += w("vtepd_refused", cni_input(0, conf, env("ADD"),
                                      b'{"ok":false,"error":"vni 4242: no such VNI","code":7}\n'))
    n += w("vtepd_busy", cni_input(0, conf, env("ADD"), b'{"ok":false,"error":"too many clients"}\n'))
    n += w("ipam_error", cni_input(8, conf, env("ADD"), b"", {
        "cniVersion": "1.0.0", "code": 11, "msg": "no IP addresses available in range set",
        "details": "10.1.1.10-10.1.1.250"}))
    # tests/unit/test_cni.c: its JSON literals (configs, results, replies)
    # in the part they stand for, and its environment tables.
    src = os.path.join(top, "tests", "unit", "test_cni.c")
    lits = c_literals(open(src, encoding="utf-8").read())
    envs, cur = [], []
    for b in lits:
        if re.match(rb"^CNI_[A-Z]+=", b):
            cur.append(b.decode("latin-1"))
        elif cur:
            envs.append(cur)
            cur = []
    for i, e in enumerate(envs):
        n += w("unit_test_cni_env%d" % i, cni_input(0, conf, e, reply_ok(), host_local("1.0.0")))
    for b in lits:
        t = b.lstrip()
        if not t.startswith(b"{"):
            continue
        if b'"host_ifname"' in t:
            n += w("unit_test_cni_reply", cni_input(0, conf, env("ADD"),
                                                    b'{"ok":true,"data":' + b + b"}\n"))
        elif b'"ips"' in t and b'"vni"' not in t:
            n += w("unit_test_cni_ipam", cni_input(0, conf, env("ADD"), reply_ok(), b))
            n += w("unit_test_cni_prev", cni_input(2, b'{"cniVersion":"1.0.0","name":"pods",'
                                                   b'"type":"vtepd-cni","vni":100,"prevResult":' + b + b"}",
                                                   env("CHECK")))
        else:
            for cmd in ("ADD", "DEL", "GC"):
                n += w("unit_test_cni_conf_" + cmd.lower(), cni_input(sel[cmd], b, env(cmd),
                                                                      reply_ok(), host_local("1.0.0")))
    return n


if __name__ == "__main__":
    print("make_seeds: %d new config seeds, %d new control seeds, %d new cni seeds"
          % (config_seeds(), control_seeds(), cni_seeds()))
