import path from 'node:path'
import { BROWSER_KIND_ENV, resolveBrowser } from '../browser/launch.ts'
import { MAX_SHARDS } from '../plan/shard.ts'
import { collectErrors, fail, formatLocation, OrtugError } from '../shared/error.ts'
import { DEFAULT_FORMATS, FORMATS, type Format } from '../shared/formats.ts'
import { DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S } from '../shared/limits.ts'
import type { Logger } from '../shared/log.ts'

// Turning option strings into checked values, and errors into what the terminal and --json show.

/** `a,b, c` → ['a', 'b', 'c']; undefined when the option was not given; a list of nothing (`--office ''`) is refused. */
export function splitList(value: string | undefined, flag: string): string[] | undefined {
  const names = value
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  if (names?.length === 0) fail('USAGE', `${flag} is empty: give one or more names separated by commas, or leave ${flag} out for all`)
  return names
}

export function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  // Number(' ') is 0: a blank value fails as not above 0.
  if (!Number.isSafeInteger(n) || n <= 0) fail('USAGE', `${flag} must be a whole number above 0, not "${value}"`)
  return n
}

/** --timeout in seconds: above 0 and at most MAX_TIMEOUT_S (Node's timers overflow past 24.8 days and fire at once). */
export function timeoutSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_S) {
    fail('USAGE', `--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S} (a day), not "${value}"; it bounds each deck's work`)
  }
  return seconds
}

/** `--format a,b`: every name a format; all of DEFAULT_FORMATS when not given. */
export function formatList(value: string | undefined): Format[] {
  const names = splitList(value, '--format') ?? [...DEFAULT_FORMATS]
  const unknown = names.filter((name) => !isFormat(name))
  if (unknown.length > 0) fail('USAGE', `--format: unknown ${unknown.join(', ')}; formats are: ${FORMATS.join(', ')}`)
  return names.filter(isFormat)
}

function isFormat(name: string): name is Format {
  return FORMATS.some((format) => format === name)
}

export function oneOf<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  return allowed.find((one) => one === value) ?? fail('USAGE', `${flag} must be one of: ${allowed.join(', ')}; got "${value}"`)
}

export function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(value)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    fail('USAGE', `--shard must be k/n with 1 <= k <= n <= ${MAX_SHARDS}, e.g. --shard 2/4; got "${value}"`)
  }
  return { index, count }
}

/** An error as --json prints it. */
export function errorToJson(error: OrtugError) {
  return { kind: error.kind, message: error.message, ...error.location }
}

/**
 * An error as the terminal prints it: paths inside the project relative to it (as the preview
 * shows them), so a message reads the same on every machine and fits the line.
 */
export function formatForTerminal(error: OrtugError, root: string): string {
  const message = relativeToRoot(error.message, root)
  if (!error.location) return message
  const file = relativeToRoot(error.location.file, root)
  return `${formatLocation({ ...error.location, file: file.split(path.sep).join('/') })}: ${message}`
}

/** `text` with every path inside `root` made relative to it. */
export function relativeToRoot(text: string, root: string): string {
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`
  return text.split(prefix).join('')
}

/** Flattens a thrown value into OrtugErrors; a bug (anything else) is logged with its stack as an internal error. */
export function collectErrorsOrReport(error: unknown, logger: Logger): OrtugError[] {
  try {
    return collectErrors(error)
  } catch (unknown) {
    logger.error(describeThrown(unknown))
    return [new OrtugError('ENVIRONMENT', 'internal error')]
  }
}

/** A thrown value for the terminal: an Error's stack (it names where the bug is), else the value. */
export function describeThrown(error: unknown): string {
  return (error instanceof Error ? error.stack : undefined) ?? String(error)
}

/** The worst exit code of a list of problems, 0 when there are none. */
export function exitCodeOf(problems: readonly OrtugError[]): number {
  return problems.length === 0 ? 0 : Math.max(...problems.map((p) => p.exitCode))
}

/**
 * A browser that was named (--browser-path, CHROME_PATH) must exist even when nothing needs it
 * (every fit cached, nothing to rebuild): build and check then agree, exit 3, and a typo is
 * found before the day it matters.
 */
export async function verifyNamedBrowser(browserPath: string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  // With ORTUG_BROWSER=bundled, CHROME_PATH is not used, and resolving would unpack the npm-shipped one.
  if (browserPath || (env.CHROME_PATH && env[BROWSER_KIND_ENV] !== 'bundled')) await resolveBrowser(browserPath, env)
}
