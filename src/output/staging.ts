import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import path, { type PlatformPath } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { codeOf, exists, makeOutputDir, syncDir, type TestFaults, testFaults, writeDurable } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'
import type { OutputFile } from '../shared/types.ts'
import { takeLock } from './lock.ts'
import { describeNonFolder, readInside } from './read-inside.ts'

// The one module that writes into the output folder. A build is committed all at once:
//  1. stage: every office's complete new folder and every top-level file go to a staging folder
//     inside the output folder (fsynced);
//  2. prepare: each target that will be replaced moves into the staging folder as a backup
//     (undone on failure, or by the next run after a crash: no journal means roll back);
//  3. commit point: a journal listing the moves is renamed into place;
//  4. each staged file or folder moves to its target; then staging and journal are removed.
// Whoever takes the lock next completes a journal left behind (every step is safe to repeat), or
// puts the backups of a build that never reached its journal back. Renames only: no links, so the
// same works on Windows.

export const STAGING_PREFIX = '.ortug-staging-'
export const JOURNAL_FILE = '.ortug-journal.json'

export interface Staging {
  dir: string
  /** Writes one office's complete new folder into staging: its new files plus the outputs this build keeps (readKeptOutputs); nothing else of the old folder. */
  stageOffice(office: string, files: readonly OutputFile[]): Promise<void>
  /** Writes top-level files (manifest, catalogue, cache) into staging. */
  stageTopLevel(files: readonly OutputFile[]): Promise<void>
  /** Moves everything staged into place at once (see above). */
  commit(): Promise<void>
  /** Undoes an unfinished commit (or keeps a committed one for the next run), removes staging and the lock. Safe to call more than once. */
  dispose(): Promise<void>
}

export type Rename = (from: string, to: string) => Promise<void>

export interface StagingOptions {
  /** Moves a file or folder; tests pass one that fails the way Windows does. */
  rename?: Rename
  /** Waits between attempts at a move that another program blocks. */
  retryDelaysMs?: readonly number[]
  /** The clock those waits use; tests pass one that records instead of waiting. */
  sleep?: (ms: number) => Promise<unknown>
  /** An interrupted build (Ctrl-C) does not reach its commit point. */
  signal?: AbortSignal
}

// On Windows a folder cannot be moved while a PDF viewer or browser holds one of its files open
// (EBUSY, EPERM or EACCES); viewers, indexers and virus scanners often let go within a second or two.
export const RENAME_RETRY_DELAYS_MS = [50, 100, 150, 200, 250, 300, 350, 400, 450] as const
const LOCKED_CODES = ['EBUSY', 'EPERM', 'EACCES']

/** Takes the output folder's lock, completes or undoes what an earlier build left, and creates a staging folder. */
export async function openStaging(outDir: string, options: StagingOptions = {}): Promise<Staging> {
  const mover: Mover = {
    move: options.rename ?? rename,
    delays: options.retryDelaysMs ?? RENAME_RETRY_DELAYS_MS,
    sleep: options.sleep ?? sleep,
    faults: testFaults(),
  }
  const existed = await stat(outDir).then(
    () => true,
    () => false,
  )
  await makeOutputDir(outDir)
  const lock = await takeLock(outDir)
  let dir: string
  try {
    await recoverOutput(outDir, mover)
    await verifyOutputFolders(outDir)
    dir = path.join(outDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
    await mkdir(dir).catch((cause) => failWrite(outDir, dir, cause))
  } catch (error) {
    await lock.release()
    throw error
  }
  /** Target (relative to outDir) → its staged name in `dir`. */
  const moves = new Map<string, string>()
  let committed = false
  let disposed = false
  const write = async (file: string, bytes: Uint8Array) => {
    try {
      mover.faults.write()
      await writeDurable(file, bytes)
    } catch (cause) {
      failWrite(outDir, file, cause)
    }
  }

  return {
    dir,
    async stageOffice(office, files) {
      if (office.includes('/')) fail('ENVIRONMENT', `refusing to write office ${office}: an office is one folder name`)
      await verifyOutputFolders(outDir, [office])
      const fresh = path.join(dir, `office-${office}`)
      await mkdir(fresh, { recursive: true }).catch((cause) => failWrite(outDir, fresh, cause))
      for (const file of files) await write(resolveStagedPath(dir, office, file.path), file.bytes)
      moves.set(office, `office-${office}`)
      mover.faults.step()
    },
    async stageTopLevel(files) {
      for (const file of files) {
        resolveOutputPath(outDir, file.path)
        const staged = `top-${encodeURIComponent(file.path)}`
        await write(path.join(dir, staged), file.bytes)
        moves.set(file.path, staged)
        mover.faults.step()
      }
    },
    async commit() {
      if (options.signal?.aborted) fail('ENVIRONMENT', `the build was interrupted; the previous outputs in ${outDir} are unchanged`)
      await lock.verify()
      for (const staged of [dir, ...[...moves.values()].map((name) => path.join(dir, name))]) await syncDir(staged)
      const prepared: string[] = []
      for (const target of moves.keys()) {
        const from = resolveOutputPath(outDir, target)
        try {
          await renameRetrying(mover, from, backupPath(dir, target))
          prepared.push(target)
          mover.faults.step()
        } catch (cause) {
          if (codeOf(cause) === 'ENOENT') continue
          await undoPrepared(outDir, dir, prepared, mover)
          failLocked(from, cause, mover.delays, `; the previous outputs in ${outDir} are unchanged`)
        }
      }
      const journal: Journal = { version: 1, staging: path.basename(dir), moves: [...moves].map(([target, staged]) => ({ target, staged })) }
      const journalPath = path.join(outDir, JOURNAL_FILE)
      try {
        if (options.signal?.aborted) fail('ENVIRONMENT', `the build was interrupted; the previous outputs in ${outDir} are unchanged`)
        await write(path.join(dir, 'journal.json'), Buffer.from(JSON.stringify(journal)))
        mover.faults.step()
        await renameRetrying(mover, path.join(dir, 'journal.json'), journalPath).catch((cause) => failWrite(outDir, journalPath, cause))
      } catch (error) {
        await undoPrepared(outDir, dir, prepared, mover)
        throw error
      }
      // The commit point: from here on the new build is what the output folder holds.
      committed = true
      await syncDir(outDir)
      mover.faults.step()
      await completeJournal(outDir, journal, mover)
    },
    async dispose() {
      if (disposed) return
      disposed = true
      try {
        // A committed build whose moves could not all be made stays staged for the next run.
        const pending = committed && (await exists(path.join(outDir, JOURNAL_FILE)))
        // A backup that cannot be put back yet stays in staging, and commit() said so; the next run retries.
        if (!pending) await undoStaging(outDir, dir, mover).catch(() => undefined)
      } finally {
        await lock.release()
        // A folder this build created and filled with nothing goes again (rmdir fails when not empty).
        if (!existed) await rmdir(outDir).catch(() => undefined)
      }
    },
  }
}

/**
 * Completes a commit an earlier build left unfinished (its journal), or puts back what a build
 * that never reached its commit point had moved aside; then removes stale staging folders.
 * Call with the lock held, before reading the manifest or the cache.
 */
export async function recoverOutput(
  outDir: string,
  mover: Mover = { move: rename, delays: RENAME_RETRY_DELAYS_MS, sleep, faults: testFaults() },
): Promise<void> {
  const journalPath = path.join(outDir, JOURNAL_FILE)
  const read = await readInside(outDir, JOURNAL_FILE, MAX_JOURNAL_BYTES)
  if (!read.ok && read.code) fail('ENVIRONMENT', `cannot read ${journalPath}: ${read.code}; check that you may read and write ${outDir}`)
  if (!read.ok && !read.missing) fail('ENVIRONMENT', `${journalPath} ${read.reason}, not a journal ortug wrote: ${REMEDY_JOURNAL(outDir, journalPath)}`)
  if (read.ok) {
    const journal = parseJournal(read.bytes.toString('utf8'))
    if (!journal || (await describeNonFolder(path.join(outDir, journal.staging)))) {
      fail('ENVIRONMENT', `${journalPath} is not a journal ortug wrote (damaged or edited): ${REMEDY_JOURNAL(outDir, journalPath)}`)
    }
    await completeJournal(outDir, journal, mover)
  }
  for (const entry of await readdir(outDir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.name.startsWith(STAGING_PREFIX)) continue
    // A link or file named as ortug's staging is none of ortug's: the link goes, never what it points to.
    if (entry.isDirectory()) await undoStaging(outDir, path.join(outDir, entry.name), mover)
    else await rm(path.join(outDir, entry.name), { force: true })
  }
}

/**
 * The folders ortug writes in an output folder (its cache folders, and the folders of `offices`)
 * must be real folders when they exist: a file or a link there is refused before anything is
 * built or staged, naming the path and what to do (ortug neither follows nor removes it).
 */
export async function verifyOutputFolders(outDir: string, offices: readonly string[] = []): Promise<void> {
  const owned = [
    ...CACHE_FOLDERS.map((folder) => ({ folder, what: 'its cache folder' })),
    ...offices.map((office) => ({ folder: office, what: `the folder of office ${office}` })),
  ]
  for (const { folder, what } of owned) {
    const target = path.join(outDir, ...folder.split('/'))
    const problem = await describeNonFolder(target)
    if (!problem) continue
    const link = problem === 'is a symbolic link' ? ' (removing the link leaves what it points to as it is)' : ''
    fail(
      'ENVIRONMENT',
      `${target} ${problem}, where ortug keeps ${what}: ortug writes only real folders inside ${outDir} and never follows a link there; move or remove ${target}${link}, then build again`,
    )
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

/** The folders of ortug's caches inside an output folder (see manifest.ts and thumbnails.ts). */
const CACHE_FOLDERS = ['.ortug-cache', '.ortug-cache/thumbs']
/** A journal lists one move per office and top-level file: a national build's is about 100 KB. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024
const REMEDY_JOURNAL = (outDir: string, journalPath: string) =>
  `the outputs in ${outDir} may mix two builds; delete ${journalPath}, the ${STAGING_PREFIX}* folders and the output folder's contents, then build again`

export interface Mover {
  move: Rename
  delays: readonly number[]
  sleep: (ms: number) => Promise<unknown>
  faults: TestFaults
}

interface Journal {
  version: 1
  /** The staging folder's name inside the output folder. */
  staging: string
  /** Target path relative to the output folder, and its staged name inside the staging folder. */
  moves: { target: string; staged: string }[]
}

// Output paths are `/`-separated. A backslash or colon would be a separator, drive or stream on
// Windows, so such a path means something else there than on Linux: refused everywhere.
const RE_UNSAFE_SEGMENT = /^\.{0,2}$|[\\:\0]/
const RE_STAGED_NAME = /^(office-[a-z0-9-]+|top-[A-Za-z0-9%._~!*'()-]+)$/

function resolveInside(dir: string, relative: string, p: PlatformPath): string | undefined {
  const segments = relative.split('/')
  if (segments.some((segment) => RE_UNSAFE_SEGMENT.test(segment))) return undefined
  const target = p.resolve(dir, ...segments)
  return isInside(dir, target, p) ? target : undefined
}

function backupPath(stagingDir: string, target: string): string {
  return path.join(stagingDir, `old-${encodeURIComponent(target)}`)
}

/** The journal, or undefined when it is not one ortug wrote. */
function parseJournal(text: string): Journal | undefined {
  try {
    const journal = JSON.parse(text) as Partial<Journal>
    const valid =
      journal.version === 1 &&
      typeof journal.staging === 'string' &&
      journal.staging.startsWith(STAGING_PREFIX) &&
      !/[\\/]/.test(journal.staging) &&
      Array.isArray(journal.moves) &&
      journal.moves.every((m) => typeof m?.target === 'string' && typeof m.staged === 'string' && RE_STAGED_NAME.test(m.staged))
    return valid ? (journal as Journal) : undefined
  } catch {
    return undefined
  }
}

/** Moves every staged file or folder still in staging to its target; then removes staging and the journal. Safe to repeat. */
async function completeJournal(outDir: string, journal: Journal, mover: Mover): Promise<void> {
  const stagingDir = path.join(outDir, journal.staging)
  for (const { target, staged } of journal.moves) {
    const from = path.join(stagingDir, staged)
    const to = resolveOutputPath(outDir, target)
    if (!(await exists(from))) continue
    try {
      await mkdir(path.dirname(to), { recursive: true })
      // Only if a crash came between two steps of a preparation that the journal followed.
      if (await exists(to)) {
        if (await exists(backupPath(stagingDir, target))) await rm(to, { recursive: true, force: true })
        else await renameRetrying(mover, to, backupPath(stagingDir, target))
      }
      await renameRetrying(mover, from, to)
    } catch (cause) {
      const more = `; the new build is committed (${path.join(outDir, JOURNAL_FILE)}) but ${to} is not in place yet: the next ortug build into ${outDir} completes it`
      failLocked(to, cause, mover.delays, more)
    }
    mover.faults.step()
  }
  await rm(stagingDir, { recursive: true, force: true, maxRetries: 5 })
  mover.faults.step()
  await rm(path.join(outDir, JOURNAL_FILE), { force: true })
  await syncDir(outDir)
  mover.faults.step()
}

/** Puts back the previous outputs a staging folder holds as backups (where nothing replaced them), then removes it. */
async function undoStaging(outDir: string, stagingDir: string, mover: Mover): Promise<void> {
  const backups = (await readdir(stagingDir).catch(() => [] as string[])).filter((name) => name.startsWith('old-'))
  await undoPrepared(
    outDir,
    stagingDir,
    backups.map((name) => decodeURIComponent(name.slice('old-'.length))),
    mover,
  )
  await rm(stagingDir, { recursive: true, force: true, maxRetries: 5 })
}

async function undoPrepared(outDir: string, stagingDir: string, targets: readonly string[], mover: Mover): Promise<void> {
  for (const target of [...targets].reverse()) {
    const backup = backupPath(stagingDir, target)
    const to = resolveOutputPath(outDir, target)
    if (!(await exists(backup)) || (await exists(to))) continue
    await renameRetrying(mover, backup, to).catch((cause) =>
      failLocked(
        to,
        cause,
        mover.delays,
        `; the previous outputs of ${target} are kept in ${backup}: the next ortug build puts them back, or move that folder back to ${to}`,
      ),
    )
  }
}

async function renameRetrying(mover: Mover, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await mover.move(from, to)
    } catch (error) {
      const delay = mover.delays[attempt]
      if (delay === undefined || !LOCKED_CODES.includes(codeOf(error))) throw error
      await mover.sleep(delay)
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

/** A write into staging failed: nothing of the previous build has moved yet. */
function failWrite(outDir: string, file: string, cause: unknown): never {
  const code = codeOf(cause)
  const why = code === 'ENOSPC' || code === 'EDQUOT' ? ` (the disk is full): free some space, then build again` : ''
  fail('ENVIRONMENT', `cannot write ${file}: ${code}${why}; the previous outputs in ${outDir} are unchanged`, { cause })
}
