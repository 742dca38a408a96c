#!/usr/bin/env bash
# Seeds the fuzz corpora with every YAML fixture of the repository (multi-document files as they are).
# Run from anywhere; the corpora under fuzz/corpus/ are not committed.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
for target in load check_document; do
    corpus="$fuzz_dir/corpus/$target"
    mkdir -p "$corpus"
    count=0
    while IFS= read -r -d '' file; do
        # One name per fixture path, so fixtures with the same file name do not overwrite each other.
        relative="${file#"$root"/fixtures/}"
        cp "$file" "$corpus/seed-${relative//\//_}"
        count=$((count + 1))
    done < <(find "$root/fixtures" -type f -name '*.yaml' -print0)
    echo "$target: $count seed files in ${corpus#"$root"/}"
done
