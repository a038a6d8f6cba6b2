#!/usr/bin/env bash
# The whole suite, as CI runs it: lint, types, the production build, unit and integration tests on
# SQLite and on PostgreSQL, the cluster (three instances behind nginx), then the browser tests in Chromium.
# Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
logs=$(mktemp -d)
passed=0
failed=0
status=0

step() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then
    echo "== $name FAILED"
    status=1
  fi
}

count_node() { # adds the node:test summary of a log to the totals
  local p f
  p=$(grep -E '^ℹ pass [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^ℹ fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
}

step lint npm run --silent lint
step typecheck npm run --silent typecheck
step build npm run --silent build
if [ ! -f "${BREAKWATER_DIST_DIR:-.next}/BUILD_ID" ]; then
  echo "no production build: server, API and browser tests cannot run"
  echo "0 passed, 1 failed"
  exit 1
fi

step "unit and integration tests (SQLite)" bash -c "scripts/test-unit.sh 2>&1 | tee $logs/sqlite.log; exit \${PIPESTATUS[0]}"
count_node "$logs/sqlite.log"
step "server and API tests (PostgreSQL)" bash -c "BREAKWATER_TEST_PROVIDER=postgresql scripts/test-unit.sh test/api.test.ts test/jobs/api.test.ts test/jobs/crash.test.ts test/jobs/queue-alerts.test.ts test/syncs/api.test.ts test/webhooks/api.test.ts test/security/destination.test.ts test/security/input.test.ts test/security/patch.test.ts test/security/redaction.test.ts test/security/secrets.test.ts test/security/sessions.test.ts lib/telemetry/recorder.test.ts lib/telemetry/recorder-call-id.test.ts lib/integrations/request-body.test.ts lib/webhooks/ingest-batch.test.ts test/webhooks/group-commit.test.ts test/webhooks/crash.test.ts test/integrations-env/environments.test.ts test/integrations-env/rotation.test.ts lib/integrations/rotation.test.ts test/oauth2/client-credentials.test.ts test/oauth2/gateway.test.ts lib/jobs/job-updates.test.ts test/workspaces/integrations.test.ts test/workspaces/tokens.test.ts test/workspaces/members.test.ts test/workspaces/audit.test.ts test/workspaces/operations.test.ts lib/usage/usage.test.ts test/usage/api.test.ts lib/queries/issues.test.ts test/explorer/issues-api.test.ts test/dataplane/shared-state.test.ts lib/db/lease.test.ts test/cluster/instances.test.ts lib/queries/recent.test.ts lib/queries/routes.test.ts test/telemetry/journal.test.ts 2>&1 | tee $logs/pg.log; exit \${PIPESTATUS[0]}"
count_node "$logs/pg.log"
# Three instances of the build behind nginx on PostgreSQL and Redis (test/cluster): writes bench/results/cluster.json.
step "cluster tests (3 instances, nginx, PostgreSQL, Redis)" bash -c "npm run --silent test:cluster 2>&1 | tee $logs/cluster.log; exit \${PIPESTATUS[0]}"
count_node "$logs/cluster.log"

step "browser tests (Chromium)" env PLAYWRIGHT_JSON_OUTPUT_NAME="$logs/e2e.json" npx playwright test --reporter=list,json
if [ -f "$logs/e2e.json" ]; then
  read -r p f < <(node -e 'const s=require(process.argv[1]).stats; console.log((s.expected||0)+(s.flaky||0), (s.unexpected||0))' "$logs/e2e.json")
  passed=$((passed + p))
  failed=$((failed + f))
else
  failed=$((failed + 1))
fi

[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo
echo "$passed passed, $failed failed"
exit $status
