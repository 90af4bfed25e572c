#!/usr/bin/env node
// The only place that touches process: signals and the exit code.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

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
const code = await run(process.argv.slice(2), { signal: controller.signal })
process.exitCode = interrupted > 0 ? 130 : code
// A request puppeteer abandoned when the browser was killed can keep a 30 s timer alive; the work
// is done, so leave once output is flushed.
setTimeout(() => process.exit(), 500).unref()

/**
 * ortug is TypeScript run from source. Loading it through a TypeScript loader slows every import
 * by a few hundred ms, and loading its dependencies file by file (puppeteer-core, marp-core and
 * pdf-lib are hundreds of files) costs a second of start-up, so the CLI runs a bundle of src/ and
 * its dependencies in lib/, rebuilt with esbuild whenever a source file or the installed
 * packages are newer than it.
 */
async function loadRun() {
  const root = fileURLToPath(new URL('../', import.meta.url))
  const srcDir = `${root}src/`
  const libDir = `${root}lib/`
  const bundle = `${libDir}cli.js`
  const inputs = [
    ...readdirSync(srcDir, { recursive: true }).map((f) => srcDir + f),
    fileURLToPath(import.meta.url),
    `${root}package.json`,
    `${root}node_modules/.package-lock.json`,
  ]
  const newest = Math.max(...inputs.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs))
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest) {
    const { build, stop } = await import('esbuild')
    const temp = `${libDir.slice(0, -1)}.${process.pid}.tmp`
    // Splitting keeps modules that are imported lazily (browser, PDF, Marp) out of the start-up path.
    await build({
      entryPoints: [`${srcDir}cli.ts`],
      outdir: temp,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // The npm-shipped Chromium and marp-cli (run in a process of its own) find files next to their code.
      external: ['@sparticuz/chromium', '@marp-team/marp-cli', 'esbuild'],
      // Bundled CommonJS packages require Node's built-in modules.
      banner: { js: "import { createRequire as __ortugCreateRequire } from 'node:module'; const require = __ortugCreateRequire(import.meta.url);" },
      minifyWhitespace: true,
      minifySyntax: true,
      outExtension: { '.js': '.js' },
      logLevel: 'error',
    })
    // esbuild's service process would otherwise stay for the whole build (170 MB).
    await stop()
    rmSync(libDir, { recursive: true, force: true })
    renameSync(temp, libDir)
  }
  return (await import(bundle)).run
}
