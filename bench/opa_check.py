#!/usr/bin/env python3
"""Evaluates opsgate's own policies with the real Open Policy Agent (Go, v1.20, embedded through
the PyPI wheel opa-golib-python-bindings) over a directory of opsgate artifacts, the way opsgate
does: data.inventory / params / rule_codes, the index package evaluated once, then one evaluation
per artifact and rule package. Unlike opsgate it evaluates EVERY package on EVERY artifact, as plain OPA
and conftest do: no package-level `kinds` filter, so the findings agree only because each package
guards its own kinds. OPA gets no `input.unresolved_references`, so the policies take their portable
path and walk each document themselves.

usage: opa_check.py POLICY_DIR DOCS_DIR --as-of DATE [--findings OUT.json] [--timings]
Prints `findings=N artifacts=M`; with --findings writes the sorted [code, artifact, pointer] list.
"""
import argparse
import json
import os
import re
import sys
import time

import yaml
from opa_bindings import OpaEngine
from opa_bindings.engine import OpaUndefinedError

# The rules' parameters at their defaults, from the configuration schema (whose `default`s
# tests/params.rs checks against src/params.rs, the one table of them).
_SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "schemas", "config", "opsgate.schema.json")
with open(_SCHEMA) as _f:
    PARAMS = {name: prop["default"] for name, prop in
              json.load(_f)["properties"]["params"]["properties"].items()}


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML like opsgate reads it: timestamps stay strings (YAML 1.2 core schema)."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in getattr(yaml.SafeLoader, "yaml_implicit_resolvers").items()
}


def documents(root):
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            if not name.endswith((".yaml", ".yml")):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                for doc in yaml.load_all(f, Loader=Loader):
                    if isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith("opsgate/"):
                        yield doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("policies")
    ap.add_argument("docs")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--findings")
    ap.add_argument("--timings", action="store_true")
    a = ap.parse_args()

    t0 = time.perf_counter()
    eng = OpaEngine()
    packages = []
    for name in sorted(os.listdir(a.policies)):
        if name.endswith(".rego"):
            with open(os.path.join(a.policies, name), encoding="utf-8") as f:
                text = f.read()
            eng.add_policy(name, text)
            m = re.search(r"^package (opsgate\.rules\.\w+)", text, re.M)
            if m:
                packages.append(m.group(1))
    docs = list(documents(a.docs))
    t_parse = time.perf_counter()

    inventory = {}
    for doc in docs:
        inventory.setdefault(doc["kind"], {})[doc["metadata"]["id"]] = doc
    codes = []
    for pkg in packages:
        codes.extend(eng.eval_document(pkg + ".metadata", {}) or {})
    eng.add_data({"inventory": inventory, "params": PARAMS, "rule_codes": sorted(codes)})
    index = eng.eval_document("opsgate.index.all", {})
    # opsgate adds the CI cycle edges itself (linear, src/evaluate/cycles.rs); here the Rego rule does.
    index["ci_cycle_edges"] = eng.eval_document("opsgate.index.ci_cycle_edges", {}) or []
    eng.add_data({"precomputed_index": index})
    t_setup = time.perf_counter()

    found = []
    for doc in docs:
        inp = {"artifact": doc, "as_of": a.as_of}
        for pkg in packages:
            try:
                denied = eng.eval_document(pkg + ".deny", inp)
            except OpaUndefinedError:
                denied = []
            for f in denied:
                found.append([f["code"], doc["metadata"]["id"], f["pointer"]])
    t_eval = time.perf_counter()

    found.sort()
    if a.findings:
        with open(a.findings, "w") as f:
            json.dump(found, f)
    print(f"findings={len(found)} artifacts={len(docs)}")
    if a.timings:
        print(f"timings_ms parse={1e3*(t_parse-t0):.0f} setup={1e3*(t_setup-t_parse):.0f} eval={1e3*(t_eval-t_setup):.0f}", file=sys.stderr)


if __name__ == "__main__":
    main()
