import os from 'node:os'
import { fail, OrtugError } from './error.ts'

// Running work: a bounded pool, a timeout that says what it was waiting for, interrupts.

export interface Deferred {
  promise: Promise<void>
  resolve(): void
}

export function deferred(): Deferred {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

/** Runs `task` over `items` with at most `limit` at once; after a task throws, no new task starts. */
export async function runPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed = false
  const worker = async () => {
    while (next < items.length && !failed) {
      try {
        await task(items[next++] as T)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

export function defaultJobs(): number {
  return Math.max(2, Math.min(6, os.availableParallelism() * 2))
}

/** Rejects with an ENVIRONMENT error after `ms`; `message` gets "N s (--timeout)" and is called only then. */
export async function withTimeout<T>(work: Promise<T>, ms: number, message: (limit: string) => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OrtugError('ENVIRONMENT', message(`${ms / 1000} s (--timeout)`))), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) fail('ENVIRONMENT', 'the build was interrupted; earlier outputs are unchanged')
}

/** Errors from puppeteer (crash, closed target, protocol) are the environment's, not the content's. */
export function asBrowserFault(error: unknown, step: string): unknown {
  if (error instanceof OrtugError) return error
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
  return new OrtugError('ENVIRONMENT', `the browser failed during ${step}: ${message}`, { cause: error })
}
