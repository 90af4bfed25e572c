import { createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import path, { type PlatformPath } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fail } from './error.ts'
import type { OutputFile } from './types.ts'

// The one module that writes into the output folder: everything goes to a staging folder beside
// the target first and is moved into place only when complete.

export const STAGING_PREFIX = '.ortug-staging-'
const LOCK_FILE = '.ortug.lock'

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export interface Staging {
  dir: string
  /** Writes one office's files into staging, then swaps them into `<out>/<office>/` with two renames. */
  commitOffice(office: string, files: readonly OutputFile[], obsolete?: readonly string[]): Promise<void>
  /** Writes top-level files (manifest, catalogue) via a temp file and rename. */
  commitTopLevel(files: readonly OutputFile[]): Promise<void>
  /** Removes the staging folder and the lock. Safe to call more than once. */
  dispose(): Promise<void>
}

export type Rename = (from: string, to: string) => Promise<void>

export interface StagingOptions {
  /** Moves a file or folder; tests pass one that fails the way Windows does. */
  rename?: Rename
  /** Waits between attempts at a move that another program blocks. */
  retryDelaysMs?: readonly number[]
}

// On Windows a folder cannot be moved while a PDF viewer or browser holds one of its files open
// (EBUSY, EPERM or EACCES); viewers, indexers and virus scanners often let go within a second or two.
export const RENAME_RETRY_DELAYS_MS = [50, 100, 150, 200, 250, 300, 350, 400, 450] as const
const LOCKED_CODES = ['EBUSY', 'EPERM', 'EACCES']

/** Takes the output folder's lock (one build at a time) and creates a staging folder inside it. */
export async function openStaging(outDir: string, options: StagingOptions = {}): Promise<Staging> {
  const move = options.rename ?? rename
  const delays = options.retryDelaysMs ?? RENAME_RETRY_DELAYS_MS
  const existed = await stat(outDir).then(
    () => true,
    () => false,
  )
  try {
    await mkdir(outDir, { recursive: true })
  } catch (cause) {
    fail('ENVIRONMENT', `cannot create the output folder ${outDir}: ${codeOf(cause)}`, { cause })
  }
  const lockPath = path.join(outDir, LOCK_FILE)
  await takeLock(lockPath)
  const dir = path.join(outDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(dir)
  let disposed = false
  // Previous outputs that could be neither replaced nor put back: dispose must not delete them.
  const stranded = new Set<string>()

  return {
    dir,
    async commitOffice(office, files, obsolete = []) {
      if (office.includes('/')) fail('ENVIRONMENT', `refusing to write office ${office}: an office is one folder name`)
      const target = resolveOutputPath(outDir, office)
      const fresh = path.join(dir, `office-${office}`)
      await mkdir(fresh, { recursive: true })
      for (const file of files) await writeFile(resolveStagedPath(dir, office, file.path), file.bytes)
      // Outputs of this office that this build does not make (other essays) are kept.
      const kept = await readdir(target).catch(() => [] as string[])
      for (const name of kept) {
        const from = path.join(target, name)
        const to = path.join(fresh, name)
        if (files.some((f) => path.basename(f.path) === name) || obsolete.some((p) => path.basename(p) === name)) continue
        await link(from, to).catch(() => copyFile(from, to, constants.COPYFILE_EXCL))
      }
      const old = path.join(dir, `old-${office}`)
      let hadOld = true
      try {
        await renameRetrying(move, target, old, delays)
      } catch (cause) {
        if (codeOf(cause) !== 'ENOENT') failLocked(target, cause, delays)
        hadOld = false
      }
      try {
        await renameRetrying(move, fresh, target, delays)
      } catch (cause) {
        if (!hadOld) failLocked(target, cause, delays)
        try {
          await renameRetrying(move, old, target, delays)
        } catch {
          stranded.add(old)
          failLocked(target, cause, delays, `; the previous outputs of ${office} are kept in ${old}: move that folder back to ${target}`)
        }
        failLocked(target, cause, delays)
      }
      if (hadOld) await rm(old, { recursive: true, force: true, maxRetries: 5 })
    },
    async commitTopLevel(files) {
      // Every file is complete in staging before the first one moves, so a failure leaves as few
      // top-level files of the new build beside the old ones as possible.
      const moves: { temp: string; target: string }[] = []
      for (const file of files) {
        const target = resolveOutputPath(outDir, file.path)
        const temp = path.join(dir, `top-${path.basename(file.path)}`)
        try {
          await mkdir(path.dirname(target), { recursive: true })
          await writeFile(temp, file.bytes)
        } catch (cause) {
          fail('ENVIRONMENT', `cannot write ${target}: ${codeOf(cause)}`, { cause })
        }
        moves.push({ temp, target })
      }
      for (const { temp, target } of moves) {
        await renameRetrying(move, temp, target, delays).catch((cause) => failLocked(target, cause, delays))
      }
    },
    async dispose() {
      if (disposed) return
      disposed = true
      if (stranded.size === 0) await rm(dir, { recursive: true, force: true, maxRetries: 5 })
      else {
        for (const name of await readdir(dir)) {
          if (!stranded.has(path.join(dir, name))) await rm(path.join(dir, name), { recursive: true, force: true, maxRetries: 5 })
        }
      }
      await rm(lockPath, { force: true })
      // A folder this build created and filled with nothing goes again (rmdir fails when not empty).
      if (!existed) await rmdir(outDir).catch(() => undefined)
    },
  }
}

/** Whether `child` lies inside `parent` (not `parent` itself). Windows paths compare without case, as NTFS does. */
export function isInside(parent: string, child: string, p: PlatformPath = path): boolean {
  const relative = p.relative(p.resolve(parent), p.resolve(child))
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${p.sep}`) && !p.isAbsolute(relative)
}

/** `<outDir>/<relative>` for an output path such as `kota-bandung/ortug-kpu-jabar.pdf`; refuses one that leaves `outDir`. */
export function resolveOutputPath(outDir: string, relative: string, p: PlatformPath = path): string {
  return resolveInside(outDir, relative, p) ?? fail('ENVIRONMENT', `refusing to write ${relative}: it lies outside ${outDir}`)
}

/** Where `<office>/<name>` is staged: `<stagingDir>/office-<office>/<name>`; refuses a file of another office. */
export function resolveStagedPath(stagingDir: string, office: string, filePath: string, p: PlatformPath = path): string {
  const [first, ...rest] = filePath.split('/')
  const staged = first === office ? resolveInside(p.join(stagingDir, `office-${office}`), rest.join('/'), p) : undefined
  return staged ?? fail('ENVIRONMENT', `refusing to write ${filePath} outside ${office}/`)
}

// ---- internal ----

// Output paths are `/`-separated. A backslash or colon would be a separator, drive or stream on
// Windows, so such a path means something else there than on Linux: refused everywhere.
const RE_UNSAFE_SEGMENT = /^\.{0,2}$|[\\:\0]/

function resolveInside(dir: string, relative: string, p: PlatformPath): string | undefined {
  const segments = relative.split('/')
  if (segments.some((segment) => RE_UNSAFE_SEGMENT.test(segment))) return undefined
  const target = p.resolve(dir, ...segments)
  return isInside(dir, target, p) ? target : undefined
}

async function renameRetrying(move: Rename, from: string, to: string, delays: readonly number[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await move(from, to)
    } catch (error) {
      const delay = delays[attempt]
      if (delay === undefined || !LOCKED_CODES.includes(codeOf(error))) throw error
      await sleep(delay)
    }
  }
}

function failLocked(locked: string, cause: unknown, delays: readonly number[], more = ''): never {
  const code = codeOf(cause)
  if (!LOCKED_CODES.includes(code)) fail('ENVIRONMENT', `cannot write ${locked}: ${code}${more}`, { cause })
  const seconds = (delays.reduce((a, b) => a + b, 0) / 1000).toFixed(1)
  // On Linux and macOS the same codes mean missing permission rather than an open file.
  const permission = code === 'EBUSY' ? '' : ` (if no program has it open, check that you may write to ${path.dirname(locked)})`
  const message = `cannot replace ${locked}: another program holds it (${code}, still after ${seconds} s); close ${locked} in your PDF viewer or browser, then build again`
  fail('ENVIRONMENT', `${message}${permission}${more}`, { cause })
}

function codeOf(error: unknown): string {
  return String((error as NodeJS.ErrnoException | undefined)?.code ?? error)
}

async function takeLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        fail('ENVIRONMENT', `cannot write to ${path.dirname(lockPath)}: ${codeOf(error)}`, { cause: error })
      }
      const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10)
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        fail('ENVIRONMENT', `another ortug build (pid ${pid}) is writing to ${path.dirname(lockPath)}; wait for it to finish, or use another --out`)
      }
      // The build that held it is gone (killed or crashed): its lock and staging are stale.
      await rm(lockPath, { force: true })
      await removeStaleStaging(path.dirname(lockPath))
    }
  }
  fail('ENVIRONMENT', `cannot take the lock ${lockPath}`)
}

async function removeStaleStaging(outDir: string): Promise<void> {
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    if (name.startsWith(STAGING_PREFIX)) await rm(path.join(outDir, name), { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
