#!/usr/bin/env python3
"""opsgate's benchmark: generated repositories of N artifacts, opsgate's main paths side by side
with the real OPA evaluating the same policies and ajv-cli validating the same documents, and the
floor (reading every file). Prints a markdown table of medians: wall time, CPU time, peak memory,
artifacts per second. Run through bench/run.sh, which builds and installs what this needs.

usage: run.py --sizes 1000,10000 [--runs 3] [--opa-max 10000] [--work DIR]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSGATE = os.path.join(ROOT, "target", "release", "opsgate")
PEERS = os.path.join(ROOT, "target", "peers", "bench")
AS_OF = "2026-11-24"


def timed(cmd, cwd=None):
    """(wall s, cpu s, peak MiB, exit code) of one run, measured by GNU time."""
    with tempfile.NamedTemporaryFile(suffix=".time") as t:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", t.name, "sh", "-c", cmd],
                           cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        user, system, rss = open(t.name).read().strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(rss) / 1024, p.returncode


def measure(cmd, runs, cwd=None, setup=None):
    samples = []
    for _ in range(runs):
        if setup:
            setup()
        samples.append(timed(cmd, cwd))
    codes = {s[3] for s in samples}
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            statistics.median(s[2] for s in samples), codes)


def sh(cmd, cwd=None):
    subprocess.run(cmd, shell=True, check=True, cwd=cwd, stdout=subprocess.DEVNULL)


def corpus(work, n):
    path = os.path.join(work, f"corpus-{n}")
    if not os.path.isdir(path):
        sh(f"python3 {ROOT}/bench/generate.py {path} --artifacts {n} --seed 7 --gap-share 0.1")
        sh("git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm corpus", cwd=path)
    count = json.loads(subprocess.run([OPSGATE, "check", path, "--as-of", AS_OF, "--format", "json"],
                                      capture_output=True, text=True).stdout)["summary"]["artifacts"]
    return path, count


def yaml_megabytes(path):
    """The corpus's YAML text in MB (10^6 bytes): what is read, not what it occupies on disk."""
    total = 0
    for dirpath, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d != ".git"]
        total += sum(os.path.getsize(os.path.join(dirpath, n)) for n in names if n.endswith(".yaml"))
    return total / 1e6


def json_per_kind(path, out):
    """The same documents as one JSON file each, grouped by kind (ajv-cli reads one document per file)."""
    if os.path.isdir(out):
        return
    import yaml
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from opa_check import Loader
    for dirpath, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            if name.endswith(".yaml"):
                with open(os.path.join(dirpath, name)) as f:
                    for i, doc in enumerate(yaml.load_all(f, Loader=Loader)):
                        if isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith("opsgate/"):
                            kind_dir = os.path.join(out, doc["kind"])
                            os.makedirs(kind_dir, exist_ok=True)
                            target = os.path.join(kind_dir, f"{doc['metadata']['id']}.json")
                            with open(target, "w") as g:
                                json.dump(doc, g, default=str)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--opa-max", type=int, default=10000, help="skip OPA above this size (it is slow)")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rows = []
    agree = []
    megabytes = {}
    for n in [int(s) for s in a.sizes.split(",")]:
        path, count = corpus(a.work, n)
        megabytes[count] = yaml_megabytes(path)
        release = os.path.join(path, "unit-00000", "releases", "REL-2026-014.yaml")
        original = open(release).read()

        def stage_one_change():
            sh("git reset -q --hard", cwd=path)
            # A change to the content (not only a comment), so the neighbourhood is evaluated.
            with open(release, "w") as f:
                f.write(original.replace("title: Portal 2.14.0,", "title: Portal 2.14.0 (patched),", 1))
            sh("git add unit-00000/releases/REL-2026-014.yaml", cwd=path)

        commands = [
            ("floor: read every file", f"find {path} -name '*.yaml' -not -path '*/.git/*' -print0 | xargs -0 cat > /dev/null", None),
            ("opsgate check", f"{OPSGATE} check {path} --as-of {AS_OF} --quiet", None),
            ("opsgate check --format json", f"{OPSGATE} check {path} --as-of {AS_OF} --format json", None),
            ("opsgate check --staged (1 file changed)", f"{OPSGATE} check --staged --as-of {AS_OF} --quiet .", stage_one_change),
            ("opsgate report --format html", f"{OPSGATE} report {path} --as-of {AS_OF} --output {a.work}/report-{n}.html", None),
        ]
        for label, cmd, setup in commands:
            wall, cpu, rss, codes = measure(cmd, a.runs, cwd=path, setup=setup)
            rows.append((n, count, label, wall, cpu, rss))
        sh("git reset -q --hard", cwd=path)
        with open(release, "w") as f:
            f.write(original)

        if n <= a.opa_max:
            py = os.path.join(PEERS, "venv", "bin", "python")
            found = os.path.join(a.work, f"opa-{n}.json")
            cmd = f"{py} {ROOT}/bench/opa_check.py {ROOT}/policies {path} --as-of {AS_OF} --findings {found}"
            wall, cpu, rss, _ = measure(cmd, 1)
            rows.append((n, count, "OPA (Go) evaluating the same policies", wall, cpu, rss))
            ours = json.loads(subprocess.run([OPSGATE, "check", path, "--as-of", AS_OF, "--format", "json"],
                                             capture_output=True, text=True).stdout)
            mine = sorted([f["code"], f["artifact"], f["pointer"]] for f in ours["findings"] if f["stage"] == "policy")
            theirs = json.load(open(found))
            agree.append((n, len(mine), len(theirs), mine == theirs))

        per_kind = os.path.join(a.work, f"json-{n}")
        json_per_kind(path, per_kind)
        ajv = os.path.join(PEERS, "node", "node_modules", ".bin", "ajv")
        schemas = schemas_with_ids(a.work)
        cmds = []
        for kind_dir in sorted(os.listdir(per_kind)):
            schema_file = os.path.join(schemas, _schema_file(kind_dir))
            cmds.append(f"{ajv} validate --spec=draft2020 -c ajv-formats --strict=false -r {schemas}/common.schema.json -s {schema_file} -d '{per_kind}/{kind_dir}/*.json' > /dev/null 2>&1")
        wall, cpu, rss, codes = measure(" && ".join(cmds), 1)
        label = "ajv-cli validating the same documents (schemas only)"
        rows.append((n, count, label if codes == {0} else label + " — FAILED", wall, cpu, rss))

    print("| artifacts | what | median wall | CPU | peak memory | artifacts/s | YAML MB/s |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n, count, label, wall, cpu, rss in rows:
        rate = megabytes[count] / wall
        print(f"| {count} | {label} | {wall:.3f} s | {cpu:.2f} s | {rss:.0f} MiB | {count / wall:,.0f} | {rate:,.1f} |")
    print()
    for count, mb in sorted(megabytes.items()):
        print(f"- {count} artifacts: {mb:.1f} MB of YAML text")
    print()
    for count in sorted(megabytes):
        cpu = {label: c for _, cnt, label, _, c, _ in rows if cnt == count}
        ours, opa = cpu.get("opsgate check"), cpu.get("OPA (Go) evaluating the same policies")
        if ours and opa:
            print(f"- {count} artifacts: OPA takes {opa / ours:.0f}× the CPU of `opsgate check`")
    for n, mine, theirs, same in agree:
        print(f"- {n} artifacts: opsgate {mine} policy findings, OPA {theirs}: {'identical' if same else 'DIFFERENT'}")
    if any(not same for *_, same in agree):
        sys.exit(1)


def schemas_with_ids(work):
    """ajv resolves `common.schema.json` against the schema's $id; ours have none (editors resolve
    relative to the file), so the benchmark gives each copy one."""
    out = os.path.join(work, "schemas-with-ids")
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(os.path.join(ROOT, "schemas")):
        if name.endswith(".schema.json"):
            schema = json.load(open(os.path.join(ROOT, "schemas", name)))
            schema["$id"] = f"https://opsgate.invalid/schemas/{name}"
            json.dump(schema, open(os.path.join(out, name), "w"))
    return out


def _schema_file(kind):
    import re
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower() + ".schema.json"


if __name__ == "__main__":
    main()
