import path from 'node:path'
import { resolveOutDir } from '../output/out-dir.ts'
import { build } from '../pipeline/build.ts'
import { DEFAULT_FORMATS, FORMATS } from '../shared/formats.ts'
import { HANDOUT_LAYOUTS, PAPERS } from '../shared/schema.ts'
import { defaultJobs } from '../shared/tasks.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'
import { BROWSER_PATH_OPTION, SELECT_OPTIONS, TIMEOUT_OPTION } from './options.ts'
import {
  errorToJson,
  exitCodeOf,
  formatForTerminal,
  formatList,
  oneOf,
  parseShard,
  positiveInteger,
  splitList,
  timeoutSeconds,
  verifyNamedBrowser,
} from './values.ts'

export const buildCommand = defineCommand({
  name: 'build',
  summary: 'Build the decks of the selected offices and essays into dist/ (or --out); only what changed is rebuilt.',
  usage: '[options]',
  options: {
    ...SELECT_OPTIONS,
    format: {
      type: 'string',
      value: 'list',
      list: true,
      description: `formats to make, comma-separated: ${FORMATS.join(', ')}`,
      default: DEFAULT_FORMATS.join(','),
    },
    out: { type: 'string', value: 'dir', description: 'output folder', default: 'dist' },
    handout: { type: 'string', value: 'layout', description: `handout layout for every office: ${HANDOUT_LAYOUTS.join(' | ')}`, default: "each office's own" },
    paper: { type: 'string', value: 'paper', description: `handout paper for every office: ${PAPERS.join(' | ')}`, default: "each office's own" },
    force: { type: 'boolean', description: 'rebuild and re-measure everything selected' },
    shard: { type: 'string', value: 'k/n', description: 'build only the k-th of n shares of the offices (see "Scaling out")' },
    jobs: { type: 'string', value: 'n', description: 'decks worked on at once', default: 'twice the CPU cores, 2 to 6' },
    ...TIMEOUT_OPTION,
    ...BROWSER_PATH_OPTION,
    ...COMMON_OPTIONS,
  },
  examples: [
    { what: 'one office, PDF deck and handout only', command: 'ortug build --office kota-bandung --format pdf,handout' },
    { what: 'the second of four shards, for CI', command: 'ortug build --shard 2/4 --out shard-2' },
  ],
  async run({ values, cwd, env, stdout, signal, logger }) {
    const formats = formatList(values.format)
    const outDir = resolveOutDir(values.out ?? 'dist', cwd)
    const timeoutMs = timeoutSeconds(values.timeout) * 1000
    const handout = { layout: oneOf(values.handout, '--handout', HANDOUT_LAYOUTS), paper: oneOf(values.paper, '--paper', PAPERS) }
    const jobs = positiveInteger(values.jobs, '--jobs', defaultJobs())
    const shard = parseShard(values.shard)
    await verifyNamedBrowser(values['browser-path'], env)
    const result = await build({
      root: cwd,
      outDir,
      formats,
      offices: splitList(values.office, '--office'),
      essays: splitList(values.essay, '--essay'),
      browserPath: values['browser-path'],
      env,
      timeoutMs,
      jobs,
      force: Boolean(values.force),
      handout,
      shard,
      signal,
      logger,
    })
    for (const failure of result.failures) logger.error(formatForTerminal(failure, cwd))
    const code = exitCodeOf(result.failures)
    const offices = new Set(result.built.map((b) => b.office)).size
    if (values.json) {
      const counts = { built: result.built.length, unchanged: result.unchanged, offices, problems: result.failures.length }
      const outputs = result.built.map((b) => b.path)
      stdout.write(`${JSON.stringify({ ok: code === 0, outDir, seconds: result.seconds, counts, outputs, errors: result.failures.map(errorToJson) })}\n`)
      return code
    }
    const shown = path.relative(cwd, outDir)
    const where = shown === '' ? '.' : shown.startsWith('..') ? outDir : shown
    const problems = result.failures.length ? `; ${result.failures.length} problem(s)` : ''
    logger.info(
      `built ${result.built.length} file(s) for ${offices} office(s), ${result.unchanged} up to date, in ${result.seconds.toFixed(1)} s → ${where}${problems}`,
    )
    return code
  },
})
