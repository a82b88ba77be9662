#!/usr/bin/env bash
# The test command (`npm test`): type check, lint, unit suite, the integration suite on a real local control plane
# (or on the cluster of MPE_KUBECONFIG), then the e2e suite (real ACK controllers against moto; needs the ACK
# controllers and moto from `npm run setup`). Lists the skipped tests with their reasons, then prints one closing
# line "N passed, N failed, N skipped" over all suites.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS=--experimental-vm-modules
mkdir -p .cache
rm -f .cache/jest-unit.json .cache/jest-integration.json .cache/jest-e2e.json
rc=0
echo "== type check"; npx tsc -p tsconfig.json --noEmit || rc=1
echo "== lint"; npx eslint . || rc=1
echo "== unit suite"; npx jest --selectProjects unit --json --outputFile=.cache/jest-unit.json || rc=1
echo "== integration suite"; npx jest --selectProjects integration --runInBand --json --outputFile=.cache/jest-integration.json || rc=1
echo "== e2e suite"; npx jest --selectProjects e2e --runInBand --json --outputFile=.cache/jest-e2e.json || rc=1
node -e '
  // Skipped tests (Jest status "pending"/"todo") are listed with their titles, which carry the reason
  // (test/helpers/requirements.ts names them "<test> [skipped: <reason>]").
  const fs = require("fs"); let p = 0, f = 0; const skipped = [];
  for (const s of ["unit", "integration", "e2e"]) {
    const file = `.cache/jest-${s}.json`;
    if (!fs.existsSync(file)) { f++; console.log(`${s}: no results (the suite did not run)`); continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    const notRun = r.testResults.flatMap((t) => t.assertionResults.filter((a) => a.status === "pending" || a.status === "todo"));
    for (const a of notRun) skipped.push(`${s}: ${a.fullName}${a.title.includes("[skipped: ") ? "" : " (no reason given)"}`);
    p += r.numPassedTests; f += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    console.log(`${s}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${notRun.length} skipped, ${r.numRuntimeErrorTestSuites} suites errored`);
  }
  if (skipped.length > 0) console.log(["skipped:", ...skipped.map((line) => `  ${line}`)].join("\n"));
  console.log(`${p} passed, ${f} failed, ${skipped.length} skipped`);
'
exit $rc
