import { randomBytes } from 'node:crypto'
import { mkdir, rmdir } from 'node:fs/promises'
import path from 'node:path'
import { codeOf, exists, type Faults, makeOutputDir, syncDir, writeDurable } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'
import type { OutputFile } from '../shared/types.ts'
import { type OutputLock, takeLock } from './lock.ts'
import { createMover, failLocked, failWrite, type Mover, type Rename, renameRetrying } from './mover.ts'
import { verifyOutDirIsOrtugs } from './out-dir.ts'
import { resolveMoveTarget, resolveOutputPath, resolveStagedPath, verifyOutputFolders } from './output-paths.ts'
import { backupPath, completeJournal, JOURNAL_FILE, type Journal, recoverOutput, STAGING_PREFIX, undoPrepared, undoStaging } from './recover.ts'

// The one module that writes into the output folder. A build is committed all at once:
//  1. stage: every office's complete new folder and every top-level file go to a staging folder
//     inside the output folder (fsynced);
//  2. prepare: each target that will be replaced moves into the staging folder as a backup
//     (undone on failure, or by the next run after a crash: no journal means roll back);
//  3. commit point: a journal listing the moves is renamed into place;
//  4. each staged file or folder moves to its target; then staging and journal are removed.
// Whoever takes the lock next completes a journal left behind (recover.ts), or puts the backups
// of a build that never reached its journal back. Renames only: no links, so the same works on Windows.

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

export interface StagingOptions {
  /** Moves a file or folder; tests pass one that fails the way Windows does. */
  rename?: Rename
  /** Waits between attempts at a move that another program blocks. */
  retryDelaysMs?: readonly number[]
  /** The clock those waits use; tests pass one that records instead of waiting. */
  sleep?: (ms: number) => Promise<unknown>
  /** An interrupted build (Ctrl-C) does not reach its commit point. */
  signal?: AbortSignal
  /** Where a test stops the commit (tests/fault-build.ts); none in a build ortug runs. */
  faults?: Faults
}

/** Takes the output folder's lock, completes or undoes what an earlier build left, and creates a staging folder. */
export async function openStaging(outDir: string, options: StagingOptions = {}): Promise<Staging> {
  const mover = createMover({ move: options.rename, delays: options.retryDelaysMs, sleep: options.sleep, faults: options.faults })
  const existed = await exists(outDir)
  await makeOutputDir(outDir)
  const lock = await takeLock(outDir, mover.faults)
  try {
    await recoverOutput(outDir, mover)
    await verifyOutDirIsOrtugs(outDir)
    await verifyOutputFolders(outDir)
    const dir = path.join(outDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
    await mkdir(dir).catch((cause) => failWrite(outDir, dir, cause))
    return new OutputStaging(outDir, dir, { lock, mover, existed, signal: options.signal })
  } catch (error) {
    await lock.release()
    throw error
  }
}

// ---- internal ----

interface StagingContext {
  lock: OutputLock
  mover: Mover
  /** Whether the output folder was there before this build: one it created and left empty goes again. */
  existed: boolean
  signal?: AbortSignal
}

class OutputStaging implements Staging {
  /** Target (relative to outDir) → its staged name in `dir`. */
  readonly #moves = new Map<string, string>()
  #committed = false
  #disposed = false

  constructor(
    readonly outDir: string,
    readonly dir: string,
    private readonly context: StagingContext,
  ) {}

  async stageOffice(office: string, files: readonly OutputFile[]): Promise<void> {
    if (office.includes('/')) fail('ENVIRONMENT', `refusing to write office ${office}: an office is one folder name`)
    await verifyOutputFolders(this.outDir, [office])
    const fresh = path.join(this.dir, `office-${office}`)
    await mkdir(fresh, { recursive: true }).catch((cause) => failWrite(this.outDir, fresh, cause))
    for (const file of files) await this.#write(resolveStagedPath(this.dir, office, file.path), file.bytes)
    this.#moves.set(office, `office-${office}`)
    this.context.mover.faults.step?.()
  }

  async stageTopLevel(files: readonly OutputFile[]): Promise<void> {
    for (const file of files) {
      resolveOutputPath(this.outDir, file.path)
      const staged = `top-${encodeURIComponent(file.path)}`
      await this.#write(path.join(this.dir, staged), file.bytes)
      this.#moves.set(file.path, staged)
      this.context.mover.faults.step?.()
    }
  }

  async commit(): Promise<void> {
    this.#failIfInterrupted()
    await this.context.lock.verify()
    for (const staged of [this.dir, ...[...this.#moves.values()].map((name) => path.join(this.dir, name))]) await syncDir(staged)
    const prepared = await this.#moveTargetsAside()
    const journal = await this.#writeJournal(prepared)
    // The commit point: from here on the new build is what the output folder holds.
    this.#committed = true
    await syncDir(this.outDir)
    this.context.mover.faults.step?.()
    await completeJournal(this.outDir, journal, this.context.mover)
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    const { outDir, dir, context } = this
    try {
      // A committed build whose moves could not all be made stays staged for the next run.
      const pending = this.#committed && (await exists(path.join(outDir, JOURNAL_FILE)))
      // A backup that cannot be put back yet stays in staging, and commit() said so; the next run retries.
      if (!pending) await undoStaging(outDir, dir, context.mover).catch(() => undefined)
    } finally {
      await context.lock.release()
      // A folder this build created and filled with nothing goes again (rmdir fails when not empty).
      if (!context.existed) await rmdir(outDir).catch(() => undefined)
    }
  }

  /** Step 2: each target that exists moves into staging as a backup; on failure those moved go back. */
  async #moveTargetsAside(): Promise<string[]> {
    const { outDir, dir, context } = this
    const prepared: string[] = []
    // Every target is checked before anything moves.
    const targets = new Map<string, string>()
    for (const target of this.#moves.keys()) targets.set(target, await resolveMoveTarget(outDir, target))
    for (const [target, from] of targets) {
      try {
        await renameRetrying(context.mover, from, backupPath(dir, target))
        prepared.push(target)
        context.mover.faults.step?.()
      } catch (cause) {
        if (codeOf(cause) === 'ENOENT') continue
        await undoPrepared(outDir, dir, prepared, context.mover)
        failLocked(from, cause, context.mover.delays, `; the previous outputs in ${outDir} are unchanged`)
      }
    }
    return prepared
  }

  /** Step 3: the journal is written in staging, then renamed into place (the commit point); on failure the backups go back. */
  async #writeJournal(prepared: readonly string[]): Promise<Journal> {
    const { outDir, dir, context } = this
    const journal: Journal = { version: 1, staging: path.basename(dir), moves: [...this.#moves].map(([target, staged]) => ({ target, staged })) }
    const journalPath = path.join(outDir, JOURNAL_FILE)
    try {
      this.#failIfInterrupted()
      await this.#write(path.join(dir, 'journal.json'), Buffer.from(JSON.stringify(journal)))
      context.mover.faults.step?.()
      await renameRetrying(context.mover, path.join(dir, 'journal.json'), journalPath).catch((cause) => failWrite(outDir, journalPath, cause))
    } catch (error) {
      await undoPrepared(outDir, dir, prepared, context.mover)
      throw error
    }
    return journal
  }

  async #write(file: string, bytes: Uint8Array): Promise<void> {
    try {
      this.context.mover.faults.write?.()
      await writeDurable(file, bytes)
    } catch (cause) {
      failWrite(this.outDir, file, cause)
    }
  }

  #failIfInterrupted(): void {
    if (this.context.signal?.aborted) fail('ENVIRONMENT', `the build was interrupted; the previous outputs in ${this.outDir} are unchanged`)
  }
}
