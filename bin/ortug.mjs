#!/usr/bin/env node
// The only place that touches process: signals, exit code.
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../src/cli.ts')
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
const code = await run(process.argv.slice(2), { signal: controller.signal })
process.exitCode = interrupted > 0 && code === 0 ? 130 : code
