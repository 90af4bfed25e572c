import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { exists, syncDir } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'
import { createMover, failLocked, type Mover, renameRetrying } from './mover.ts'
import { resolveMoveTarget } from './output-paths.ts'
import { describeNonFolder, parseJson, readInside } from './read-inside.ts'

// The journal of a commit and what the next run does with it: a journal left behind is completed
// (every step is safe to repeat); the backups of a build that never reached its journal go back.

export const STAGING_PREFIX = '.ortug-staging-'
export const JOURNAL_FILE = '.ortug-journal.json'

/** A journal lists one move per office and top-level file: a national build's is about 100 KB. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024
const RE_STAGED_NAME = /^(office-[a-z0-9-]+|top-[A-Za-z0-9%._~!*'()-]+)$/

/** A journal as ortug writes it; anything else in the output folder under its name is refused. */
const journalSchema = z.object({
  version: z.literal(1),
  /** The staging folder's name inside the output folder. */
  staging: z
    .string()
    .startsWith(STAGING_PREFIX)
    .regex(/^[^\\/]*$/),
  /** Target path relative to the output folder, and its staged name inside the staging folder. */
  moves: z.array(z.object({ target: z.string(), staged: z.string().regex(RE_STAGED_NAME) })),
})

export type Journal = z.output<typeof journalSchema>

const REMEDY_JOURNAL = (outDir: string, journalPath: string) =>
  `the outputs in ${outDir} may mix two builds; delete ${journalPath}, the ${STAGING_PREFIX}* folders and the output folder's contents, then build again`

/**
 * Completes a commit an earlier build left unfinished (its journal), or puts back what a build
 * that never reached its commit point had moved aside; then removes stale staging folders.
 * Call with the lock held, before reading the manifest or the cache.
 */
export async function recoverOutput(outDir: string, mover: Mover = createMover()): Promise<void> {
  const journal = await readJournal(outDir)
  if (journal) await completeJournal(outDir, journal, mover)
  for (const entry of await readdir(outDir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.name.startsWith(STAGING_PREFIX)) continue
    // A link or file named as ortug's staging is none of ortug's: the link goes, never what it points to.
    if (entry.isDirectory()) await undoStaging(outDir, path.join(outDir, entry.name), mover)
    else await rm(path.join(outDir, entry.name), { force: true })
  }
}

/** Where a target's previous version waits in staging until the commit is complete. */
export function backupPath(stagingDir: string, target: string): string {
  return path.join(stagingDir, `old-${encodeURIComponent(target)}`)
}

/** Moves every staged file or folder still in staging to its target; then removes staging and the journal. Safe to repeat. */
export async function completeJournal(outDir: string, journal: Journal, mover: Mover): Promise<void> {
  const stagingDir = path.join(outDir, journal.staging)
  for (const { target, staged } of journal.moves) {
    if (await moveIntoPlace(outDir, stagingDir, target, path.join(stagingDir, staged), mover)) mover.faults.step?.()
  }
  await rm(stagingDir, { recursive: true, force: true, maxRetries: 5 })
  mover.faults.step?.()
  await rm(path.join(outDir, JOURNAL_FILE), { force: true })
  await syncDir(outDir)
  mover.faults.step?.()
}

/** Puts back the previous outputs a staging folder holds as backups (where nothing replaced them), then removes it. */
export async function undoStaging(outDir: string, stagingDir: string, mover: Mover): Promise<void> {
  const backups = (await readdir(stagingDir).catch((): string[] => [])).filter((name) => name.startsWith('old-'))
  await undoPrepared(
    outDir,
    stagingDir,
    backups.map((name) => decodeURIComponent(name.slice('old-'.length))),
    mover,
  )
  await rm(stagingDir, { recursive: true, force: true, maxRetries: 5 })
}

/** Moves the backups of `targets` back where nothing replaced them, last first. */
export async function undoPrepared(outDir: string, stagingDir: string, targets: readonly string[], mover: Mover): Promise<void> {
  for (const target of [...targets].reverse()) {
    const backup = backupPath(stagingDir, target)
    const to = await resolveMoveTarget(outDir, target)
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

// ---- internal ----

/** The journal an earlier build left, undefined when there is none; refuses one ortug did not write. */
async function readJournal(outDir: string): Promise<Journal | undefined> {
  const journalPath = path.join(outDir, JOURNAL_FILE)
  const read = await readInside(outDir, JOURNAL_FILE, MAX_JOURNAL_BYTES)
  if (!read.ok && read.code) fail('ENVIRONMENT', `cannot read ${journalPath}: ${read.code}; check that you may read and write ${outDir}`)
  if (!read.ok && !read.missing) fail('ENVIRONMENT', `${journalPath} ${read.reason}, not a journal ortug wrote: ${REMEDY_JOURNAL(outDir, journalPath)}`)
  if (!read.ok) return undefined
  const journal = parseJournal(read.bytes.toString('utf8'))
  if (!journal || (await describeNonFolder(path.join(outDir, journal.staging)))) {
    fail('ENVIRONMENT', `${journalPath} is not a journal ortug wrote (damaged or edited): ${REMEDY_JOURNAL(outDir, journalPath)}`)
  }
  return journal
}

function parseJournal(text: string): Journal | undefined {
  const parsed = journalSchema.safeParse(parseJson(text))
  return parsed.success ? parsed.data : undefined
}

/** One move of a journal: the staged file or folder to its target; false when an earlier run moved it already. */
async function moveIntoPlace(outDir: string, stagingDir: string, target: string, from: string, mover: Mover): Promise<boolean> {
  const to = await resolveMoveTarget(outDir, target)
  if (!(await exists(from))) return false
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
  return true
}
