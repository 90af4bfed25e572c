import { rename } from 'node:fs/promises'
import path from 'node:path'
import timers from 'node:timers/promises'
import { codeOf, type Faults, isDiskFull } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'

// How the commit moves files and folders: renames only (no links, so the same works on Windows),
// retried while another program holds a file open, and what to say when one cannot be made.

export type Rename = (from: string, to: string) => Promise<void>

/** The moves of one commit or recovery, and the fault points a test passes in. */
export interface Mover {
  move: Rename
  delays: readonly number[]
  sleep: (ms: number) => Promise<unknown>
  faults: Faults
}

// On Windows a folder cannot be moved while a PDF viewer or browser holds one of its files open
// (EBUSY, EPERM or EACCES); viewers, indexers and virus scanners often let go within a second or two.
export const RENAME_RETRY_DELAYS_MS = [50, 100, 150, 200, 250, 300, 350, 400, 450] as const
const LOCKED_CODES = ['EBUSY', 'EPERM', 'EACCES']

/** Node's rename with the retries above, and no fault points: unless a caller (a test) gives its own. */
export function createMover(options: Partial<Mover> = {}): Mover {
  return {
    move: options.move ?? rename,
    delays: options.delays ?? RENAME_RETRY_DELAYS_MS,
    sleep: options.sleep ?? timers.setTimeout,
    faults: options.faults ?? {},
  }
}

export async function renameRetrying(mover: Mover, from: string, to: string): Promise<void> {
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

/** A move failed: another program holds `locked` open (after every retry), or another cause; `more` says what became of the build. */
export function failLocked(locked: string, cause: unknown, delays: readonly number[], more = ''): never {
  const code = codeOf(cause)
  if (!LOCKED_CODES.includes(code)) fail('ENVIRONMENT', `cannot write ${locked}: ${code}${more}`, { cause })
  const seconds = (delays.reduce((a, b) => a + b, 0) / 1000).toFixed(1)
  // On Linux and macOS the same codes mean missing permission rather than an open file.
  const permission = code === 'EBUSY' ? '' : ` (if no program has it open, check that you may write to ${path.dirname(locked)})`
  const message = `cannot replace ${locked}: another program holds it (${code}, still after ${seconds} s); close ${locked} in your PDF viewer or browser, then build again`
  fail('ENVIRONMENT', `${message}${permission}${more}`, { cause })
}

/** A write into staging failed: nothing of the previous build has moved yet. */
export function failWrite(outDir: string, file: string, cause: unknown): never {
  const code = codeOf(cause)
  const why = isDiskFull(code) ? ` (the disk is full): free some space, then build again` : ''
  fail('ENVIRONMENT', `cannot write ${file}: ${code}${why}; the previous outputs in ${outDir} are unchanged`, { cause })
}
