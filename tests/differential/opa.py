#!/usr/bin/env python3
"""The real Open Policy Agent's side of tests/differential.rs (the wheel opa-golib-python-bindings,
as bench/opa_check.py uses it).

usage: opa.py POLICY_DIR REQUEST.json > RESULTS.json

REQUEST: {"params": ..., "rule_codes": [...], "copies": [{"inventory": {...},
          "cases": [{"package": "change", "input": {...}}]}]}
RESULTS: one list per copy, one entry per case: {"ok": [findings]} | {"undefined": true} |
         {"error": "..."}.

One engine serves every copy (building one costs ~2 s): each copy's inventory comes in with
`with data.inventory as ...`, and OPA computes the indexes itself from it, as bench/opa_check.py does
(the CI cycle edges with the Rego rule that opsgate replaces with Rust).
"""
import json
import os
import sys

from opa_bindings import OpaEngine
from opa_bindings.engine import OpaError, OpaUndefinedError

HELPER = """
package difftest
import rego.v1

edges := e if {
	e := data.opsgate.index.ci_cycle_edges
} else := set()

index := object.union(data.opsgate.index.all, {"ci_cycle_edges": edges})

# Every case of a copy. (The same comprehension written in the query itself gave wrong results:
# RSK-003 on an approved acceptance.)
results := {i: r |
	some i, c in input.cases
	idx := input.index
	r := data.opsgate.rules[c.package].deny with input as c.input with data.precomputed_index as idx
}

# The case is bound first: `with input as` also replaces the input its own expression reads.
one := r if {
	c := input.case
	r := data.opsgate.rules[c.package].deny with input as c.input with data.precomputed_index as index
}
"""


def main():
    policies, request = sys.argv[1], sys.argv[2]
    with open(request, encoding="utf-8") as f:
        req = json.load(f)
    eng = OpaEngine()
    for name in sorted(os.listdir(policies)):
        if name.endswith(".rego"):
            with open(os.path.join(policies, name), encoding="utf-8") as f:
                eng.add_policy(name, f.read())
    eng.add_policy("difftest.rego", HELPER)
    eng.add_data({"params": req["params"], "rule_codes": req["rule_codes"]})
    out = [evaluate_copy(eng, copy) for copy in req["copies"]]
    json.dump(out, sys.stdout)


def evaluate_copy(eng, copy):
    """All cases of a copy in one query; case by case when that fails (an error names no case)."""
    try:
        got = eng.eval_query(
            # The index is computed once per copy and handed in: under `with input as`, OPA starts
            # a fresh cache, so a rule reading the index per case would compute it for each.
            "inv := input.inventory; idx := data.difftest.index with data.inventory as inv; "
            "out := data.difftest.results with data.inventory as inv "
            'with input as {"cases": input.cases, "index": idx}',
            {"inventory": copy["inventory"], "cases": copy["cases"]},
        )
        results = first_value(got) or {}
        return [
            {"ok": results[str(i)]} if str(i) in results else {"undefined": True}
            for i in range(len(copy["cases"]))
        ]
    except OpaError:
        return [evaluate_case(eng, copy["inventory"], case) for case in copy["cases"]]


def evaluate_case(eng, inventory, case):
    try:
        got = eng.eval_query(
            "out := data.difftest.one with data.inventory as input.inventory",
            {"inventory": inventory, "case": case},
        )
        value = first_value(got)
        return {"undefined": True} if value is None else {"ok": value}
    except OpaUndefinedError:
        return {"undefined": True}
    except OpaError as e:
        return {"error": str(e)}


def first_value(rows):
    """The binding of `out` (None when the query is undefined)."""
    for row in rows or []:
        return row.get("out")
    return None


if __name__ == "__main__":
    main()
