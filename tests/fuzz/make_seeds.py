#!/usr/bin/env python3
"""make_seeds.py - write the seed corpora of fuzz_config, fuzz_control and
fuzz_cni (tests/fuzz/corpus/{config,control,cni}/) from the inputs the
project already uses, so the fuzzers start from real files and requests,
and fuzz_bgp's hand-written seeds (tests/fuzz/corpus/bgp/hand_*):

  config   every JSON object literal of the unit tests (tests/unit/*.c) that
           looks like a configuration, a state file or a pods file, the
           golden configs (tests/unit/config/*.json, refused ones too), the
           ```json blocks of docs/*.md, dist/vtepd.json.example, the
           Kubernetes ConfigMap's vtepd.json, and configurations written by
           tests/net/lib.sh's write_config (run with bash, jq), one of them
           made a Kubernetes node's as tests/net/k8s_lib.sh does (VNIs with
           outside "host" and host_ip, a cni_socket).
  control  every request literal of tests/unit/test_control_*.c and
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
  bgp      what the GoBGP and FRR captures (make_corpus.py) never hold,
           written from the RFCs: OPENs with each capability and each
           refusal, NOTIFICATION and ROUTE-REFRESH forms, header errors,
           IPv4 unicast fields, every attribute with its RFC 7606 error
           cases, EVPN NLRIs of each type and length, route distinguishers
           and extended communities of each kind, confederation segments,
           and the RFC 6793 4.2.3 cases of a 2-octet session (AS_TRANS with
           AS4_PATH and AS4_AGGREGATOR).

Run by hand after changing those inputs (`python3 tests/fuzz/make_seeds.py
[config|control|cni|bgp]...`, all four when none is named);
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
    # test_control_*.c: one file before its split by command family, so
    # its seeds keep the one name (unit_test_control_<hash>).
    unit = sorted(glob.glob(os.path.join(top, "tests", "unit", "test_control_*.c")))
    unit.append(os.path.join(top, "tests", "unit", "test_cnictl.c"))
    for src in unit:
        origin = "unit_" + re.sub(r"^(test_control)_.*", r"\1", os.path.basename(src)[:-2])
        for b in c_literals(open(src, encoding="utf-8").read()):
            if b'"cmd"' in b or b.startswith((b"{", b"[", b"not json")) or b == b"":
                n += write("control", origin, b)
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


# ---- fuzz_bgp: messages the captures lack ----
#
# The GoBGP and FRR captures (make_corpus.py, make_corpus6.py) hold what
# two well-behaved speakers send on a 4-octet session. These are written by
# hand from the RFCs, one seed per case, for what they never send: OPENs with
# every capability vtepd reads and each refusal of RFC 4271 6.2 (RFC 9072's
# extended parameters too), the NOTIFICATION forms of RFC 9003 and RFC 8538,
# ROUTE-REFRESH subtypes (RFC 7313), header errors, IPv4 unicast fields,
# every attribute vtepd decodes with its RFC 7606 error cases, EVPN NLRIs
# of each type and length, and the RFC 6793 4.2.3 cases a 2-octet session
# meets (AS_TRANS with AS4_PATH and AS4_AGGREGATOR). fuzz_bgp decodes each
# input under every 2/4-octet and iBGP/eBGP combination.

def bgp_hdr(mtype, body, length=None):
    n = 19 + len(body) if length is None else length
    return b"\xff" * 16 + n.to_bytes(2, "big") + bytes([mtype]) + body


def bgp_cap(code, val=b""):
    return bytes([code, len(val)]) + val


def bgp_open(caps=b"", params=None, my_as=65001, hold=90, bgp_id=b"\xc6\x33\x64\x01",
             version=4, opt_len=None):
    if params is None:
        params = b"\x02" + bytes([len(caps)]) + caps if caps else b""
    ol = len(params) if opt_len is None else opt_len
    return bgp_hdr(1, bytes([version]) + my_as.to_bytes(2, "big") + hold.to_bytes(2, "big")
                   + bgp_id + bytes([ol]) + params)


def bgp_attr(flags, atype, val, ext=False):
    if ext or len(val) > 255:
        return bytes([flags | 0x10, atype]) + len(val).to_bytes(2, "big") + val
    return bytes([flags, atype, len(val)]) + val


def bgp_update(attrs=b"", withdrawn=b"", nlri=b""):
    return bgp_hdr(2, len(withdrawn).to_bytes(2, "big") + withdrawn
                   + len(attrs).to_bytes(2, "big") + attrs + nlri)


def aspath(segs, width=4):
    """segs: (type, [asn...]); 1 AS_SET, 2 AS_SEQUENCE, 3 CONFED_SEQUENCE, 4 CONFED_SET."""
    return b"".join(bytes([t, len(a)]) + b"".join(x.to_bytes(width, "big") for x in a)
                    for t, a in segs)


def rd_ip(ip="192.0.2.11", n=100):
    return b"\x00\x01" + bytes(int(x) for x in ip.split(".")) + n.to_bytes(2, "big")


def ipb(ip):
    if ":" in ip:
        import ipaddress
        return ipaddress.IPv6Address(ip).packed
    return bytes(int(x) for x in ip.split("."))


def evpn_macip(mac="02:00:00:00:aa:01", ip="10.1.0.21", rd=None, labels=(100,),
               mac_bits=48, ip_bits=None, etag=0):
    ipv = ipb(ip) if ip else b""
    body = ((rd or rd_ip()) + b"\x00" * 10 + etag.to_bytes(4, "big") + bytes([mac_bits])
            + bytes(int(x, 16) for x in mac.split(":"))
            + bytes([len(ipv) * 8 if ip_bits is None else ip_bits]) + ipv
            + b"".join(l.to_bytes(3, "big") for l in labels))
    return bytes([2, len(body)]) + body


def evpn_imet(ip="192.0.2.11", rd=None, ip_bits=None, etag=0):
    v = ipb(ip)
    body = (rd or rd_ip()) + etag.to_bytes(4, "big") + bytes([len(v) * 8 if ip_bits is None else ip_bits]) + v
    return bytes([3, len(body)]) + body


def evpn_prefix(pfx="10.9.0.0", plen=16, gw=None, rd=None, label=4000):
    v = ipb(pfx)
    body = ((rd or rd_ip()) + b"\x00" * 10 + b"\x00" * 4 + bytes([plen]) + v
            + (ipb(gw) if gw else b"\x00" * len(v)) + label.to_bytes(3, "big"))
    return bytes([5, len(body)]) + body


def mp_reach(nlri, nh=b"\xc0\x00\x02\x0b", afi=25, safi=70, flags=0x80):
    return bgp_attr(flags, 14, afi.to_bytes(2, "big") + bytes([safi, len(nh)]) + nh + b"\x00" + nlri)


def mp_unreach(nlri, afi=25, safi=70):
    return bgp_attr(0x80, 15, afi.to_bytes(2, "big") + bytes([safi]) + nlri)


def ext(*comms):
    return bgp_attr(0xc0, 16, b"".join(comms))


def rt_as2(asn=65001, n=100):
    return b"\x00\x02" + asn.to_bytes(2, "big") + n.to_bytes(4, "big")


VXLAN = b"\x03\x0c\x00\x00\x00\x00\x00\x08"
ORIGIN = bgp_attr(0x40, 1, b"\x00")


def as_path(segs, width=4):
    return bgp_attr(0x40, 2, aspath(segs, width))


def evpn_update(nlri=None, attrs=b"", path=None, width=4, comms=None, raw_path=None, first=b""):
    """An EVPN UPDATE as a peer in AS 65001 sends it, with extra attrs
    (after its own; those in first before them: the first copy counts)."""
    if nlri is None:
        nlri = evpn_macip()
    p = as_path(path if path is not None else [(2, [65001])], width) if raw_path is None else raw_path
    return bgp_update(mp_reach(nlri) + first + ORIGIN + p
                      + ext(*(comms if comms is not None else [rt_as2(), VXLAN])) + attrs)


def bgp_seeds():
    n = 0
    keep = bgp_hdr(4, b"")
    mac_ip = evpn_macip()

    def w(name, data):
        return write("bgp", "hand_" + name, data)

    # -- OPEN (RFC 4271 4.2, 6.2; RFC 5492; RFC 9072) --
    full = (bgp_cap(1, b"\x00\x19\x00\x46") + bgp_cap(1, b"\x00\x01\x00\x01")
            + bgp_cap(2) + bgp_cap(70) + bgp_cap(6) + bgp_cap(65, (4200000001).to_bytes(4, "big"))
            + bgp_cap(64, b"\x80\x78" + b"\x00\x19\x46\x80" + b"\x00\x01\x01\x00")
            + bgp_cap(73, b"\x04host\x00") + bgp_cap(69, b"\x00\x19\x46\x03"))
    n += w("open_every_capability_as4_23456", bgp_open(full, my_as=23456, hold=0) + keep)
    n += w("open_two_cap_params", bgp_open(params=b"\x02\x06" + bgp_cap(1, b"\x00\x19\x00\x46")
                                           + b"\x02\x02" + bgp_cap(2)) + keep)
    many = b"".join(bgp_cap(1, (1 + i).to_bytes(2, "big") + b"\x00\x01") for i in range(20))
    many_gr = bgp_cap(64, b"\x00\x78" + b"".join((1 + i).to_bytes(2, "big") + b"\x01\x80" for i in range(20)))
    n += w("open_more_families_than_kept", bgp_open(many + many_gr))
    caps = bgp_cap(1, b"\x00\x19\x00\x46") + bgp_cap(65, (65001).to_bytes(4, "big"))
    ext_params = b"\xff" + (3 + len(caps)).to_bytes(2, "big") + b"\x02" + len(caps).to_bytes(2, "big") + caps
    n += w("open_rfc9072_extended_params", bgp_open(params=ext_params, opt_len=255) + keep)
    n += w("open_version_3", bgp_open(caps, version=3))
    n += w("open_hold_time_2", bgp_open(caps, hold=2))
    n += w("open_bgp_id_0", bgp_open(caps, bgp_id=b"\x00\x00\x00\x00"))
    n += w("open_auth_param", bgp_open(params=b"\x01\x02\x00\x00"))
    n += w("open_param_overruns", bgp_open(params=b"\x02\x09" + caps))
    n += w("open_cap_overruns", bgp_open(params=b"\x02\x04\x01\x08\x00\x19"))
    n += w("open_bytes_after_params", bgp_open(caps, opt_len=len(caps)))
    for name, cap in (("mp_len_3", bgp_cap(1, b"\x00\x19\x46")), ("rr_len_1", bgp_cap(2, b"\x00")),
                      ("err_len_1", bgp_cap(70, b"\x00")), ("extmsg_len_1", bgp_cap(6, b"\x00")),
                      ("as4_len_2", bgp_cap(65, b"\xfd\xe9")), ("gr_len_3", bgp_cap(64, b"\x00\x78\x00")),
                      ("gr_len_1", bgp_cap(64, b"\x00"))):
        n += w("open_malformed_" + name, bgp_open(cap))

    # -- NOTIFICATION (RFC 4271 4.5, RFC 9003, RFC 8538) --
    def notif(code, sub, data=b""):
        return bgp_hdr(3, bytes([code, sub]) + data)
    n += w("notification_admin_shutdown_reason", notif(6, 2, b"\x0cmaintenance\x07"))
    n += w("notification_admin_reset_reason", notif(6, 4, b"\x05reset"))
    n += w("notification_admin_shutdown_bad_reason_len", notif(6, 2, b"\x09short"))
    n += w("notification_admin_shutdown_no_data", notif(6, 2))
    n += w("notification_admin_shutdown_empty_reason", notif(6, 2, b"\x00"))
    n += w("notification_admin_reset_del_char", notif(6, 4, b"\x03a\x7fb"))
    n += w("notification_hard_reset_admin_shutdown", notif(6, 9, b"\x06\x02\x04down"))
    n += w("notification_hard_reset_hold_timer", notif(6, 9, b"\x04\x00"))
    n += w("notification_hard_reset_one_octet", notif(6, 9, b"\x04"))
    n += w("notification_update_malformed_as_path", notif(3, 11, b"\x40\x02\x01\x07"))
    n += w("notification_open_bad_peer_as", notif(2, 2, b"\xfd\xea"))

    # -- ROUTE-REFRESH (RFC 2918, RFC 7313) --
    n += w("route_refresh_request", bgp_hdr(5, b"\x00\x19\x00\x46"))
    n += w("route_refresh_orf", bgp_hdr(5, b"\x00\x19\x00\x46\x01\x40\x00\x03\x00\x00\x00"))
    n += w("route_refresh_borr", bgp_hdr(5, b"\x00\x19\x01\x46"))
    n += w("route_refresh_eorr", bgp_hdr(5, b"\x00\x19\x02\x46"))
    n += w("route_refresh_eorr_long", bgp_hdr(5, b"\x00\x19\x02\x46\x00"))
    n += w("route_refresh_subtype_7", bgp_hdr(5, b"\x00\x19\x07\x46"))

    # -- header (RFC 4271 6.1) --
    n += w("header_marker_not_ones", b"\xff" * 15 + b"\xfe\x00\x13\x04")
    n += w("header_type_6", bgp_hdr(6, b""))
    n += w("header_keepalive_20", bgp_hdr(4, b"\x00"))
    n += w("header_open_28", bgp_hdr(1, b"\x04\xfd\xe9\x00\x5a\xc6\x33\x64\x01"))
    n += w("header_update_22", bgp_hdr(2, b"\x00\x00\x00"))
    n += w("header_notification_20", bgp_hdr(3, b"\x06"))
    n += w("header_route_refresh_22", bgp_hdr(5, b"\x00\x19\x00"))
    n += w("header_length_4097", bgp_hdr(2, b"\x00\x00\x00\x00", length=4097))
    n += w("header_length_past_input", keep + bgp_hdr(2, b"\x00\x00\x00\x00", length=200))

    # -- UPDATE: IPv4 unicast fields, End-of-RIB, mandatory attributes --
    v4 = (ORIGIN + as_path([(2, [65001, 65002])]) + bgp_attr(0x40, 3, b"\xc6\x33\x64\x01")
          + bgp_attr(0x80, 4, b"\x00\x00\x00\x0a"))
    n += w("update_ipv4_unicast", bgp_update(v4, withdrawn=b"\x00\x08\x0a\x18\xc0\x00\x02\x20\xc6\x33\x64\x01",
                                              nlri=b"\x10\x0a\x01\x18\x0a\x02\x03"))
    n += w("update_ipv4_no_next_hop", bgp_update(ORIGIN + as_path([(2, [65001])]), nlri=b"\x08\x0a"))
    n += w("update_ipv4_withdrawn_len_33", bgp_update(withdrawn=b"\x21\x0a\x00\x00\x00\x00"))
    n += w("update_ipv4_nlri_truncated", bgp_update(v4, nlri=b"\x18\x0a\x01"))
    n += w("update_withdrawn_overruns", bgp_hdr(2, b"\x00\x09\x08\x0a\x00\x00"))
    n += w("update_attrs_overrun", bgp_hdr(2, b"\x00\x00\x00\x09\x40\x01\x01\x00"))
    n += w("update_eor_ipv4", bgp_update())
    n += w("update_eor_ipv4_vpn", bgp_update(mp_unreach(b"", afi=1, safi=128)))
    n += w("update_no_origin_as_path", bgp_update(mp_reach(mac_ip) + ext(rt_as2(), VXLAN)))
    n += w("update_unreach_and_reach", bgp_update(mp_unreach(evpn_macip(mac="02:00:00:00:aa:02"))
                                                  + mp_reach(mac_ip) + ORIGIN + as_path([(2, [65001])])
                                                  + ext(rt_as2(), VXLAN)))

    # -- every attribute vtepd decodes, then built again (iBGP for LOCAL_PREF) --
    allattrs = (bgp_attr(0x80, 4, b"\x00\x00\x00\x64") + bgp_attr(0x40, 5, b"\x00\x00\x00\xc8")
                + bgp_attr(0x40, 6, b"") + bgp_attr(0xc0, 7, (65009).to_bytes(4, "big") + b"\xc0\x00\x02\x09")
                + bgp_attr(0xc0, 8, b"\xfd\xe9\x00\x64\xff\xff\xff\x01")
                + bgp_attr(0x80, 9, b"\xc0\x00\x02\x63") + bgp_attr(0x80, 10, b"\xc0\x00\x02\x64\xc0\x00\x02\x65")
                + bgp_attr(0x40, 3, b"\xc6\x33\x64\x01")
                + bgp_attr(0xc0, 22, b"\x00\x06\x00\x00\x64\xc0\x00\x02\x0b")
                + bgp_attr(0xc0, 99, b"transitive") + bgp_attr(0x80, 98, b"ignored")
                + bgp_attr(0xe0, 97, b"partial", ext=True))
    n += w("update_every_attribute", evpn_update(evpn_macip() + evpn_imet() + evpn_prefix(gw="10.1.0.1"),
                                                 allattrs))
    n += w("update_aggregator_2_octet", evpn_update(attrs=bgp_attr(0xc0, 7, b"\xfd\xe9\xc0\x00\x02\x09"),
                                                    width=2))
    n += w("update_33_unknown_transitive", evpn_update(attrs=b"".join(bgp_attr(0xc0, 100 + i, b"x")
                                                                        for i in range(34))))
    # RFC 7606 7: each attribute with a wrong length or value
    for name, a in (("origin_len_2", bgp_attr(0x40, 1, b"\x00\x00")), ("origin_3", bgp_attr(0x40, 1, b"\x03")),
                    ("next_hop_len_3", bgp_attr(0x40, 3, b"\x01\x02\x03")),
                    ("med_len_3", bgp_attr(0x80, 4, b"\x01\x02\x03")),
                    ("local_pref_len_3", bgp_attr(0x40, 5, b"\x01\x02\x03")),
                    ("atomic_aggregate_len_1", bgp_attr(0x40, 6, b"\x00")),
                    ("aggregator_len_7", bgp_attr(0xc0, 7, b"\x00" * 7)),
                    ("communities_len_3", bgp_attr(0xc0, 8, b"\x00" * 3)),
                    ("communities_len_0", bgp_attr(0xc0, 8, b"")),
                    ("originator_id_len_3", bgp_attr(0x80, 9, b"\x00" * 3)),
                    ("cluster_list_len_5", bgp_attr(0x80, 10, b"\x00" * 5)),
                    ("pmsi_len_4", bgp_attr(0xc0, 22, b"\x00\x06\x00\x00")),
                    ("pmsi_ingress_id_len_5", bgp_attr(0xc0, 22, b"\x00\x06\x00\x00\x64" + b"\x01" * 5)),
                    ("pmsi_other_tunnel_id_20", bgp_attr(0xc0, 22, b"\x00\x03\x00\x00\x64" + b"\x01" * 20)),
                    ("pmsi_ingress_ipv6", bgp_attr(0xc0, 22, b"\x00\x06\x00\x00\x64" + ipb("2001:db8::b"))),
                    ("as4_aggregator_len_7", bgp_attr(0xc0, 18, b"\x00" * 7)),
                    ("as4_path_len_5", bgp_attr(0xc0, 17, b"\x02\x01\x00\x00\x00")),
                    ("origin_optional_flag", bgp_attr(0xc0, 1, b"\x00")),
                    ("med_transitive_flag", bgp_attr(0xc0, 4, b"\x00\x00\x00\x01")),
                    ("origin_twice", ORIGIN + bgp_attr(0x40, 1, b"\x01")),
                    ("unknown_well_known_99", bgp_attr(0x40, 99, b"x")),
                    ("ext_len_7", bgp_attr(0xc0, 16, b"\x00" * 7))):
        n += w("update_attr_" + name, evpn_update(first=a))
    n += w("update_mp_reach_flags_transitive", bgp_update(mp_reach(mac_ip, flags=0xc0) + ORIGIN
                                                          + as_path([(2, [65001])])))
    n += w("update_mp_reach_twice", bgp_update(mp_reach(mac_ip) + mp_reach(evpn_imet())))
    n += w("update_attr_past_field_after_mp", bgp_update(mp_reach(mac_ip) + b"\x40\x01\x05\x00"))
    n += w("update_attr_past_field_before_mp", bgp_update(b"\x40\x02\x05\x02\x01" + mp_reach(mac_ip)))
    n += w("update_extended_length_short", bgp_update(mp_reach(mac_ip) + bgp_attr(0x40, 1, b"\x00", ext=True)
                                                      + as_path([(2, [65001])])))

    # -- MP_REACH / MP_UNREACH (RFC 4760, RFC 7606 7.11) --
    n += w("mp_reach_nh_ipv6", bgp_update(mp_reach(mac_ip, nh=ipb("2001:db8::b")) + ORIGIN
                                          + as_path([(2, [65001])])))
    n += w("mp_reach_nh_ipv6_link_local", bgp_update(mp_reach(mac_ip, nh=ipb("2001:db8::b") + ipb("fe80::b"))
                                                     + ORIGIN + as_path([(2, [65001])])))
    n += w("mp_reach_nh_len_5", bgp_update(mp_reach(mac_ip, nh=b"\x00" * 5)))
    n += w("mp_reach_too_short_for_nh", bgp_update(bgp_attr(0x80, 14, b"\x00\x19\x46\x10\x00\x00")))
    n += w("mp_reach_3_octets", bgp_update(bgp_attr(0x80, 14, b"\x00\x19\x46")))
    n += w("mp_reach_ipv4_unicast", bgp_update(mp_reach(b"\x18\x0a\x01\x02", afi=1, safi=1) + ORIGIN
                                               + as_path([(2, [65001])])))
    n += w("mp_reach_vpn_nh_40", bgp_update(mp_reach(b"", afi=2, safi=128, nh=b"\x00" * 40)))
    n += w("mp_unreach_2_octets", bgp_update(bgp_attr(0x80, 15, b"\x00\x19")))
    n += w("mp_unreach_ipv6_unicast", bgp_update(mp_unreach(b"\x40\x20\x01\x0d\xb8\x00\x00\x00\x01", afi=2, safi=1)))

    # -- EVPN NLRIs (RFC 7432 7.2, 7.3; RFC 9136 3.1) --
    for name, nl in (("type_1_skipped", bytes([1, 25]) + b"\x00" * 25),
                     ("type_4_skipped", bytes([4, 23]) + b"\x00" * 23),
                     ("macip_short", bytes([2, 30]) + b"\x00" * 30),
                     ("macip_mac_bits_47", evpn_macip(mac_bits=47)),
                     ("macip_ip_bits_24", evpn_macip(ip_bits=24)),
                     ("macip_length_mismatch", evpn_macip()[:-1].replace(b"\x02\x25", b"\x02\x24", 1)),
                     ("macip_ipv6_two_labels", evpn_macip(ip="2001:db8::21", labels=(100, 4000))),
                     ("macip_mac_only_two_labels", evpn_macip(ip=None, labels=(100, 4000))),
                     ("imet_len_18", evpn_imet()[:1] + b"\x12" + evpn_imet()[2:] + b"\x00"),
                     ("imet_ip_bits_128_v4", evpn_imet(ip_bits=128)),
                     ("imet_ipv6", evpn_imet(ip="2001:db8::b")),
                     ("prefix_len_35", evpn_prefix()[:1] + b"\x23" + evpn_prefix()[2:] + b"\x00"),
                     ("prefix_plen_33", evpn_prefix(plen=33)),
                     ("prefix_ipv6_gw", evpn_prefix(pfx="2001:db8:9::", plen=48, gw="2001:db8::1")),
                     ("framing", evpn_macip() + b"\x02\x40\x00")):
        n += w("evpn_" + name, evpn_update(nl))
        if name == "framing":
            n += w("evpn_unreach_" + name, bgp_update(mp_unreach(nl)))
    # route distinguishers of each type (RFC 4364 4.2) and an unknown one
    for name, rd in (("rd_type_0", b"\x00\x00\xfd\xe9\x00\x00\x00\x64"),
                     ("rd_type_2", b"\x00\x02\xfa\x56\xea\x01\x00\x64"),
                     ("rd_type_2_small_as", b"\x00\x02\x00\x00\xfd\xe9\x00\x64"),
                     ("rd_type_3", b"\x00\x03\x01\x02\x03\x04\x05\x06")):
        n += w("evpn_" + name, evpn_update(evpn_macip(rd=rd) + evpn_imet(rd=rd) + evpn_prefix(rd=rd)))

    # -- extended communities (RFC 4360, RFC 9012, RFC 7432 7.7 7.8, RFC 9135, RFC 9047) --
    comms = [rt_as2(), b"\x01\x02\xc0\x00\x02\x0b\x00\x64", b"\x02\x02\xfa\x56\xea\x01\x00\x64",
             b"\x02\x02\x00\x00\xfd\xe9\x00\x64", VXLAN, b"\x03\x0c\x00\x00\x00\x00\x01\x00",
             b"\x03\x0d\x00\x00\x00\x00\x00\x00", b"\x06\x00\x01\x00\x00\x00\x00\x05",
             b"\x06\x00\x00\x00\x00\x00\x00\x09", b"\x06\x00\x00\x00\x00\x00\x00\x02",
             b"\x06\x03\x02\x00\x00\x00\x01\x00", b"\x06\x03\x02\x00\x00\x00\x02\x00",
             b"\x06\x08\x0b\x00\x00\x00\x00\x00", b"\x06\x08\x01\x00\x00\x00\x00\x00",
             b"\x06\x08\xf1\x00\x00\x00\x00\x00", b"\x06\x01\x00\x00\x00\x00\x00\x01",
             b"\x43\x02\x00\x00\x00\x00\x00\x00", b"\x00\x03\xfd\xe9\x00\x00\x00\x64"]
    n += w("ext_communities_each_kind", evpn_update(evpn_macip(ip="2001:db8::21") + mac_ip, comms=comms))
    n += w("ext_communities_router_mac_type_5", evpn_update(evpn_prefix(), comms=[
        rt_as2(65001, 4000), VXLAN, b"\x06\x03\x02\x00\x00\x00\x40\x01"]))
    n += w("ext_communities_nd_flags", evpn_update(evpn_macip(ip="2001:db8::21"), comms=[
        rt_as2(), VXLAN, b"\x06\x08\x09\x00\x00\x00\x00\x00"]))
    n += w("ext_communities_default_gw", evpn_update(mac_ip, comms=[
        rt_as2(), VXLAN, b"\x03\x0d\x00\x00\x00\x00\x00\x00"]))

    # -- AS numbers: confederations (RFC 5065), 4-octet ASNs on a 2-octet
    # session (RFC 6793 4.2.3) --
    T = 23456
    big = [4200000001, 4200000002, 4200000003]
    n += w("as_path_confed_leading", evpn_update(path=[(3, [65100, 65101]), (4, [65102]), (2, [65001])]))
    n += w("as_path_confed_middle", evpn_update(path=[(2, [65001]), (3, [65100]), (2, [65002])]))
    n += w("as_path_set_and_sequence", evpn_update(path=[(2, [4200000001, 65001]), (1, [65003, 4200000004])]))
    n += w("as_path_segment_type_5", evpn_update(path=[(5, [65001])]))
    n += w("as_path_empty_segment", evpn_update(path=[(2, [])]))
    n += w("as_path_overruns", evpn_update(raw_path=bgp_attr(0x40, 2, b"\x02\x02\x00")))
    n += w("as_path_300_asns", evpn_update(path=[(2, list(range(64600, 64855))), (2, list(range(65000, 65045)))]))
    n += w("as_path_255_sequence_prepend", evpn_update(path=[(2, list(range(64600, 64855)))]))

    def upd2(path, as4=None, agg=None, agg4=None, nlri=None):
        a = b""
        if as4 is not None:
            a += bgp_attr(0xc0, 17, aspath(as4, 4))
        if agg is not None:
            a += bgp_attr(0xc0, 7, agg.to_bytes(2, "big") + b"\xc0\x00\x02\x09")
        if agg4 is not None:
            a += bgp_attr(0xc0, 18, agg4.to_bytes(4, "big") + b"\xc0\x00\x02\x0a")
        return evpn_update(nlri, a, path=path, width=2)
    cases = (
        ("as4_path_same_length", [(2, [T, 65002, T])], [(2, [big[0], 65002, big[1]])], None, None),
        ("as4_path_shorter", [(2, [65010, 65011, T, 65002])], [(2, [big[0], 65002])], None, None),
        ("as4_path_longer_ignored", [(2, [T])], [(2, [big[0], big[1]])], None, None),
        ("as4_path_set_taken", [(1, [65010, 65011]), (2, [T])], [(2, [big[0]])], None, None),
        ("as4_path_set_in_both", [(2, [T]), (1, [T, 65011])], [(2, [big[0]]), (1, [big[1], 65011])], None, None),
        ("as4_path_confed_leading", [(3, [65100]), (4, [65101, 65102]), (2, [T, 65002])],
         [(2, [big[0], 65002])], None, None),
        ("as4_path_confed_after_prepended", [(2, [65010]), (3, [65100]), (2, [T])], [(2, [big[0]])], None, None),
        ("as4_path_holds_confed", [(2, [T, 65002])], [(3, [big[2]]), (2, [big[0], 65002])], None, None),
        ("as4_path_set_too_long", [(2, list(range(64600, 64750)))],
         [(1, list(range(4200000000, 4200000200)))], None, None),
        ("as4_path_bad_segment", [(2, [T])], [(9, [big[0]])], None, None),
        ("as4_aggregator_used", [(2, [T, 65002])], [(2, [big[0], 65002])], T, big[2]),
        ("as4_aggregator_not_as_trans", [(2, [T, 65002])], [(2, [big[0], 65002])], 65009, big[2]),
        ("as4_aggregator_alone", [(2, [65001])], None, None, big[2]),
        ("as4_aggregator_no_path", [(2, [T])], None, T, big[2]),
        ("as4_path_no_as_path", None, [(2, [big[0]])], None, None),
    )
    for name, path, as4, agg, agg4 in cases:
        if path is None:
            m = bgp_update(mp_reach(mac_ip) + ORIGIN + ext(rt_as2(), VXLAN)
                           + bgp_attr(0xc0, 17, aspath(as4, 4)))
        else:
            m = upd2(path, as4, agg, agg4)
        n += w(name, m)
    # a 2-octet session's whole exchange: OPEN without the capability, then
    # routes with AS4_PATH
    n += w("as4_session_stream", bgp_open(bgp_cap(1, b"\x00\x19\x00\x46") + bgp_cap(2), my_as=T) + keep
           + upd2([(2, [T, 65002])], [(2, [big[0], 65002])], T, big[2], evpn_macip() + evpn_imet())
           + upd2([(2, [65010, T])], [(2, [big[1]])], None, None, evpn_prefix()) + keep)
    return n


if __name__ == "__main__":
    import sys
    kinds = sys.argv[1:] or ["config", "control", "cni", "bgp"]
    fns = {"config": config_seeds, "control": control_seeds, "cni": cni_seeds, "bgp": bgp_seeds}
    print("make_seeds: " + ", ".join("%d new %s seeds" % (fns[k](), k) for k in kinds))
