#!/usr/bin/env python3
"""The history benchmark: a deterministic repository of ~1,000 artifacts (bench/generate.py) and a
first-parent history of 2,000 commits over 2026-01-01..2026-06-30 (about 11 a day), each commit
planting or removing one of fixtures/gaps' problems in one organisation unit, written with
`git fast-import` (fixed authors and dates, so the same seed gives the same commit ids). Then times
`opsgate report --period 2026-01-01..2026-06-30 --format json`.

usage: history.py OUT_DIR [--commits 2000] [--artifacts 1000] [--seed 7] [--opsgate BIN]
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from generate import GAPS  # noqa: E402

START = 1767225600  # 2026-01-01T00:00:00Z
END = 1782777600  # 2026-06-30T00:00:00Z (the last commit is before the period's end)


def files_of(repo):
    out = {}
    for dirpath, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, repo)] = f.read()
    return out


def data(payload):
    return b"data %d\n" % len(payload) + payload + b"\n"


def stream(files, commits, seed):
    rng = random.Random(seed)
    units = sorted({p.split("/", 1)[0] for p in files})
    out = [b"reset refs/heads/main\n", b"commit refs/heads/main\n",
           b"author Ivy Importer <ivy@example.com> 1764547200 +0000\n",
           b"committer Ivy Importer <ivy@example.com> 1764547200 +0000\n", data(b"Import")]
    for path in sorted(files):
        out.append(b"M 100644 inline " + path.encode() + b"\n" + data(files[path]))
    planted = {}
    step = (END - START) // commits
    for n in range(commits):
        when = START + n * step + rng.randrange(step)
        unit = rng.choice(units)
        rel, old, new = rng.choice(GAPS)
        path = f"{unit}/{rel}"
        if path not in files:
            continue
        if path in planted:
            files[path] = planted.pop(path)  # the fix: the record as it was
        else:
            text = files[path].decode()
            if old not in text:
                continue
            planted[path] = files[path]
            files[path] = text.replace(old, new, 1).encode()
        who = rng.choice(["Ann Admin", "Bo Builder", "Cy Changer"])
        out += [b"commit refs/heads/main\n",
                f"author {who} <dev@example.com> {when} +0000\n".encode(),
                f"committer {who} <dev@example.com> {when} +0000\n".encode(),
                data(f"Change {n} in {path}".encode()),
                b"M 100644 inline " + path.encode() + b"\n" + data(files[path])]
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--artifacts", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--opsgate", default=os.path.join(ROOT, "target", "release", "opsgate"))
    args = ap.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    tree = args.out + ".tree"
    if os.path.exists(tree):
        shutil.rmtree(tree)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), tree,
                    "--artifacts", str(args.artifacts), "--seed", str(args.seed), "--gap-share", "0"],
                   check=True, stdout=subprocess.DEVNULL)
    files = files_of(tree)
    shutil.rmtree(tree)
    subprocess.run(["git", "init", "-q", "-b", "main", args.out], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=args.out, input=stream(files, args.commits, args.seed), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=args.out, check=True)
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=args.out, check=True,
                           capture_output=True, text=True).stdout.strip()
    started = time.monotonic()
    run = subprocess.run([args.opsgate, "report", args.out, "--period", "2026-01-01..2026-06-30",
                          "--format", "json", "--no-config", "-o", os.path.join(args.out, ".git", "period.json")],
                         capture_output=True, text=True)
    elapsed = time.monotonic() - started
    print(f"commits={count} files={len(files)} exit={run.returncode} wall={elapsed:.2f}s")
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)


if __name__ == "__main__":
    main()
