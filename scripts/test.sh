#!/usr/bin/env bash
# The whole test suite, on SQLite and on MariaDB, from a fresh clone: `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ISO_CYCLE_WITH_TEST_TOOLS=1 bash scripts/ensure-deps.sh
source scripts/ensure-mariadb.sh

echo "==> type check"
npx tsc -p tsconfig.json --noEmit

echo "==> BPMN lint (bpmnlint recommended + camunda-cloud-8-8)"
npx bpmnlint "processes/**/*.bpmn"

echo "==> databases under test: ${TEST_DATABASES}"
mkdir -p var
set +e
npx jest --json --outputFile=var/jest-results.json "$@"
status=$?
set -e
node -e '
const r = require("./var/jest-results.json");
const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
console.log(`\njest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
exit $status
