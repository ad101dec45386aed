#!/usr/bin/env bash
# Planted defects: applies each test/mutants/*.patch to src/, runs the test that must catch it,
# reverts, and reports caught/missed. Exit 0 only when every mutant is caught.
# Usage: npm run test:mutants [-- NAME...]   (NAME = a patch file name without .patch)
# A patch that no longer applies (the code moved on) is reported "stale": regenerate it by
# making the same small change by hand in src/ and running `git diff -- src > test/mutants/NAME.patch`,
# then `git checkout -- src`.
set -u
cd "$(dirname "$0")/../.."
if ! git diff --quiet -- src; then
  echo "src/ has uncommitted changes: commit or stash them first" >&2
  exit 2
fi
trap 'git checkout -q -- src' EXIT INT TERM

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for p in test/mutants/*.patch; do names+=("$(basename "$p" .patch)"); done
fi

caught=0; missed=0; stale=0; start=$(date +%s)
for name in "${names[@]}"; do
  patch="test/mutants/$name.patch"
  # The first line of each patch names the test that must catch it:  # test: FILE [-t PATTERN]
  spec=$(sed -n '1s/^# test: //p' "$patch")
  file=${spec%% -t *}
  pattern=""
  [ "$file" != "$spec" ] && pattern=${spec#* -t }
  if ! git apply --check "$patch" 2>/dev/null; then
    echo "STALE   $name (does not apply; see the header of this script)"
    stale=$((stale + 1)); continue
  fi
  git apply "$patch"
  # The e2e tests run dist/: build the mutant.
  if ! npx tsc -p tsconfig.json >/dev/null 2>&1; then
    echo "STALE   $name (does not compile)"
    git checkout -q -- src; stale=$((stale + 1)); continue
  fi
  log="/tmp/mutant-$name.log"
  if [ -n "$pattern" ]; then npx vitest run "$file" -t "$pattern" >"$log" 2>&1; else npx vitest run "$file" >"$log" 2>&1; fi
  rc=$?
  git checkout -q -- src
  if [ $rc -ne 0 ]; then
    echo "CAUGHT  $name by $file ${pattern:+(-t \"$pattern\")}"; caught=$((caught + 1))
  else
    echo "MISSED  $name: $file passed with the defect (log: $log)"; missed=$((missed + 1))
  fi
done
npx tsc -p tsconfig.json >/dev/null 2>&1
echo "mutants: caught $caught, missed $missed, stale $stale, in $(( $(date +%s) - start )) s"
[ $missed -eq 0 ] && [ $stale -eq 0 ]
