#!/usr/bin/env bash
# Property-based API tests (schemathesis, from PyPI) against the OpenAPI document: the in-app API with a signed
# identity, then the agent API with an admin's token, on a fresh demo server (SQLite) on loopback. Fails on any
# 5xx or any response the document does not describe. Bounded: N examples per operation (default 30).
# Usage: scripts/schemathesis.sh PATH/TO/haven
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: scripts/schemathesis.sh PATH/TO/haven}
EXAMPLES=${EXAMPLES:-30}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d /tmp/haven-st.XXXXXX)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$BIN" serve --demo --port "$PORT" --log-level error --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"
TOKEN=$(curl -sf -XPOST "$BASE/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"admin@haven.demo","password":"haven-demo-2026"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
SECRET=$(curl -sf -XPOST "$BASE/api/v1/apps" -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" \
  -d '{"app_id":"schemathesis","name":"Schemathesis","rate_per_minute":1000000,"user_rate_per_minute":10000}' \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["secret"])')
IDENTITY=$(python3 scripts/sign-identity.py --secret "$SECRET" --app schemathesis --user st-user --hours 2)
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
common=(--url "$BASE" --checks "$CHECKS" --max-examples "$EXAMPLES" --request-timeout 10 --generation-deterministic --no-color)

echo "--- in-app API"
schemathesis run "$BASE/api/v1/openapi.json" "${common[@]}" -H "Authorization: Bearer $IDENTITY" --include-path-regex '^/api/v1/app/'
echo "--- agent API"
# Revoking its own token or rotating apps' secrets would only lock the run out; everything else is exercised.
schemathesis run "$BASE/api/v1/openapi.json" "${common[@]}" -H "Authorization: Bearer $TOKEN" \
  --exclude-path-regex '^/api/v1/app/|^/api/v1/auth/tokens/current$'
if grep -qiE 'unexpected error|fatal' "$WORK/server.log"; then echo "the server logged unexpected errors:"; grep -iE 'unexpected error|fatal' "$WORK/server.log" | head -20; exit 1; fi
