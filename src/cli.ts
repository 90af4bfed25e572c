import { buildCommand } from './commands/build.ts'
import { checkCommand } from './commands/check.ts'
import { type Command, formatColumns, formatCommandHelp, type Output, parseCommandArgs } from './commands/define.ts'
import { doctorCommand } from './commands/doctor.ts'
import { listCommand } from './commands/list.ts'
import { mergeManifestsCommand } from './commands/merge-manifests.ts'
import { newOfficeCommand } from './commands/new-office.ts'
import { previewCommand } from './commands/preview.ts'
import { storyboardCommand } from './commands/storyboard.ts'
import { collectErrorsOrReport, errorToJson, exitCodeOf, formatForTerminal, relativeToRoot } from './commands/values.ts'
import { ERROR_CODES } from './shared/error.ts'
import { createLogger } from './shared/log.ts'
import { installProfiler, openProfiler } from './shared/profile.ts'
import { VERSION } from './shared/version.ts'

// The entry: finds the command, parses its options from its table, runs it. Adding a command is
// one module in commands/ and one line in COMMANDS.

export interface RunContext {
  cwd?: string
  env?: NodeJS.ProcessEnv
  stderr?: Output
  stdout?: Output
  signal?: AbortSignal
}

export const COMMANDS: readonly Command[] = [
  buildCommand,
  checkCommand,
  listCommand,
  newOfficeCommand,
  previewCommand,
  mergeManifestsCommand,
  doctorCommand,
  storyboardCommand,
]

/** Exit code of a command ended by Ctrl+C or SIGTERM before it finished (128 + SIGINT). */
export const INTERRUPTED = 130

/** The command line: returns an exit code; never touches process (only bin/ortug.mjs does). */
export async function run(argv: readonly string[], context: RunContext = {}): Promise<number> {
  const stderr = context.stderr ?? process.stderr
  const stdout = context.stdout ?? process.stdout
  const [first, ...rest] = argv
  // Bare `ortug` is a mistake, as bare `git` is: the help goes to stderr and the exit code says usage.
  if (first === undefined) {
    stderr.write(formatMainHelp())
    return ERROR_CODES.USAGE
  }
  if (first === '--help' || first === '-h') return write(stdout, formatMainHelp())
  if (first === '--version' || first === '-v') return write(stdout, `${VERSION}\n`)
  if (first === 'help') {
    if (rest[0] === undefined) return write(stdout, formatMainHelp())
    const command = findCommand(rest[0], stderr)
    return command ? write(stdout, formatCommandHelp(command)) : ERROR_CODES.USAGE
  }
  const command = findCommand(first, stderr)
  if (!command) return ERROR_CODES.USAGE
  // The bench's stage timer (src/shared/profile.ts): read here once, a no-op unless asked for.
  const env = context.env ?? process.env
  const profiler = openProfiler(env.ORTUG_PROFILE, env.ORTUG_PROFILE_PAGES)
  const previous = installProfiler(profiler)
  try {
    return await runCommand(command, rest, { ...context, stdout, stderr })
  } finally {
    installProfiler(previous)
    await profiler.flush()
  }
}

async function runCommand(command: Command, args: readonly string[], context: RunContext & { stdout: Output; stderr: Output }): Promise<number> {
  const cwd = context.cwd ?? process.cwd()
  let values: Record<string, unknown> = {}
  // Messages name files relative to the project, as the preview's pages do (shorter, and the same on every machine).
  const stream = { write: (chunk: string) => context.stderr.write(relativeToRoot(chunk, cwd)), isTTY: context.stderr.isTTY }
  const logger = () => createLogger({ quiet: Boolean(values.quiet), json: Boolean(values.json), stream })
  try {
    // The options are parsed before --help is honoured, so a misspelt option is reported even then.
    const parsed = parseCommandArgs(command, args)
    values = parsed.values
    if (values.help) return write(context.stdout, formatCommandHelp(command))
    const code = await command.run({
      ...parsed,
      cwd,
      env: context.env ?? process.env,
      stdout: context.stdout,
      stderr: context.stderr,
      signal: context.signal,
      logger: logger(),
    })
    return context.signal?.aborted && !command.runsUntilStopped ? INTERRUPTED : code
  } catch (error) {
    const log = logger()
    const errors = collectErrorsOrReport(error, log)
    if (values.json) context.stdout.write(`${JSON.stringify({ ok: false, errors: errors.map(errorToJson) })}\n`)
    for (const e of errors) log.error(formatForTerminal(e, cwd))
    if (context.signal?.aborted && !command.runsUntilStopped) return INTERRUPTED
    return exitCodeOf(errors)
  }
}

function findCommand(name: string, stderr: Output): Command | undefined {
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    const known = COMMANDS.map((c) => c.name).join(', ')
    stderr.write(`error: unknown command "${name}"; commands are: ${known} (see "ortug --help")\n`)
  }
  return command
}

function write(stream: Output, text: string): number {
  stream.write(text)
  return 0
}

/** The top-level help: what ortug is, the commands, the global options, exit codes. */
export function formatMainHelp(): string {
  return `ortug ${VERSION}: orientation essays to Marp decks, PDFs and handouts for every office

Usage: ortug <command> [options]

Commands:
${formatColumns(COMMANDS.map((c) => [c.name, c.summary]))}

Options:
${formatColumns([
  ['-h, --help', 'show this help; "ortug <command> --help" or "ortug help <command>" for a command'],
  ['-v, --version', 'print the version'],
])}

Exit codes: 0 success, 1 invalid content or a slide that does not fit, 2 wrong usage,
3 environment (no browser, cannot write), 130 interrupted (Ctrl+C; the preview exits 0).
Messages go to stderr; --json puts one JSON object on stdout.

Examples:
  # every deck of every office into dist/
  ortug build

  # what is wrong, every problem at once
  ortug check
`
}
