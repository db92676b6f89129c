#!/usr/bin/env bash
# The soak test (issue 10), apart from `npm test`: `npm run test:soak`. The real server under
# concurrent simulated users, killed with SIGKILL and restarted; SQLite and MariaDB (TEST_DATABASES).
# Bounded: SOAK_SECONDS (default 300) per database. Knobs: SOAK_UNITS (16 reports, two people
# each), SOAK_KILLS (at least 4 kills). SOAK_FAULT=write-behind must make it fail.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium (every approval issues a PDF) and the npm dependencies, when run on its own.
bash scripts/ensure-deps.sh
source scripts/ensure-mariadb.sh
echo "==> soak test on: ${TEST_DATABASES}"
exec npx jest --testMatch '**/test/soak/*.soak.ts' --runInBand "$@"
