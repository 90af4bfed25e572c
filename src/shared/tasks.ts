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
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.values()
  let failed = false
  const worker = async () => {
    for (let step = queue.next(); !step.done && !failed; step = queue.next()) {
      try {
        await task(step.value)
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

/** --timeout when none is given: each deck's work, in seconds. */
export const DEFAULT_TIMEOUT_S = 120

/** The longest --timeout: Node's timers hold at most 2^31-1 ms (about 24.8 days); a day is plenty for one deck. */
export const MAX_TIMEOUT_S = 86_400

/** Rejects with an ENVIRONMENT error after `ms`; `message` gets "N s (--timeout)" and is called only then. */
export async function withTimeout<T>(work: Promise<T>, ms: number, message: (limit: string) => string): Promise<T> {
  return withDeadline(work, startDeadline(ms), message)
}

/** One deck's budget: --timeout from the moment its work starts, shared by every step of it. */
export interface Deadline {
  /** performance.now() at which the deck is out of time. */
  at: number
  limitMs: number
}

export function startDeadline(limitMs: number): Deadline {
  return { at: performance.now() + limitMs, limitMs }
}

/** Rejects with a TimedOut error once the deadline has passed; `message` gets "N s (--timeout)". */
export async function withDeadline<T>(work: Promise<T>, deadline: Deadline, message: (limit: string) => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const remaining = Math.min(Math.max(0, deadline.at - performance.now()), MAX_TIMEOUT_S * 1000)
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(message(`${deadline.limitMs / 1000} s (--timeout)`))), remaining)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A step that ran out of time: the environment's fault until a retry alone says otherwise. */
export class TimedOut extends OrtugError {
  constructor(message: string) {
    super('ENVIRONMENT', message)
  }
}

/**
 * A deck that failed for a reason other than its content (a timeout, a crashed or stuck page,
 * Marp's process gone) may have failed for another deck that hung the browser they shared: it is
 * tried again alone. Content errors (a template, a slide that cannot fit) are final at once.
 */
export function isFinal(error: unknown): boolean {
  return error instanceof OrtugError && error.kind !== 'ENVIRONMENT'
}

/**
 * The browser cannot be used: it does not start, or it failed again, alone, right after it was
 * restarted for another office. Nothing more can be printed: the run ends (exit 3).
 */
export class BrowserUnusable extends OrtugError {
  constructor(message: string, cause?: unknown) {
    super('ENVIRONMENT', message, { cause })
  }
}

export function endsRun(error: unknown): boolean {
  return error instanceof BrowserUnusable
}

/** A deck failed alone in a browser restarted for another office's failure: the browser, not the content, is at fault. */
export function asBrowserBroken(error: unknown, previousOffice: string): BrowserUnusable {
  const message = error instanceof Error ? error.message : String(error)
  return new BrowserUnusable(
    `the browser failed again after it was restarted for ${previousOffice}: ${message} (two offices in a row fail alone in a fresh browser: the browser or this machine is at fault, not the content)`,
    error,
  )
}

/**
 * A deck that failed again alone: its office fails (exit 1, like content that cannot be
 * rendered), the other offices go on.
 */
export function asOfficeFault(error: unknown): OrtugError {
  const message = error instanceof Error ? error.message : String(error)
  return new OrtugError('CONTENT', message, { cause: error })
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
