#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh clone: `npm start`.
# Installs what is missing, builds, and serves (SQLite under var/, the 2025 data set seeded on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "==> building"
npx tsc -p tsconfig.build.json
exec node bin/iso-cycle serve "$@"
