import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { run } from '../src/cli.ts'

// docs/first-hour.md: what a newcomer types in their first hour and what ortug answers, from
// a fresh copy of the project (install skipped: it uses this checkout's node_modules). Every
// command runs for real; paths, times, sizes, ports and the browser's name are normalised so
// the text is the same on every machine and with either kind of browser. A test generates it
// again and compares, so it cannot drift from what ortug says.
//
//   node --import tsx scripts/transcript.ts [--check]

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const TRANSCRIPT = path.join(ROOT, 'docs', 'first-hour.md')
/** Two offices instead of 28 keep the transcript (and its test) to a minute; the commands are the same. */
const OFFICES = ['provinsi-jawa-barat', 'kota-bandung']

interface Step {
  title: string
  /** What the newcomer does or reads before the command, one paragraph. */
  lead: string
  args: string[]
  /** Done to the project before the command runs (an edit the lead describes). */
  before?: (dir: string) => Promise<void>
  /** Serves until stopped: stopped as Ctrl+C would once it prints its URL. */
  stopWhen?: RegExp
}

const NEW_OFFICE = path.join('content', 'offices', 'kota-contoh.yaml')

const STEPS: Step[] = [
  { title: 'What is there', lead: 'After `npm install`, the first look: the commands.', args: ['--help'] },
  { title: 'The content', lead: 'Essays, offices (in the catalogue order) and what a build makes.', args: ['list'] },
  { title: 'Everything checked', lead: 'Every essay, office and template, and every slide measured in the browser.', args: ['check'] },
  { title: 'Build', lead: '`npm run build` is `ortug build`: every deck of every office into `dist/`.', args: ['build'] },
  {
    title: 'A new office',
    lead: 'The README\'s "How to add an office".',
    args: ['new-office', 'kota-contoh', '--name', 'KPU Kota Contoh', '--level', 'kota'],
  },
  {
    title: 'Uncommented, not yet filled in',
    lead: 'The newcomer uncomments `logo`, `contact` and `slides` in `content/offices/kota-contoh.yaml` and leaves the placeholders. One run of `check` lists every problem.',
    args: ['check', '--office', 'kota-contoh'],
    before: (dir) => editOffice(dir, uncommentWrongly),
  },
  {
    title: 'Fixed',
    lead: 'The logo copied to `content/assets/logos/kota-contoh.png`, the contact line removed (nothing is known yet), `exclude: [tugas]` and the extra slide placed `after: integritas`.',
    args: ['check', '--office', 'kota-contoh'],
    before: async (dir) => {
      await mkdir(path.join(dir, 'content', 'assets', 'logos'), { recursive: true })
      await cp(
        path.join(ROOT, 'tests', 'fixtures', 'customized', 'content', 'assets', 'logos', 'kota-contoh.png'),
        path.join(dir, 'content', 'assets', 'logos', 'kota-contoh.png'),
      )
      await editOffice(dir, (text) =>
        text
          .replace(/^contact: .*\n/m, '')
          .replace('exclude: [section-id]', 'exclude: [tugas]')
          .replace('after: section-id', 'after: integritas'),
      )
    },
  },
  { title: 'The new office built', lead: 'Only the new office (`--office`); the other two stay as they are.', args: ['build', '--office', 'kota-contoh'] },
  {
    title: 'Preview',
    lead: 'A live preview while editing; Ctrl+C stops it (exit 0: that is how a preview ends).',
    args: ['preview', '--office', 'kota-contoh', '--port', '0'],
    stopWhen: /Ctrl\+C to stop/,
  },
  { title: 'When something does not work', lead: 'What a support request needs.', args: ['doctor'] },
]

/** The new office file with logo, contact and slides uncommented and their placeholders left in. */
export function uncommentWrongly(text: string): string {
  return text
    .replace(/^# logo: /m, 'logo: ')
    .replace(/^# contact: /m, 'contact: ')
    .replace('# slides:\n#   exclude: [section-id]', 'slides:\n  exclude: [section-id]')
    .replace('#   extra:\n#     - { after: section-id,', '  extra:\n    - { after: section-id,')
}

async function editOffice(dir: string, edit: (text: string) => string): Promise<void> {
  const file = path.join(dir, NEW_OFFICE)
  await writeFile(file, edit(await readFile(file, 'utf8')))
}

/** Runs the steps in a fresh copy of the project and returns the Markdown. */
export async function renderTranscript(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ortug-first-hour-'))
  try {
    await cp(path.join(ROOT, 'content', 'essays'), path.join(dir, 'content', 'essays'), { recursive: true })
    await cp(path.join(ROOT, 'content', 'assets'), path.join(dir, 'content', 'assets'), { recursive: true })
    await cp(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true })
    await mkdir(path.join(dir, 'content', 'offices'))
    for (const file of ['_defaults.yaml', 'schema.json', ...OFFICES.map((id) => `${id}.yaml`)]) {
      await cp(path.join(ROOT, 'content', 'offices', file), path.join(dir, 'content', 'offices', file))
    }
    const sections: string[] = []
    for (const [i, step] of STEPS.entries()) {
      await step.before?.(dir)
      const { output, code } = await runStep(step, dir, env)
      const shown = `$ npx ortug ${step.args.map(quoteArg).join(' ')}\n${normalise(output, dir)}${step.stopWhen ? '^C\n' : ''}(exit ${code})`
      sections.push(`## ${i + 1}. ${step.title}\n\n${step.lead}\n\n\`\`\`console\n${shown}\n\`\`\``)
    }
    return `# A newcomer's first hour

Generated by \`scripts/transcript.ts\` from a fresh copy of this project (two offices, install
skipped); \`tests/browser/transcript.test.ts\` generates it again and compares, so it says what
ortug says. Paths, times, sizes, ports and the browser are normalised (\`<project>\`, \`<t>\`,
\`<n>\`, \`<port>\`, \`<browser>\`). \`npx ortug\` runs the package's own command; \`npm run -s ortug
-- …\` does the same (without \`-s\`, npm prints a banner on stdout, which breaks \`--json | jq\`).
Messages go to stderr, results (help, \`list\`, \`doctor\`, \`--json\`) to stdout; both are shown
here in the order they appear.

${sections.join('\n\n')}
`
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function runStep(step: Step, dir: string, env: NodeJS.ProcessEnv): Promise<{ output: string; code: number }> {
  let output = ''
  const controller = new AbortController()
  const write = (chunk: string) => {
    output += chunk
    if (step.stopWhen?.test(output)) controller.abort()
    return true
  }
  const code = await run(step.args, { cwd: dir, env, signal: controller.signal, stdout: { write }, stderr: { write, isTTY: false } })
  return { output, code }
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg}"`
}

/** What differs between machines and runs, replaced by a placeholder. */
export function normalise(text: string, dir: string): string {
  return (
    text
      .split(dir)
      .join('<project>')
      .replace(/\b\d+(\.\d+)? s\b/g, '<t> s')
      .replace(/\b\d+ KB\b/g, '<n> KB')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/v\d+\.\d+\.\d+ \(/g, 'v<node> (')
      .replace(/ on [a-z0-9]+ [a-z0-9_]+\n/, ' on <platform>\n')
      // The browser: which one, its version and mode, and why, differ by machine and ORTUG_BROWSER.
      .replace(/^(ok|FAIL) {2,}browser: .*\n(( {8}).*\n)*/m, '$1    browser: <browser>\n')
      // Progress lines ("[3/8] kota-contoh / …") interleave differently with either browser.
      .replace(/^\[\d+\/\d+\] .*\n/gm, '')
  )
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check')
  const text = await renderTranscript()
  const current = await readFile(TRANSCRIPT, 'utf8').catch(() => '')
  if (text === current) {
    process.stderr.write('docs/first-hour.md is up to date\n')
    return 0
  }
  if (check) {
    process.stderr.write('docs/first-hour.md is out of date: run "node --import tsx scripts/transcript.ts" and commit it\n')
    return 1
  }
  await writeFile(TRANSCRIPT, text)
  process.stderr.write('wrote docs/first-hour.md\n')
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2))
