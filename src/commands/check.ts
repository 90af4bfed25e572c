import path from 'node:path'
import { check } from '../pipeline/check.ts'
import { defaultJobs } from '../shared/tasks.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'
import { BROWSER_PATH_OPTION, SELECT_OPTIONS, TIMEOUT_OPTION } from './options.ts'
import { errorToJson, exitCodeOf, formatForTerminal, splitList, timeoutSeconds, verifyNamedBrowser } from './values.ts'

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'Validate every essay, storyboard, office and template and check that every slide fits; writes nothing.',
  usage: '[options]',
  options: {
    ...SELECT_OPTIONS,
    'no-fit': { type: 'boolean', description: 'skip the fit check: no browser is started' },
    ...TIMEOUT_OPTION,
    ...BROWSER_PATH_OPTION,
    ...COMMON_OPTIONS,
  },
  notes: ['Every problem of every file is listed in one pass. Exit codes: 0 no problem, 1 content, 2 usage, 3 environment.'],
  examples: [
    { what: 'a new office, after editing its file', command: 'ortug check --office kota-contoh' },
    { what: 'everything, without the browser', command: 'ortug check --no-fit' },
  ],
  async run({ values, cwd, env, stdout, logger }) {
    const timeoutMs = timeoutSeconds(values.timeout) * 1000
    const fit = !values['no-fit']
    const browserPath = values['browser-path']
    if (fit) await verifyNamedBrowser(browserPath, env)
    const result = await check({
      root: cwd,
      outDir: path.resolve(cwd, 'dist'),
      offices: splitList(values.office, '--office'),
      essays: splitList(values.essay, '--essay'),
      fit,
      browserPath,
      env,
      timeoutMs,
      jobs: defaultJobs(),
    })
    const { problems, warnings } = result
    for (const warning of warnings) logger.warn(warning)
    for (const problem of problems) logger.error(formatForTerminal(problem, cwd))
    if (values.json) stdout.write(`${JSON.stringify({ ok: problems.length === 0, decks: result.decks, errors: problems.map(errorToJson), warnings })}\n`)
    else if (problems.length === 0) logger.info(`ok: ${result.essays} essay(s), ${result.offices} office(s), ${result.decks} deck(s) checked`)
    else logger.info(`${problems.length} problem(s) found`)
    return exitCodeOf(problems)
  },
})
