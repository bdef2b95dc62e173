#!/usr/bin/env bash
# The whole test suite, as CI runs it: peers installed, typecheck, lint, then every vitest
# project (unit, peers, fidelity). Ends with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh || exit $?
[[ -d dist ]] || npm run build

extra=0
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit || extra=$((extra + 1))
echo "== lint"; npx eslint . || extra=$((extra + 1))
echo "== tests"
mkdir -p .cache
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-results.json
node scripts/summarize-tests.mjs .cache/vitest-results.json --extra-failed=$extra
