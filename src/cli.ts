import { access, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { mergeShards } from './output/manifest.ts'
import { resolveOutDir } from './output/out-dir.ts'
import { build, check } from './pipeline/build.ts'
import { loadProject } from './pipeline/project.ts'
import { MAX_SHARDS } from './plan/shard.ts'
import { collectErrors, ERROR_CODES, fail, OrtugError } from './shared/error.ts'
import { DEFAULT_FORMATS, FORMATS, type Format } from './shared/formats.ts'
import { createLogger, type Logger } from './shared/log.ts'
import { HANDOUT_LAYOUTS, HOUSE_COLORS, LEVELS, PAPERS, RE_ID } from './shared/schema.ts'
import { DEFAULT_TIMEOUT_S, defaultJobs, MAX_TIMEOUT_S } from './shared/tasks.ts'
import { VERSION } from './shared/version.ts'

export interface RunContext {
  cwd?: string
  env?: NodeJS.ProcessEnv
  stderr?: { write(chunk: string): unknown; isTTY?: boolean }
  stdout?: { write(chunk: string): unknown }
  signal?: AbortSignal
}

const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
} as const

const SELECT_OPTIONS = {
  office: { type: 'string' },
  essay: { type: 'string' },
} as const

const COMMANDS = {
  build: {
    usage:
      'ortug build [--office id,..] [--essay slug,..] [--format md,html,pdf,handout,png,overview,pptx] [--handout three-up|six-up|notes] [--paper A4|F4] [--out dir] [--force] [--shard k/n] [--jobs n] [--timeout s] [--browser-path path]',
    summary: 'Build decks for the selected offices and essays into dist/ (or --out).',
    options: {
      ...COMMON_OPTIONS,
      ...SELECT_OPTIONS,
      format: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      shard: { type: 'string' },
      handout: { type: 'string' },
      paper: { type: 'string' },
      jobs: { type: 'string' },
      timeout: { type: 'string' },
      'browser-path': { type: 'string' },
    },
  },
  check: {
    usage: 'ortug check [--office id,..] [--essay slug,..] [--no-fit] [--browser-path path]',
    summary: 'Validate every essay, storyboard, office and template, and check that every slide fits; writes nothing.',
    options: { ...COMMON_OPTIONS, ...SELECT_OPTIONS, 'no-fit': { type: 'boolean' }, 'browser-path': { type: 'string' }, timeout: { type: 'string' } },
  },
  preview: {
    usage: 'ortug preview --office id [--essay slug] [--port n]',
    summary: "Serve one office's decks on 127.0.0.1 and reload the page on every change to content, templates or theme.",
    options: { ...COMMON_OPTIONS, ...SELECT_OPTIONS, port: { type: 'string' } },
  },
  list: {
    usage: 'ortug list',
    summary: 'List essays, offices and what a build would make.',
    options: { ...COMMON_OPTIONS },
  },
  'merge-manifests': {
    usage: 'ortug merge-manifests <shard-dir>... --out dir',
    summary: 'Gather the outputs of shard builds (build --shard k/n) into one folder, manifest and catalogue.',
    options: { ...COMMON_OPTIONS, out: { type: 'string' } },
  },
  doctor: {
    usage: 'ortug doctor [--out dir] [--office id] [--browser-path path] [--timeout s]',
    summary: 'Check the browser (which one and why), Node, fonts and the output folder, then build one office as a smoke test.',
    options: { ...COMMON_OPTIONS, out: { type: 'string' }, office: { type: 'string' }, 'browser-path': { type: 'string' }, timeout: { type: 'string' } },
  },
  storyboard: {
    usage: 'ortug storyboard <slug> [--force]',
    summary: "Write the essay's derived deck as content/essays/<slug>.deck.yaml, a commented storyboard to edit.",
    options: { ...COMMON_OPTIONS, force: { type: 'boolean' } },
  },
  'new-office': {
    usage: 'ortug new-office <id> --name "KPU Kota Contoh" --level kota [--region "Kota Contoh"]',
    summary: 'Write a new, commented office file content/offices/<id>.yaml.',
    options: { ...COMMON_OPTIONS, name: { type: 'string' }, level: { type: 'string' }, region: { type: 'string' } },
  },
} as const

type CommandName = keyof typeof COMMANDS

const HELP = `ortug ${VERSION}: orientation essays to Marp decks, PDFs and handouts for every office

Usage: ortug <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`)
  .join('\n')}

Run "ortug <command> --help" for a command's options.
Exit codes: 0 success, 1 invalid content or a slide that does not fit, 2 wrong usage, 3 environment.
`

/** The command line: returns an exit code; never touches process (only bin/ortug.mjs does). */
export async function run(argv: readonly string[], context: RunContext = {}): Promise<number> {
  const cwd = context.cwd ?? process.cwd()
  const stderr = context.stderr ?? process.stderr
  const stdout = context.stdout ?? process.stdout
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    stdout.write(HELP)
    return command ? 0 : 2
  }
  if (command === '--version' || command === '-v') {
    stdout.write(`${VERSION}\n`)
    return 0
  }
  if (!(command in COMMANDS)) {
    stderr.write(`error: unknown command "${command}"; commands are: ${Object.keys(COMMANDS).join(', ')}\n`)
    return ERROR_CODES.USAGE
  }
  const spec = COMMANDS[command as CommandName]
  let values: Record<string, unknown>
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: [...rest],
      options: spec.options,
      allowPositionals: command === 'new-office' || command === 'merge-manifests' || command === 'storyboard',
      strict: true,
    }))
  } catch (error) {
    stderr.write(`error: ${(error as Error).message}\nusage: ${spec.usage}\n`)
    return ERROR_CODES.USAGE
  }
  if (values.help) {
    stdout.write(`${spec.summary}\n\nusage: ${spec.usage}\n`)
    return 0
  }
  const logger = createLogger({ quiet: Boolean(values.quiet), json: Boolean(values.json), stream: stderr })
  try {
    switch (command as CommandName) {
      case 'build':
        return await runBuild(values, cwd, logger, stdout, context)
      case 'check':
        return await runCheck(values, cwd, logger, stdout, context)
      case 'preview':
        return await runPreview(values, cwd, logger, stdout, context)
      case 'list':
        return await runList(cwd, stdout, Boolean(values.json))
      case 'doctor':
        return await runDoctorCommand(values, cwd, stdout, context)
      case 'new-office':
        return await runNewOffice(positionals, values, cwd, logger)
      case 'storyboard':
        return await runStoryboard(positionals, values, cwd, logger, stdout)
      case 'merge-manifests': {
        if (positionals.length === 0 || typeof values.out !== 'string') fail('USAGE', `give the shard folders and --out; usage: ${spec.usage}`)
        const manifest = await mergeShards(
          positionals.map((dir) => path.resolve(cwd, dir)),
          resolveOutDir(values.out, cwd),
          logger.warn,
        )
        logger.info(`merged ${positionals.length} shard(s): ${manifest.outputs.length} output(s) → ${values.out}`)
        return 0
      }
    }
  } catch (error) {
    const errors = collectErrorsOrRethrow(error, logger)
    if (values.json) stdout.write(`${JSON.stringify({ ok: false, errors: errors.map(toJson) })}\n`)
    for (const e of errors) logger.error(e.format())
    return Math.max(...errors.map((e) => e.exitCode))
  }
}

function collectErrorsOrRethrow(error: unknown, logger: Logger): OrtugError[] {
  try {
    return collectErrors(error)
  } catch (unknown) {
    // A bug, not bad input: keep the stack.
    logger.error((unknown as Error)?.stack ?? String(unknown))
    return [new OrtugError('ENVIRONMENT', 'internal error')]
  }
}

function toJson(error: OrtugError) {
  return { kind: error.kind, message: error.message, ...error.location }
}

function list(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : undefined
}

function positiveNumber(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) fail('USAGE', `${flag} must be a positive number, not "${value}"`)
  return n
}

/** --timeout in seconds: above 0 and at most MAX_TIMEOUT_S (Node's timers overflow past 24.8 days and fire at once). */
function timeoutSeconds(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_S) {
    fail('USAGE', `--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S} (a day), not "${value}"; it bounds each deck's work`)
  }
  return seconds
}

function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly unknown[]).includes(value)) fail('USAGE', `${flag} must be one of: ${allowed.join(', ')}; got "${value}"`)
  return value as T
}

function parseShard(value: unknown): { index: number; count: number } | undefined {
  if (value === undefined) return undefined
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(String(value))
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    fail('USAGE', `--shard must be k/n with 1 <= k <= n <= ${MAX_SHARDS}, e.g. --shard 2/4; got "${value}"`)
  }
  return { index, count }
}

async function runBuild(values: Record<string, unknown>, cwd: string, logger: Logger, stdout: RunContext['stdout'] & {}, context: RunContext): Promise<number> {
  const formats = (list(values.format) ?? [...DEFAULT_FORMATS]) as Format[]
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f))
  if (unknown.length > 0) fail('USAGE', `--format: unknown ${unknown.join(', ')}; formats are: ${FORMATS.join(', ')}`)
  const outDir = resolveOutDir(typeof values.out === 'string' ? values.out : 'dist', cwd)
  const result = await build({
    root: cwd,
    outDir,
    formats,
    offices: list(values.office),
    essays: list(values.essay),
    browserPath: typeof values['browser-path'] === 'string' ? values['browser-path'] : undefined,
    env: context.env,
    timeoutMs: timeoutSeconds(values.timeout) * 1000,
    jobs: Math.floor(positiveNumber(values.jobs, '--jobs', defaultJobs())),
    force: Boolean(values.force),
    handout: { layout: oneOf(values.handout, '--handout', HANDOUT_LAYOUTS), paper: oneOf(values.paper, '--paper', PAPERS) },
    shard: parseShard(values.shard),
    signal: context.signal,
    logger,
  })
  for (const failure of result.failures) logger.error(failure.format())
  const code = result.failures.length > 0 ? Math.max(...result.failures.map((f) => f.exitCode)) : 0
  const offices = new Set(result.built.map((b) => b.office)).size
  const shown = path.relative(cwd, outDir)
  const where = shown === '' ? '.' : shown.startsWith('..') ? outDir : shown
  const summary = `built ${result.built.length} file(s) for ${offices} office(s), ${result.unchanged} up to date, in ${result.seconds.toFixed(1)} s → ${where}${result.failures.length ? `; ${result.failures.length} problem(s)` : ''}`
  if (values.json) {
    stdout.write(
      `${JSON.stringify({
        ok: code === 0,
        outDir,
        seconds: result.seconds,
        counts: { built: result.built.length, unchanged: result.unchanged, offices, problems: result.failures.length },
        outputs: result.built.map((b) => b.path),
        errors: result.failures.map(toJson),
      })}\n`,
    )
  } else logger.info(summary)
  return code
}

async function runCheck(values: Record<string, unknown>, cwd: string, logger: Logger, stdout: RunContext['stdout'] & {}, context: RunContext): Promise<number> {
  const result = await check({
    root: cwd,
    outDir: path.resolve(cwd, 'dist'),
    offices: list(values.office),
    essays: list(values.essay),
    fit: !values['no-fit'],
    browserPath: typeof values['browser-path'] === 'string' ? values['browser-path'] : undefined,
    env: context.env,
    timeoutMs: timeoutSeconds(values.timeout) * 1000,
    jobs: defaultJobs(),
  })
  const { problems, warnings } = result
  for (const warning of warnings) logger.warn(warning)
  for (const problem of problems) logger.error(problem.format())
  if (values.json) stdout.write(`${JSON.stringify({ ok: problems.length === 0, decks: result.decks, errors: problems.map(toJson), warnings })}\n`)
  else
    logger.info(
      problems.length === 0
        ? `ok: ${result.essays} essay(s), ${result.offices} office(s), ${result.decks} deck(s) checked`
        : `${problems.length} problem(s) found`,
    )
  return problems.length === 0 ? 0 : Math.max(...problems.map((p) => p.exitCode))
}

/** Serves until the run is aborted (Ctrl+C), then closes the server and watchers: exit 0. */
async function runPreview(
  values: Record<string, unknown>,
  cwd: string,
  logger: Logger,
  stdout: RunContext['stdout'] & {},
  context: RunContext,
): Promise<number> {
  const { parsePort, startPreview } = await import('./commands/preview.ts')
  if (typeof values.office !== 'string' || !values.office) fail('USAGE', `--office is required: the preview shows one office; usage: ${COMMANDS.preview.usage}`)
  const essay = typeof values.essay === 'string' ? values.essay : undefined
  const preview = await startPreview({ root: cwd, office: values.office, essay, port: parsePort(values.port), logger })
  try {
    if (values.json) stdout.write(`${JSON.stringify({ ok: true, url: preview.url })}\n`)
    else logger.info(`preview of ${values.office} at ${preview.url} (Ctrl+C to stop)`)
    const { signal } = context
    await new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true })))
  } finally {
    await preview.close()
  }
  return 0
}

async function runDoctorCommand(values: Record<string, unknown>, cwd: string, stdout: RunContext['stdout'] & {}, context: RunContext): Promise<number> {
  const { doctorExitCode, formatDoctor, runDoctor } = await import('./commands/doctor.ts')
  const checks = await runDoctor({
    root: cwd,
    outDir: resolveOutDir(typeof values.out === 'string' ? values.out : 'dist', cwd),
    office: typeof values.office === 'string' ? values.office : undefined,
    browserPath: typeof values['browser-path'] === 'string' ? values['browser-path'] : undefined,
    env: context.env ?? process.env,
    timeoutMs: timeoutSeconds(values.timeout) * 1000,
  })
  const code = doctorExitCode(checks)
  stdout.write(
    values.json ? `${JSON.stringify({ ok: code === 0, version: VERSION, platform: process.platform, arch: process.arch, checks })}\n` : formatDoctor(checks),
  )
  return code
}

async function runList(cwd: string, stdout: RunContext['stdout'] & {}, json: boolean): Promise<number> {
  const project = await loadProject(cwd)
  const essays = project.essays.map(({ essay, storyboard }) => ({
    slug: essay.slug,
    title: essay.meta.title,
    sections: essay.sections.map((s) => s.id),
    storyboard: storyboard.derived ? 'derived' : 'authored',
  }))
  const offices = project.offices.map(({ office }) => ({ id: office.id, name: office.name, level: office.level, aspect: office.aspect }))
  if (json) stdout.write(`${JSON.stringify({ essays, offices, problems: project.problems.map(toJson) })}\n`)
  else {
    stdout.write(
      `Essays (${essays.length}):\n${essays.map((e) => `  ${e.slug}  ${e.title}  [${e.storyboard} storyboard; sections: ${e.sections.join(', ')}]`).join('\n')}\n`,
    )
    stdout.write(`Offices (${offices.length}):\n${offices.map((o) => `  ${o.id.padEnd(28)} ${o.name} (${o.level}, ${o.aspect})`).join('\n')}\n`)
    stdout.write(`A build makes ${essays.length * offices.length} deck(s): dist/<office>/<essay>.{md,html,pdf}\n`)
    for (const problem of project.problems) stdout.write(`problem: ${problem.format()}\n`)
  }
  return project.problems.length === 0 ? 0 : 1
}

async function runStoryboard(positionals: string[], values: Record<string, unknown>, cwd: string, logger: Logger, stdout: RunContext['stdout'] & {}) {
  const [slug, ...extra] = positionals
  if (!slug || extra.length > 0) fail('USAGE', `give exactly one essay slug; usage: ${COMMANDS.storyboard.usage}`)
  const { writeDerivedStoryboard } = await import('./commands/storyboard.ts')
  const result = await writeDerivedStoryboard(cwd, slug, Boolean(values.force))
  if (values.json) stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`)
  else logger.info(`wrote ${result.file} (${result.slides} slides); build it with "ortug build --essay ${slug}"`)
  for (const spot of result.weakSpots) logger.warn(`section "${spot.section}": ${spot.message}`)
  return 0
}

async function runNewOffice(positionals: string[], values: Record<string, unknown>, cwd: string, logger: Logger): Promise<number> {
  const [id, ...extra] = positionals
  const usage = COMMANDS['new-office'].usage
  if (!id || extra.length > 0) fail('USAGE', `give exactly one office id; usage: ${usage}`)
  if (!RE_ID.test(id)) fail('USAGE', `"${id}" is not a valid office id: use lowercase letters, digits and single hyphens, e.g. "kota-bandung"`)
  const name = typeof values.name === 'string' ? values.name.trim() : ''
  const level = values.level
  if (!name || /[\n\r]/.test(name)) fail('USAGE', `--name is required and must be one line; usage: ${usage}`)
  if (!(LEVELS as readonly unknown[]).includes(level)) fail('USAGE', `--level must be one of: ${LEVELS.join(', ')}`)
  const region = typeof values.region === 'string' ? values.region.trim() : name.replace(/^KPU\s+/i, '')
  const file = path.join(cwd, 'content', 'offices', `${id}.yaml`)
  const exists = await access(file).then(
    () => true,
    () => false,
  )
  if (exists) fail('USAGE', `${path.relative(cwd, file)} already exists; edit it, or choose another id`)
  const quote = (s: string) => JSON.stringify(s)
  const text = `# yaml-language-server: $schema=./schema.json
# Office file for ${name}. Fields from _defaults.yaml apply unless set here.
# Only write what is known: never invent addresses, phone numbers or people.
name: ${quote(name)}
region: ${quote(region)}
level: ${level}
# colors: { primary: "${HOUSE_COLORS.primary}", accent: "${HOUSE_COLORS.accent}" }   # #rrggbb; white and accent text on primary must reach 4.5:1
# logo: assets/logos/${id}.png                         # PNG, JPEG, WebP or SVG under content/assets/
# session:
#   date: 2027-01-11                                   # YYYY-MM-DD
#   start: "08:30"                                     # HH:MM (WIB): the agenda shows clock times
#   venue: Aula Utama
#   trainers: [Nama Pelatih]
# contact: { email: ..., phone: ..., website: https://... }
# aspect: "16:9"                                       # "16:9" or "4:3"
# slides:
#   exclude: [section-id]                              # drop slides bound to these sections
#   extra:
#     - { after: section-id, layout: points, title: Judul, points: [Satu, Dua] }
# handout: { layout: three-up, paper: A4 }             # three-up | six-up | notes; A4 | F4
`
  await writeFile(file, text, { flag: 'wx' })
  logger.info(`wrote ${path.relative(cwd, file)}; check it with "ortug check --office ${id}"`)
  return 0
}
