// Sums vitest's JSON reports into the closing line "N passed, N failed, N skipped". With CI set, a
// skipped browser test counts as a failure when that run's browser is on this machine
// (ORTUG_CI_BROWSERS lists the kinds present): a skip must mean "no browser", nothing else.
import { readFileSync } from 'node:fs'
import path from 'node:path'

// vitest's messages carry terminal colours; a CI log wants the plain first line.
const firstLine = (message) =>
  (message ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .find((line) => line.trim() !== '')
    ?.trim()
    .slice(0, 300) ?? ''

const present = new Set((process.env.ORTUG_CI_BROWSERS ?? '').split(',').filter(Boolean))
let passed = 0
let failed = 0
let skipped = 0
const unexpected = []
const failures = []
for (const file of process.argv.slice(2)) {
  const run = path.basename(file, '.json')
  let report
  try {
    report = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    console.log(`ci: no readable report for ${run}`)
    failed += 1
    continue
  }
  passed += report.numPassedTests
  failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0)
  skipped += report.numPendingTests + (report.numTodoTests ?? 0)
  for (const suite of report.testResults) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) failures.push(`${run}: ${path.basename(suite.name)}: ${firstLine(suite.message)}`)
    for (const test of suite.assertionResults) {
      if (test.status === 'failed') failures.push(`${run}: ${path.basename(suite.name)} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`)
    }
  }
  if (!present.has(run)) continue
  for (const suite of report.testResults) {
    if (!suite.name.includes(`${path.sep}tests${path.sep}browser${path.sep}`)) continue
    for (const test of suite.assertionResults) {
      if (test.status === 'skipped' || test.status === 'pending') unexpected.push(`${run}: ${path.basename(suite.name)} > ${test.fullName}`)
    }
  }
}
if (process.env.CI && unexpected.length > 0) {
  console.log(`ci: ${unexpected.length} browser test(s) skipped although the ${[...present].join(' and ')} browser is here:`)
  for (const name of unexpected.slice(0, 20)) console.log(`  ${name}`)
  failed += unexpected.length
}
// The failures come last, just above the closing line, where a CI log cut to its tail still shows them.
if (failures.length > 0) {
  console.log(`ci: ${failures.length} failure(s):`)
  for (const line of failures.slice(0, 40)) console.log(`  ${line}`)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 ? 1 : 0
