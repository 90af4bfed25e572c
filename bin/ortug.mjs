#!/usr/bin/env node
// The only place that touches process: signals and the exit code.
import { BundleError, resolveBundle } from './bundle.mjs'

const run = await loadRun()
const controller = new AbortController()
let interrupted = 0
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted++
    controller.abort()
    // A second signal, or a build that does not stop within 10 s, ends the process at once.
    if (interrupted > 1) process.exit(130)
    setTimeout(() => process.exit(130), 10_000).unref()
  })
}
// run() says 130 for a command the signal cut short, and 0 for the preview, whose normal end it is.
process.exitCode = await run(process.argv.slice(2), { signal: controller.signal })
// A request puppeteer abandoned when the browser was killed can keep a 30 s timer alive; the work
// is done, so leave once output is flushed.
setTimeout(() => process.exit(), 500).unref()

/**
 * ortug is TypeScript run from source. Loading it through a TypeScript loader slows every import
 * by a few hundred ms, and loading its dependencies file by file (puppeteer-core, marp-core and
 * pdf-lib are hundreds of files) costs a second of start-up, so the CLI runs a bundle of src/ and
 * its dependencies (see bundle.mjs).
 */
async function loadRun() {
  try {
    return (await import(await resolveBundle())).run
  } catch (error) {
    if (!(error instanceof BundleError)) throw error
    process.stderr.write(`error: ${error.message}\n`)
    // 3, as for any environment problem (see src/error.ts).
    process.exit(3)
  }
}
