#!/usr/bin/env bash
# Every figure of benchmarks/README.md, in one go (about an hour on a 2-core machine, most of it
# check-jsonschema and linkml-validate). Corpora go to benchmarks/.corpus/, results to benchmarks/results/.
#   bash benchmarks/run_all.sh            # all sizes
#   SIZES="30" bash benchmarks/run_all.sh # just one
# The shape and the caps can be set too (the smoke test runs it on a tiny corpus):
#   SIZES=2 RESOURCES=2 ITEMS=3 TIMEOUT=120 OUT=/tmp/c RESULTS=/tmp/r bash benchmarks/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${OUT:-benchmarks/.corpus}
RESULTS=${RESULTS:-benchmarks/results}
SIZES=${SIZES:-"30 300 600 300-defective"}
RESOURCES=${RESOURCES:-100}
ITEMS=${ITEMS:-15}
TIMEOUT=${TIMEOUT:-}
mkdir -p "$RESULTS"

for size in $SIZES; do
  departments=${size%%-*}
  case $size in
    *-defective) defective=0.01; dir=$OUT/${departments}x${RESOURCES}x${ITEMS}-defective ;;
    *) defective=0; dir=$OUT/${departments}x${RESOURCES}x${ITEMS} ;;
  esac
  [ -f "$dir/corpus.json" ] || $PY benchmarks/corpus.py "$dir" --departments "$departments" --resources "$RESOURCES" \
    --items "$ITEMS" --defective "$defective" --seed 0
  run=(benchmarks/run.py "$dir" --results-dir "$RESULTS")
  case $size in
    300) "$PY" "${run[@]}" --repeat 3 --postgres --timeout "${TIMEOUT:-1200}" --profile --flamegraph ;;
    # The other validators are capped: at 600 they only confirm they are still linear and slow.
    600) "$PY" "${run[@]}" --repeat 2 --postgres --timeout "${TIMEOUT:-300}" ;;
    *-defective) "$PY" "${run[@]}" --repeat 3 --skip load,check-jsonschema,linkml --profile ;;
    *) "$PY" "${run[@]}" --repeat 3 --postgres --timeout "${TIMEOUT:-900}" ;;
  esac
  case $size in
    *-defective) ;;
    # Issue 13: warm validate, streaming load, the build; the site alone with an incremental rebuild.
    *) "$PY" benchmarks/province.py "$dir" --postgres --repeat 2 --json "$RESULTS/$(basename "$dir").province.json"
       "$PY" benchmarks/site.py "$dir" --rebuild --json "$RESULTS/$(basename "$dir").site.json" ;;
  esac
done
"$PY" benchmarks/run.py --table --results-dir "$RESULTS"
