import { lstat, mkdir, open, stat } from 'node:fs/promises'
import path from 'node:path'
import { fail } from './error.ts'

// Small disk operations the commit (output/staging.ts) is made of: writes that survive a power cut,
// the output folder's creation, and the fault points tests use to stop a build inside its commit.

/** Whether anything is at `file`: a file, a folder, or a link (even one that leads nowhere, which is not followed). */
export async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  )
}

export async function writeDurable(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'w')
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Makes a rename inside `dir` survive a power cut. Windows cannot open a folder for this, and needs not. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined)
  await handle?.sync().catch(() => undefined)
  await handle?.close()
}

/**
 * Creates the output folder one level at a time: Node's recursive mkdir never returns for a
 * parent that refuses new folders with ENOENT (such as /proc/1).
 */
export async function makeOutputDir(outDir: string): Promise<void> {
  try {
    await mkdir(outDir)
  } catch (error) {
    const code = codeOf(error)
    const parent = path.dirname(outDir)
    if (code === 'EEXIST') {
      if (!(await stat(outDir)).isDirectory()) fail('ENVIRONMENT', `the output folder ${outDir} is a file: remove it, or use another --out`)
      return
    }
    if (code === 'ENOENT' && parent !== outDir && !(await exists(parent))) {
      await makeOutputDir(parent)
      return makeOutputDir(outDir)
    }
    if (isDiskFull(code)) fail('ENVIRONMENT', `cannot create the output folder ${outDir}: ${DISK_FULL(code)}`, { cause: error })
    fail('ENVIRONMENT', `cannot create the output folder ${outDir}: ${code}; choose a folder you may write to with --out`, { cause: error })
  }
}

/** No space left, or the user's quota spent: the same remedy. */
export function isDiskFull(code: string): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** What to say when a write met a full disk: it is not a missing folder nor a permission. */
export const DISK_FULL = (code: string) => `the disk is full (${code}): free some space, then build again`

/**
 * Hooks a test passes in (tests/fault-build.ts) to stop a build inside its commit: each is called
 * at its point and may kill the process or throw as a full disk does. A build run by ortug has none.
 */
export interface Faults {
  /** After each step of the commit. */
  step?(): void
  /** Before each write into staging. */
  write?(): void
  /** Before the lock file's owner is written. */
  lock?(): void
}

/** The errno code of a failed file operation (ENOENT, EBUSY…), or the error itself as text. */
export function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
  return String(code ?? error)
}
