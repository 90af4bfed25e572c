import { parseArgs } from 'node:util'
import { fail } from '../shared/error.ts'
import type { Logger } from '../shared/log.ts'

// A command is one typed table of options (citty-style) and a run function. Parsing and help
// both come from that table, so an option cannot be accepted without being documented.

export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  /** The value's placeholder in help: `--office <id,..>`. */
  readonly value?: string
  /** The value is a comma-separated list. */
  readonly list?: boolean
  /** One line: what the option does. */
  readonly description: string
  /** The default as help prints it, when there is one worth saying. */
  readonly default?: string
}

export type OptionTable = Readonly<Record<string, OptionSpec>>

export type OptionValues<T extends OptionTable> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }

export interface Output {
  write(chunk: string): unknown
  isTTY?: boolean
}

export interface CommandContext<T extends OptionTable> {
  values: OptionValues<T>
  positionals: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  stdout: Output
  stderr: Output
  signal?: AbortSignal
  logger: Logger
}

export interface Example {
  /** What the example does, one short line. */
  readonly what: string
  readonly command: string
}

export interface Command<T extends OptionTable = OptionTable> {
  readonly name: string
  /** One sentence: the top-level help's line and the first line of the command's help. */
  readonly summary: string
  /** What follows `ortug <name>` in the usage line, e.g. `<id> --name <name> --level <level> [options]`. */
  readonly usage: string
  /** Positional arguments, when the command takes any (otherwise they are refused). */
  readonly positionals?: readonly { readonly name: string; readonly description: string }[]
  readonly options: T
  readonly examples: readonly [Example, Example, ...Example[]]
  /** Extra lines after the options (exit codes, where output goes). */
  readonly notes?: readonly string[]
  /** Serves until interrupted (the preview): Ctrl+C is its normal end and exits 0, not 130. */
  readonly runsUntilStopped?: boolean
  run(context: CommandContext<T>): Promise<number>
}

/** Typed identity: keeps the option table's literal types so `values` is typed from it. */
export function defineCommand<const T extends OptionTable>(command: Command<T>): Command<T> {
  return command
}

/** Options every command takes. */
export const COMMON_OPTIONS = {
  quiet: { type: 'boolean', short: 'q', description: 'print only warnings and errors' },
  json: { type: 'boolean', description: 'print the result as one JSON object on stdout; messages off' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies OptionTable

/** Parses a command's arguments from its table; unknown options, missing values and stray positionals are USAGE errors. */
export function parseCommandArgs<T extends OptionTable>(command: Command<T>, args: readonly string[]): { values: OptionValues<T>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
  )
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: Boolean(command.positionals), strict: true, tokens: true })
    refuseRepeated(command, parsed.tokens)
    // biome-ignore lint/plugin: parseArgs parsed strictly with this very table, so each value has its spec's type; TypeScript cannot map a table built at run time to OptionValues<T>.
    return { values: parsed.values as OptionValues<T>, positionals: parsed.positionals }
  } catch (error) {
    fail(
      'USAGE',
      `${error instanceof Error ? error.message : String(error)}\nusage: ortug ${command.name} ${command.usage} (see "ortug ${command.name} --help")`,
    )
  }
}

/** An option with a value given twice: parseArgs keeps the last, so `--office a --office b` would build b alone. */
function refuseRepeated(command: Command, tokens: readonly { kind: string; name?: string }[]): void {
  const seen = new Set<string>()
  for (const token of tokens) {
    const spec = token.kind === 'option' && token.name ? command.options[token.name] : undefined
    if (!token.name || spec?.type !== 'string') continue
    if (seen.has(token.name)) {
      const fix = spec.list ? `give all its values in one --${token.name}, separated by commas` : 'give it once'
      throw new Error(`--${token.name} is given twice: ${fix}`)
    }
    seen.add(token.name)
  }
}

/** The command's help: a sentence, usage, arguments, options with their defaults, examples. */
export function formatCommandHelp(command: Command): string {
  const optionRows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` <${spec.value}>` : ''}`
    return [flag, spec.default === undefined ? spec.description : `${spec.description} (default: ${spec.default})`] as const
  })
  const argumentRows = (command.positionals ?? []).map((p) => [`<${p.name}>`, p.description] as const)
  const sections = [
    `ortug ${command.name}: ${command.summary}`,
    `Usage: ortug ${command.name} ${command.usage}`,
    ...(argumentRows.length > 0 ? [`Arguments:\n${formatColumns(argumentRows)}`] : []),
    `Options:\n${formatColumns(optionRows)}`,
    ...(command.notes ? [command.notes.join('\n')] : []),
    `Examples:\n${command.examples.map((e) => `  # ${e.what}\n  ${e.command}`).join('\n\n')}`,
  ]
  return `${sections.join('\n\n')}\n`
}

/** Two aligned columns, indented by two spaces. */
export function formatColumns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd()).join('\n')
}
