#!/usr/bin/env node
// The bundle the CLI runs: src/ and its dependencies in one esbuild output.
//
// `npm install` and `npm ci` run this file (the `prepare` script) to write lib/ inside the
// install. At run time bin/ortug.mjs uses lib/ when it was made from the current sources and
// packages; otherwise (src/ edited, lib/ missing) it makes the bundle in a per-user cache folder,
// so nothing is ever written into the install while ortug runs.
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = fileURLToPath(new URL('../', import.meta.url))
export const CACHE_DIR_ENV = 'ORTUG_CACHE_DIR'
/** Written last into a bundle folder: the hash of the inputs it was made from. */
const STAMP = 'inputs.sha256'
const EXTERNAL = ['@sparticuz/chromium', '@marp-team/marp-cli', 'esbuild']
const DAY_MS = 24 * 60 * 60 * 1000

/** No bundle of the current sources exists and none can be written: the message says what to do. */
export class BundleError extends Error {}

/** The entry (cli.js) of a bundle made from the current inputs: lib/, the cache, or a new one in the cache. */
export async function resolveBundle(env = process.env) {
  const key = hashInputs()
  const lib = path.join(ROOT, 'lib')
  if (readStamp(lib) === key) return path.join(lib, 'cli.js')

  const cache = resolveCacheDir(env)
  const target = path.join(cache, key)
  if (readStamp(target) === key) {
    try {
      // Marks it in use, so that pruning (below) spares it.
      utimesSync(target, new Date(), new Date())
    } catch {}
    return path.join(target, 'cli.js')
  }
  let temp
  try {
    mkdirSync(cache, { recursive: true })
    temp = mkdtempSync(path.join(cache, `.tmp-${key.slice(0, 8)}-`))
  } catch (cause) {
    throw new BundleError(
      `cannot write the bundle of ${path.join(ROOT, 'src')} to ${cache} (${cause.code ?? cause.message}). ` +
        `Set ${CACHE_DIR_ENV} to a writable folder, or run \`npm install\` in ${path.resolve(ROOT)} to bundle it there.`,
      { cause },
    )
  }
  try {
    await writeBundle(temp, key)
  } catch (error) {
    rmSync(temp, { recursive: true, force: true })
    throw error
  }
  try {
    renameSync(temp, target)
  } catch (cause) {
    // Another ortug started at the same time and finished first: its bundle is the same.
    rmSync(temp, { recursive: true, force: true })
    if (readStamp(target) !== key) throw cause
  }
  pruneCache(cache, key)
  return path.join(target, 'cli.js')
}

/**
 * Writes the bundle into `dir`, its stamp last. Paths in src/ (templates, the Marp worker, fonts)
 * and the packages left out of the bundle resolve from lib/ in the install, wherever `dir` is.
 * `entry` is src/cli.ts but for tests, which bundle their own entries the same way.
 */
export async function writeBundle(dir, key = hashInputs(), entry = path.join(ROOT, 'src', 'cli.ts')) {
  const { build, stop } = await import('esbuild')
  // Two folders below the root, as every module of src/<stage>/ is (src/shared/paths.ts counts on it).
  const anchor = pathToFileURL(path.join(ROOT, 'lib', 'bundle', 'cli.js')).href
  try {
    await build({
      entryPoints: [entry],
      outdir: dir,
      bundle: true,
      // Splitting keeps modules that are imported lazily (browser, PDF, Marp) out of the start-up path.
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      define: { 'import.meta.url': JSON.stringify(anchor) },
      // Bundled CommonJS packages require Node's built-in modules.
      banner: { js: `import { createRequire as __ortugCreateRequire } from 'node:module'; const require = __ortugCreateRequire(${JSON.stringify(anchor)});` },
      plugins: [externalFromInstall],
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'error',
    })
  } finally {
    // esbuild's service process would otherwise stay for the whole build (170 MB).
    await stop()
  }
  writeFileSync(path.join(dir, STAMP), key)
}

/** sha256 of what the bundle is made from, and of where the install is (the bundle holds its paths). */
export function hashInputs() {
  const hash = createHash('sha256').update(ROOT)
  const src = path.join(ROOT, 'src')
  const files = readdirSync(src, { recursive: true })
    .sort()
    .map((f) => path.join(src, f))
  files.push(fileURLToPath(import.meta.url), path.join(ROOT, 'package.json'), path.join(ROOT, 'node_modules', '.package-lock.json'))
  for (const file of files) {
    if (!existsSync(file) || statSync(file).isDirectory()) continue
    hash.update(`\0${path.relative(ROOT, file)}\0`).update(readFileSync(file))
  }
  return hash.digest('hex')
}

/** ORTUG_CACHE_DIR, else the platform's per-user cache folder. */
export function resolveCacheDir(env = process.env, platform = process.platform) {
  if (env[CACHE_DIR_ENV]) return path.resolve(env[CACHE_DIR_ENV])
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(homedir(), 'AppData', 'Local'), 'ortug', 'cache')
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Caches', 'ortug')
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'ortug')
}

// ---------------------------------------------------------------------------------------------

/** Packages kept out of the bundle find files next to their code: import them from the install's node_modules. */
const externalFromInstall = {
  name: 'external-from-install',
  setup(build) {
    const filter = new RegExp(`^(${EXTERNAL.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`)
    build.onResolve({ filter }, (args) => {
      try {
        return { path: import.meta.resolve(args.path), external: true }
      } catch {
        // An optional dependency this platform skipped: the import fails when reached, as it would unbundled.
        return { path: args.path, external: true }
      }
    })
  },
}

function readStamp(dir) {
  try {
    return readFileSync(path.join(dir, STAMP), 'utf8')
  } catch {
    return undefined
  }
}

/**
 * Each edit of src/ makes a bundle of a few MB. Bundles unused for a day and temp folders of
 * runs that were killed go; a day is longer than any ortug process that may still load chunks.
 */
function pruneCache(cache, keep) {
  for (const name of readdirSync(cache)) {
    const dir = path.join(cache, name)
    try {
      if (name !== keep && Date.now() - statSync(dir).mtimeMs > DAY_MS) rmSync(dir, { recursive: true, force: true })
    } catch {
      // Another ortug pruned it first.
    }
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The install-time bundle: written beside lib/, then moved into place.
  const lib = path.join(ROOT, 'lib')
  const temp = mkdtempSync(path.join(ROOT, '.lib-'))
  try {
    await writeBundle(temp)
    // mkdtemp makes it private; an install is read by every user.
    chmodSync(temp, 0o755)
    rmSync(lib, { recursive: true, force: true })
    renameSync(temp, lib)
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}
