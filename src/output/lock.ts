import { randomBytes } from 'node:crypto'
import { lstat, open, readFile, rm, utimes } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { codeOf, DISK_FULL, type Faults, isDiskFull } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'
import { isProcessRunning } from '../shared/process.ts'
import { parseJson } from './read-inside.ts'

// One build at a time per output folder: `<out>/.ortug.lock`. A PID alone cannot tell a live
// ortug build from an unrelated process that got the same PID after a crash, and reading another
// process's start time or command line differs on every platform. So the lock names its owner
// (pid, host, a random token) and its owner touches it every few seconds: a lock that is not
// ortug's, whose owner process is gone, or that nobody touched for LOCK_STALE_MS is stale.

export const LOCK_FILE = '.ortug.lock'
const LOCK_HEARTBEAT_MS = 5_000
/** Far above the heartbeat, so a busy machine that delays a few beats does not lose its lock. */
export const LOCK_STALE_MS = 60_000

export interface OutputLock {
  path: string
  /** Fails when another build took the lock over (it judged this one stale): nothing may then be moved. */
  verify(): Promise<void>
  release(): Promise<void>
}

/** What the lock file says of its owner; a lock file that says anything else is not ortug's. */
const lockOwnerSchema = z.object({ tool: z.literal('ortug'), pid: z.number().int().positive(), hostname: z.string(), token: z.string() })

type LockOwner = z.output<typeof lockOwnerSchema>

/** Takes `<outDir>/.ortug.lock`, taking over a stale one; fails when a live ortug build holds it. */
export async function takeLock(outDir: string, faults: Faults = {}): Promise<OutputLock> {
  const lockPath = path.join(outDir, LOCK_FILE)
  const owner: LockOwner = { tool: 'ortug', pid: process.pid, hostname: os.hostname(), token: randomBytes(16).toString('hex') }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeLockFile(lockPath, owner, faults)
      return holdLock(lockPath, owner)
    } catch (error) {
      const code = codeOf(error)
      if (isDiskFull(code))
        fail('ENVIRONMENT', `cannot write ${lockPath}: ${DISK_FULL(code)}; the previous outputs in ${outDir} are unchanged`, { cause: error })
      if (code !== 'EEXIST')
        fail('ENVIRONMENT', `cannot write to ${outDir}: ${code}; check that the folder exists and that you may write to it, or use another --out`, {
          cause: error,
        })
      const holder = await readLiveOwner(lockPath)
      if (holder) {
        const where = holder.hostname === owner.hostname ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.hostname}`
        fail('ENVIRONMENT', `another ortug build (${where}) is writing to ${outDir}; wait for it to finish, or use another --out`)
      }
      await rm(lockPath, { force: true })
    }
  }
  fail('ENVIRONMENT', `cannot take the lock ${lockPath}: other programs keep creating it; use another --out`)
}

/** Whether a lock file's owner is an ortug build that is still running. */
export function isLiveOwner(text: string, modifiedMs: number, now: number, localHost: string, isAlive: (pid: number) => boolean): LockOwner | undefined {
  const parsed = lockOwnerSchema.safeParse(parseJson(text))
  if (!parsed.success || now - modifiedMs > LOCK_STALE_MS) return undefined
  const owner = parsed.data
  // A build on another machine (a shared drive) cannot be asked; its heartbeat is the proof.
  if (owner.hostname === localHost && !isAlive(owner.pid)) return undefined
  return owner
}

// ---- internal ----

/** Creates the lock file (failing with EEXIST when there is one); a lock whose owner could not be written (a full disk) is removed again. */
async function writeLockFile(lockPath: string, owner: LockOwner, faults: Faults): Promise<void> {
  const handle = await open(lockPath, 'wx')
  try {
    faults.lock?.()
    await handle.writeFile(JSON.stringify(owner))
  } catch (error) {
    await handle.close()
    await rm(lockPath, { force: true })
    throw error
  }
  await handle.close()
}

async function readLiveOwner(lockPath: string): Promise<LockOwner | undefined> {
  const info = await lstat(lockPath).catch(() => undefined)
  if (!info) return undefined
  if (!info.isFile()) {
    fail(
      'ENVIRONMENT',
      `${lockPath} is a ${info.isDirectory() ? 'folder' : 'special file'}, not ortug's lock file: remove it (it holds nothing of ortug's) and build again, or use another --out`,
    )
  }
  const text = await readFile(lockPath, 'utf8').catch(() => '')
  return isLiveOwner(text, info.mtimeMs, Date.now(), os.hostname(), isProcessRunning)
}

function holdLock(lockPath: string, owner: LockOwner): OutputLock {
  const heartbeat = setInterval(() => {
    const now = new Date()
    utimes(lockPath, now, now).catch(() => undefined)
  }, LOCK_HEARTBEAT_MS)
  heartbeat.unref()
  return {
    path: lockPath,
    async verify() {
      const text = await readFile(lockPath, 'utf8').catch(() => '')
      if (!text.includes(owner.token)) {
        fail('ENVIRONMENT', `another ortug build took over ${lockPath} while this one ran (this one looked stale to it); nothing was moved, build again`)
      }
    },
    async release() {
      clearInterval(heartbeat)
      const text = await readFile(lockPath, 'utf8').catch(() => '')
      if (text.includes(owner.token)) await rm(lockPath, { force: true })
    },
  }
}
