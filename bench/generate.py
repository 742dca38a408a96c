#!/usr/bin/env python3
"""Generates a realistic synthetic opsgate repository, deterministic from a seed.

The compliant example (fixtures/acme: every kind, cross-referenced the way the rules require) is
replicated as independent "organisation units": unit k gets every id suffixed with `-k`, so all
references stay correct inside the unit. A share of units (--gap-share) gets one of the planted
problems of fixtures/gaps, chosen by the seeded random generator.

usage: generate.py OUT_DIR --artifacts N [--seed S] [--gap-share 0.1]
"""
import argparse
import os
import random
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACME = os.path.join(ROOT, "fixtures", "acme")

# (file, old, new): the same plants as fixtures/gaps, one per family.
GAPS = [
    ("changes/CHG-2026-004.yaml", "  backout_plan: Version 1.4 of the agreements stays in force until the new versions are signed.\n", ""),
    ("cmdb/ci-report-job.yaml", "result: compliant}", "result: non_compliant, deviations: [Runs as root]}"),
    ("incidents/INC-2026-102.yaml", "priority: P2", "priority: P3"),
    ("releases/REL-2026-014.yaml", "tested: true", "tested: false"),
    ("availability/availability-plan.yaml", "tested_on: 2026-09-10}", "tested_on: 2025-09-10}"),
    ("continuity/continuity-plan.yaml", "  triggers:\n    - Loss of the primary region for more than 30 minutes\n    - Ransomware or data corruption affecting the production database\n", ""),
    ("agreements/sla-portal.yaml", "  penalties: Service credit of 5 % of the monthly fee per 0.1 % below target, capped at 25 %.\n", ""),
]


def load_acme():
    files = {}
    for dirpath, _, names in os.walk(ACME):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, ACME)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if "apiVersion: opsgate/" in text:
                files[rel] = text
    return dict(sorted(files.items()))


def ids_of(files):
    ids = set()
    for text in files.values():
        ids.update(re.findall(r"^metadata: \{id: ([^,]+),", text, re.M))
        ids.update(re.findall(r"^  id: (\S+)$", text, re.M))
    return sorted(ids, key=len, reverse=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--artifacts", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gap-share", type=float, default=0.1)
    a = ap.parse_args()

    files = load_acme()
    ids = ids_of(files)
    per_unit = sum(t.count("\napiVersion: opsgate/") + t.startswith("apiVersion: opsgate/") for t in files.values())
    units = max(1, round(a.artifacts / per_unit))
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])")
    rng = random.Random(a.seed)
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    gaps = 0
    for k in range(units):
        gap = rng.choice(GAPS) if rng.random() < a.gap_share else None
        gaps += gap is not None
        for rel, text in files.items():
            if gap and gap[0] == rel:
                text = text.replace(gap[1], gap[2], 1)
            text = pattern.sub(lambda m: f"{m.group(1)}-u{k}", text)
            path = os.path.join(a.out, f"unit-{k:05d}", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    print(f"{units * per_unit} artifacts in {units} units ({gaps} with a planted gap) under {a.out}")


if __name__ == "__main__":
    main()
