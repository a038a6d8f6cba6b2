#!/usr/bin/env bash
# Unit and integration tests (node:test through tsx). Node 20's --test does not expand globs, so the
# shell finds the files. Pass paths to run a subset: scripts/test-unit.sh lib/resilience
# lib/shared-state and test/dataplane/shared-state.test.ts need Redis at REDIS_URL (default
# redis://127.0.0.1:6379, as CI runs it); each run keeps its keys under a prefix of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
roots=("$@")
[ ${#roots[@]} -gt 0 ] || roots=(lib demo test scripts)
mapfile -t files < <(find "${roots[@]}" -name '*.test.ts' -not -path '*/node_modules/*' -not -path '*/generated/*' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files under ${roots[*]}" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec "${files[@]}"
