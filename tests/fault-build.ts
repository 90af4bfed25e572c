import { parseArgs } from 'node:util'
import { buildCommand } from '../src/commands/build.ts'
import { type Output, parseCommandArgs } from '../src/commands/define.ts'
import { collectErrorsOrReport, exitCodeOf, formatForTerminal, relativeToRoot, splitList } from '../src/commands/values.ts'
import { resolveOutDir } from '../src/output/out-dir.ts'
import { build } from '../src/pipeline/build.ts'
import type { Faults } from '../src/shared/disk.ts'
import { fail } from '../src/shared/error.ts'
import { FORMATS, type Format } from '../src/shared/formats.ts'
import { createLogger } from '../src/shared/log.ts'
import { DEFAULT_TIMEOUT_S, defaultJobs } from '../src/shared/tasks.ts'

// A build that a test stops inside its commit, test-only (ortug itself has no such switch):
//
//   node --import tsx tests/fault-build.ts [--crash-at n] [--crash-signal SIGINT|SIGTERM|SIGKILL]
//                                          [--enospc-at n|lock] -- <ortug build options>
//
// --crash-at n sends the process the signal (SIGKILL unless --crash-signal) at the n-th step of the
// commit; --enospc-at n fails the n-th write into staging as a full disk does, `lock` the lock
// file's write. It calls the same build() as `ortug build`, with those faults passed as an option,
// and reports as the CLI does: `error: ` lines on stderr, exit 3 for the environment, 130 when
// interrupted (the signals are handled as bin/ortug.mjs handles them).

const SIGNALS = ['SIGKILL', 'SIGINT', 'SIGTERM'] as const
/** The options of `ortug build` this entry passes on; the commit does not depend on the others. */
const PASSED_ON = new Set(['format', 'out', 'office', 'essay', 'force', 'json', 'quiet'])
const INTERRUPTED = 130

export interface FaultSettings {
  crashAt?: number
  crashSignal?: (typeof SIGNALS)[number]
  /** The n-th write into staging, or the lock file's. */
  enospcAt?: number | 'lock'
}

/** The hooks that carry the settings out: counting the commit's steps and writes. */
export function createFaults({ crashAt = 0, crashSignal = 'SIGKILL', enospcAt }: FaultSettings): Faults {
  let steps = 0
  let writes = 0
  return {
    step() {
      if (crashAt > 0 && ++steps === crashAt) process.kill(process.pid, crashSignal)
    },
    write() {
      if (typeof enospcAt === 'number' && ++writes === enospcAt) throw diskFull()
    },
    lock() {
      if (enospcAt === 'lock') throw diskFull()
    },
  }
}

/** Fault settings from the arguments before `--`, and the build options after it. */
export function parseFaultArgs(argv: readonly string[]): { settings: FaultSettings; buildArgs: string[] } {
  const split = argv.indexOf('--')
  const { values } = parseArgs({
    args: split < 0 ? [...argv] : argv.slice(0, split),
    options: { 'crash-at': { type: 'string' }, 'crash-signal': { type: 'string' }, 'enospc-at': { type: 'string' } },
    strict: true,
  })
  const crashSignal = SIGNALS.find((signal) => signal === values['crash-signal'])
  if (values['crash-signal'] !== undefined && !crashSignal) throw new Error(`--crash-signal: one of ${SIGNALS.join(', ')}`)
  const enospc = values['enospc-at']
  return {
    settings: {
      crashAt: Number(values['crash-at'] ?? 0),
      crashSignal,
      enospcAt: enospc === undefined ? undefined : enospc === 'lock' ? 'lock' : Number(enospc),
    },
    buildArgs: split < 0 ? [] : argv.slice(split + 1),
  }
}

/** `ortug build <args>` with `faults`: the exit code, messages written to `stderr` as the CLI writes them. */
export async function runFaultBuild(
  args: readonly string[],
  context: { cwd: string; faults: Faults; stderr: Output; stdout?: Output; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<number> {
  const { cwd, signal } = context
  const { values } = parseCommandArgs(buildCommand, args)
  const stream = { write: (chunk: string) => context.stderr.write(relativeToRoot(chunk, cwd)), isTTY: false }
  const logger = createLogger({ quiet: Boolean(values.quiet), json: Boolean(values.json), stream })
  let code: number
  try {
    const unsupported = Object.keys(values).filter((name) => !PASSED_ON.has(name))
    if (unsupported.length > 0) fail('USAGE', `tests/fault-build.ts does not pass on --${unsupported.join(', --')}`)
    const result = await build({
      root: cwd,
      outDir: resolveOutDir(values.out ?? 'dist', cwd),
      formats: parseFormats(values.format),
      offices: splitList(values.office, '--office'),
      essays: splitList(values.essay, '--essay'),
      env: context.env ?? process.env,
      timeoutMs: DEFAULT_TIMEOUT_S * 1000,
      jobs: defaultJobs(),
      force: Boolean(values.force),
      signal,
      logger,
      faults: context.faults,
    })
    for (const failure of result.failures) logger.error(formatForTerminal(failure, cwd))
    code = exitCodeOf(result.failures)
    if (values.json) context.stdout?.write(`${JSON.stringify({ ok: code === 0, outputs: result.built.map((b) => b.path) })}\n`)
  } catch (error) {
    const errors = collectErrorsOrReport(error, logger)
    for (const e of errors) logger.error(formatForTerminal(e, cwd))
    code = exitCodeOf(errors)
  }
  return signal?.aborted ? INTERRUPTED : code
}

function parseFormats(value: string | undefined): Format[] {
  const names = splitList(value, '--format') ?? fail('USAGE', 'tests/fault-build.ts needs --format')
  return names.map((name) => FORMATS.find((format) => format === name) ?? fail('USAGE', `--format: unknown ${name}`))
}

function diskFull(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
}

/** The process's entry (tests/fault-main.ts): settings from argv, the signals handled as bin/ortug.mjs does. */
export async function main(): Promise<void> {
  const { settings, buildArgs } = parseFaultArgs(process.argv.slice(2))
  const controller = new AbortController()
  let interrupted = 0
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted++
      controller.abort()
      if (interrupted > 1) process.exit(INTERRUPTED)
      setTimeout(() => process.exit(INTERRUPTED), 10_000).unref()
    })
  }
  process.exitCode = await runFaultBuild(buildArgs, {
    cwd: process.cwd(),
    faults: createFaults(settings),
    stderr: process.stderr,
    stdout: process.stdout,
    signal: controller.signal,
  })
  setTimeout(() => process.exit(), 500).unref()
}
