import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PDFDocument } from 'pdf-lib'
import { composeTheme, loadFontFaceCss } from '../src/render/theme.ts'
import type { BrowserChoice } from '../src/shared/types.ts'
import { REPO } from './ortug.ts'
import { runCommand } from './process.ts'
import type { RunRecord } from './report.ts'

// Scenario (a): a user scripting marp-cli, one call per deck per format, on ortug's Markdown.

const MARP = path.join(REPO, 'node_modules', '.bin', 'marp')

export interface MarkdownDeck {
  office: string
  /** File name without `.md`, e.g. ortug-kpu-jabar. */
  name: string
  file: string
}

/** The decks ortug wrote with `--format md`: <mdDir>/<office>/<slug>.md. */
export async function listMarkdown(mdDir: string, offices: readonly string[]): Promise<MarkdownDeck[]> {
  const decks: MarkdownDeck[] = []
  for (const office of offices) {
    const files = (await readdir(path.join(mdDir, office))).filter((f) => f.endsWith('.md')).sort()
    if (files.length === 0) throw new Error(`no Markdown for ${office} in ${mdDir}`)
    for (const file of files) decks.push({ office, name: file.slice(0, -'.md'.length), file: path.join(mdDir, office, file) })
  }
  return decks
}

/** The theme ortug composes (templates/theme/ortug.css with the fonts inlined), as one file for --theme-set. */
export async function writeComposedTheme(project: string, file: string): Promise<string> {
  const css = composeTheme(await readFile(path.join(project, 'templates', 'theme', 'ortug.css'), 'utf8'), await loadFontFaceCss())
  await writeFile(file, css)
  return file
}

/**
 * marp-cli's environment: ortug's browser through CHROME_PATH. marp-cli launches with
 * `headless: true` unless PUPPETEER_HEADLESS_MODE is "shell", and adds --no-sandbox itself as root
 * or when CHROME_NO_SANDBOX is set; the npm-shipped Chromium is a headless shell, so ask for both.
 */
export function marpEnv(browser: BrowserChoice): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHROME_PATH: browser.executablePath }
  if (browser.headless === 'shell') Object.assign(env, { PUPPETEER_HEADLESS_MODE: 'shell', CHROME_NO_SANDBOX: '1' })
  return env
}

/** The two marp calls for one deck. The input comes first: --theme-set takes every following non-option word. */
export function marpArgs(deck: MarkdownDeck, theme: string, outDir: string): { html: string[]; pdf: string[] } {
  const out = path.join(outDir, deck.office, deck.name)
  const common = [deck.file, '--no-config-file', '--theme-set', theme]
  return {
    html: [...common, '--template', 'bespoke', '--output', `${out}.html`],
    pdf: [...common, '--pdf', '--output', `${out}.pdf`],
  }
}

/** The loop as a shell user would write it, for the report. */
export function describeMarp(browser: BrowserChoice, theme: string): string {
  const deck = { office: '$office', name: '$slug', file: '$md' }
  const { html, pdf } = marpArgs(deck, path.basename(theme), 'out')
  const env = Object.entries(marpEnv(browser))
    .filter(([key]) => ['CHROME_PATH', 'PUPPETEER_HEADLESS_MODE', 'CHROME_NO_SANDBOX'].includes(key))
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
  return `for each $md in <ortug build --format md>/$office/$slug.md: ${env} marp ${html.join(' ')}; ${env} marp ${pdf.join(' ')}`
}

/** One run of the loop: HTML then PDF for each deck, each a fresh marp process. */
export async function runMarpLoop(label: string, decks: readonly MarkdownDeck[], theme: string, outDir: string, env: NodeJS.ProcessEnv): Promise<RunRecord> {
  const record: RunRecord = { seconds: 0, peakTreeRssBytes: 0, peakProcesses: 0, commands: 0 }
  const started = performance.now()
  for (const deck of decks) {
    await mkdir(path.join(outDir, deck.office), { recursive: true })
    const args = marpArgs(deck, theme, outDir)
    for (const [format, formatArgs] of Object.entries(args)) {
      const result = await runCommand({ label: `${label}: marp ${format} ${deck.office}`, file: MARP, args: formatArgs, cwd: outDir, env })
      record.peakTreeRssBytes = Math.max(record.peakTreeRssBytes, result.peakTreeRssBytes)
      record.peakTreePssBytes = Math.max(record.peakTreePssBytes ?? 0, result.peakTreePssBytes)
      record.peakProcesses = Math.max(record.peakProcesses, result.peakProcesses)
      record.commands++
    }
  }
  record.seconds = (performance.now() - started) / 1000
  return record
}

/** Checks every deck's HTML (with the ortug theme in it) and PDF (a real PDF with pages); returns the total page count. */
export async function verifyMarpOutputs(decks: readonly MarkdownDeck[], outDir: string): Promise<number> {
  let pages = 0
  for (const deck of decks) {
    const base = path.join(outDir, deck.office, deck.name)
    const html = await readFile(`${base}.html`, 'utf8')
    if (!html.includes('Source Sans 3')) throw new Error(`${base}.html does not carry the ortug theme (no "Source Sans 3")`)
    pages += await countPdfPages(`${base}.pdf`)
  }
  return pages
}

/** Pages of a PDF; fails on anything that is not a PDF with at least one page. */
export async function countPdfPages(file: string): Promise<number> {
  const pdf = await readFile(file)
  if (pdf.subarray(0, 5).toString() !== '%PDF-') throw new Error(`${file} is not a PDF`)
  const count = (await PDFDocument.load(pdf)).getPageCount()
  if (count === 0) throw new Error(`${file} has no pages`)
  return count
}
