import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { BROWSER_KIND_ENV, describeBrowser, hasBundledChromium, INSTALL_HINT, launchBrowser, resolveBrowser } from '../browser/launch.ts'
import { resolveOutDir } from '../output/out-dir.ts'
import { build } from '../pipeline/build.ts'
import { loadProject } from '../pipeline/project.ts'
import { FONT_FACES, resolveFontFiles } from '../render/theme.ts'
import { codeOf } from '../shared/disk.ts'
import { collectErrors, ERROR_CODES, type ErrorKind, fail, OrtugError } from '../shared/error.ts'
import { createLogger } from '../shared/log.ts'
import { VERSION } from '../shared/version.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'
import { BROWSER_PATH_OPTION, TIMEOUT_OPTION } from './options.ts'
import { timeoutSeconds } from './values.ts'

// `ortug doctor`: what a trainer pastes into a support request. Each check says what it found
// and, when something is missing, what to do; the smoke build proves the whole path once.

export interface DoctorCheck {
  name: string
  ok: boolean
  /** What was found, one line. */
  found: string
  /** Further lines: why this browser, what to do. */
  details: string[]
  /** The exit code's kind when the check failed. */
  kind?: ErrorKind
}

export interface DoctorOptions {
  root: string
  outDir: string
  browserPath?: string
  env: NodeJS.ProcessEnv
  timeoutMs: number
  /** The office of the smoke build (default: the first one). */
  office?: string
}

const MIN_NODE = [20, 19] as const

export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const checks = [checkNode(process.versions.node), await checkBrowser(options), await checkFonts(), await checkOutput(options.outDir)]
  const content = await checkContent(options)
  checks.push(content.check)
  const browserOk = checks[1]?.ok === true
  if (browserOk && content.office && content.essay) checks.push(await smokeBuild(options, content.office, content.essay))
  else
    checks.push({
      name: 'smoke build',
      ok: false,
      found: 'skipped',
      details: ['needs a browser and at least one valid office and essay'],
      kind: browserOk ? 'CONTENT' : 'ENVIRONMENT',
    })
  return checks
}

/** "ok    browser: …" lines, then the details indented: plain text for a support request. */
export function formatDoctor(checks: readonly DoctorCheck[], platform = `${process.platform} ${process.arch}`): string {
  const lines = [`ortug ${VERSION} doctor, on ${platform}`]
  for (const check of checks) {
    lines.push(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.found}`)
    for (const detail of check.details) lines.push(`        ${detail}`)
  }
  const failed = checks.filter((c) => !c.ok)
  lines.push(failed.length === 0 ? 'Everything ortug needs is here.' : `${failed.length} problem(s): see FAIL above.`)
  return `${lines.join('\n')}\n`
}

export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  const failed = checks.filter((c) => !c.ok)
  if (failed.length === 0) return 0
  // The environment outranks content: fixing an office does not help while the browser is missing.
  return failed.some((c) => c.kind !== 'CONTENT') ? ERROR_CODES.ENVIRONMENT : ERROR_CODES.CONTENT
}

function checkNode(version: string): DoctorCheck {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
  const needed = `${MIN_NODE[0]}.${MIN_NODE[1]} or newer`
  return { name: 'Node.js', ok, found: `v${version} (${needed} needed)`, details: ok ? [] : [`install Node.js ${needed}`], kind: 'ENVIRONMENT' }
}

async function checkBrowser({ browserPath, env, timeoutMs }: DoctorOptions): Promise<DoctorCheck> {
  const order = `order: --browser-path, CHROME_PATH, installed Chrome/Chromium/Edge, npm-shipped Chromium (${hasBundledChromium() ? 'available here' : 'Linux x64 only'})`
  const forced = env[BROWSER_KIND_ENV] ? [`${BROWSER_KIND_ENV}=${env[BROWSER_KIND_ENV]} is set`] : []
  try {
    const choice = await resolveBrowser(browserPath, env)
    const launched = await launchBrowser(choice, timeoutMs)
    try {
      const mode =
        choice.headless === 'new'
          ? 'new headless mode: pages print in background tabs, screenshots in a window of their own'
          : 'old headless mode (headless shell)'
      return { name: 'browser', ok: true, found: describeBrowser(choice, launched.version), details: [`why: ${choice.reason}`, mode, order, ...forced] }
    } finally {
      await launched.close()
    }
  } catch (error) {
    const message = error instanceof OrtugError ? error.message : String(error)
    return {
      name: 'browser',
      ok: false,
      found: 'none usable',
      details: [message, order, ...forced, ...(message.includes(INSTALL_HINT) ? [] : [INSTALL_HINT])],
      kind: 'ENVIRONMENT',
    }
  }
}

async function checkFonts(): Promise<DoctorCheck> {
  try {
    const files = resolveFontFiles()
    const sizes = await Promise.all(files.map(async (file) => (await readFile(file)).byteLength))
    const families = [...new Set(FONT_FACES.map((f) => f.family))]
    const kb = Math.round(sizes.reduce((a, b) => a + b, 0) / 1024)
    return { name: 'fonts', ok: true, found: `${families.join(', ')}: ${files.length} files, ${kb} KB, inlined into every output`, details: [] }
  } catch (error) {
    return {
      name: 'fonts',
      ok: false,
      found: 'missing',
      details: [error instanceof Error ? error.message : String(error), 'run "npm install" again in the ortug folder'],
      kind: 'ENVIRONMENT',
    }
  }
}

/** Writes and removes a probe file; a folder made for the probe is removed again. */
async function checkOutput(outDir: string): Promise<DoctorCheck> {
  const existed = await stat(outDir).then(
    () => true,
    () => false,
  )
  const probe = path.join(outDir, `.ortug-doctor-${process.pid}`)
  try {
    await mkdir(outDir, { recursive: true })
    await writeFile(probe, 'ortug doctor')
    await rm(probe, { force: true })
    if (!existed) await rmdir(outDir).catch(() => undefined)
    return { name: 'output folder', ok: true, found: `${outDir} is writable`, details: [] }
  } catch (error) {
    const code = codeOf(error)
    return {
      name: 'output folder',
      ok: false,
      found: `${outDir} is not writable (${code})`,
      details: ['choose another folder with --out, or fix its permissions'],
      kind: 'ENVIRONMENT',
    }
  }
}

async function checkContent({ root, office }: DoctorOptions): Promise<{ check: DoctorCheck; office?: string; essay?: string }> {
  try {
    const project = await loadProject(root)
    const offices = project.offices.map((o) => o.office.id)
    const chosen = office ?? offices[0]
    const essay = project.essays[0]?.essay.slug
    const problems = project.problems.length
    const found = `${project.essays.length} essay(s), ${offices.length} office(s)${problems > 0 ? `, ${problems} problem(s)` : ''} in ${root}`
    const details = problems > 0 ? [`run "ortug check" to see them with file:line:column`] : []
    if (office && !offices.includes(office)) return { check: { name: 'content', ok: false, found, details: [`no valid office "${office}"`], kind: 'CONTENT' } }
    return { check: { name: 'content', ok: problems === 0, found, details, kind: 'CONTENT' }, office: chosen, essay }
  } catch (error) {
    const messages = collectErrors(error).map((e) => e.format())
    return { check: { name: 'content', ok: false, found: `cannot load ${root}`, details: messages, kind: 'CONTENT' } }
  }
}

/** One office, one essay, Markdown, HTML and PDF into a temp folder that is removed again. */
async function smokeBuild(options: DoctorOptions, office: string, essay: string): Promise<DoctorCheck> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'ortug-doctor-'))
  const name = 'smoke build'
  try {
    const result = await build({
      root: options.root,
      outDir,
      formats: ['md', 'html', 'pdf'],
      offices: [office],
      essays: [essay],
      browserPath: options.browserPath,
      env: options.env,
      timeoutMs: options.timeoutMs,
      jobs: 1,
      force: true,
      logger: createLogger({ quiet: true }),
    })
    const found = `${office} / ${essay} (md, html, pdf)`
    if (result.failures.length > 0) {
      const kind = result.failures.some((f) => f.kind !== 'CONTENT') ? 'ENVIRONMENT' : 'CONTENT'
      return { name, ok: false, found: `${found} failed`, details: result.failures.map((f) => f.format()), kind }
    }
    return { name, ok: true, found: `${found} in ${result.seconds.toFixed(1)} s`, details: [] }
  } catch (error) {
    const errors = error instanceof OrtugError ? collectErrors(error) : [new OrtugError('ENVIRONMENT', String(error))]
    return { name, ok: false, found: `${office} / ${essay} failed`, details: errors.map((e) => e.format()), kind: errors[0]?.kind ?? 'ENVIRONMENT' }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

// --- the command ---

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'Check the browser (which one and why), Node, fonts and the output folder, then build one office as a smoke test.',
  usage: '[options]',
  options: {
    out: { type: 'string', value: 'dir', description: 'the output folder to check for writing', default: 'dist' },
    office: { type: 'string', value: 'id', description: 'the office of the smoke build', default: 'the first office' },
    ...TIMEOUT_OPTION,
    ...BROWSER_PATH_OPTION,
    ...COMMON_OPTIONS,
  },
  notes: ['The report goes to stdout, ready to paste into a support request. Exit codes: 0 all well, 1 content, 2 usage, 3 environment.'],
  examples: [
    { what: 'everything, as text', command: 'ortug doctor' },
    { what: 'the browser it found, for a script', command: `ortug doctor --json | jq '.checks[] | select(.name == "browser")'` },
  ],
  async run({ values, cwd, env, stdout }) {
    const timeoutMs = timeoutSeconds(values.timeout) * 1000
    if (values.office !== undefined) await verifyOfficeExists(cwd, values.office)
    const checks = await runDoctor({
      root: cwd,
      outDir: resolveOutDir(values.out ?? 'dist', cwd),
      office: values.office,
      browserPath: values['browser-path'],
      env,
      timeoutMs,
    })
    const code = doctorExitCode(checks)
    const report = { ok: code === 0, version: VERSION, platform: process.platform, arch: process.arch, checks }
    stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatDoctor(checks))
    return code
  },
})

/** `--office nope` is wrong usage (exit 2), as for build and check; an office whose file is invalid is the content check's. */
async function verifyOfficeExists(root: string, office: string): Promise<void> {
  const files = await readdir(path.join(root, 'content', 'offices')).catch(() => undefined)
  if (!files) return
  const ids = files.filter((f) => /^(?!_).*\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ''))
  if (!ids.includes(office)) fail('USAGE', `--office: unknown "${office}"; available: ${ids.join(', ') || '(none)'}`)
}
