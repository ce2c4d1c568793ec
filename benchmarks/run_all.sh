#!/usr/bin/env bash
# Every figure of benchmarks/README.md, in one go (about an hour on a 2-core machine, most of it
# check-jsonschema and linkml-validate). Corpora go to benchmarks/.corpus/, results to benchmarks/results/.
#   bash benchmarks/run_all.sh            # all sizes
#   SIZES="30" bash benchmarks/run_all.sh # just one
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${OUT:-benchmarks/.corpus}
SIZES=${SIZES:-"30 300 600 300-defective"}

for size in $SIZES; do
  departments=${size%%-*}
  case $size in
    *-defective) defective=0.01; dir=$OUT/${departments}x100x15-defective ;;
    *) defective=0; dir=$OUT/${departments}x100x15 ;;
  esac
  [ -f "$dir/corpus.json" ] || $PY benchmarks/corpus.py "$dir" --departments "$departments" --resources 100 \
    --items 15 --defective "$defective" --seed 0
  case $size in
    30) $PY benchmarks/run.py "$dir" --repeat 3 --postgres ;;
    300) $PY benchmarks/run.py "$dir" --repeat 3 --postgres --timeout 1200 --profile --flamegraph ;;
    # The other validators are capped: at 600 they only confirm they are still linear and slow.
    600) $PY benchmarks/run.py "$dir" --repeat 2 --postgres --timeout 300 ;;
    *-defective) $PY benchmarks/run.py "$dir" --repeat 3 --skip load,check-jsonschema,linkml --profile ;;
  esac
done
$PY benchmarks/run.py --table
