import { createHash } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib'
import type { Page } from 'puppeteer-core'
import { expect } from 'vitest'
import type { LaunchedBrowser } from '../src/browser/launch.ts'
import { run } from '../src/cli.ts'

export const REPO = fileURLToPath(new URL('..', import.meta.url))
export const FIXTURES = path.join(REPO, 'tests', 'fixtures')
/** A copy of ../shared/seed/ortug-kpu-jabar.txt, so the suite runs from any checkout. */
export const SEED = path.join(FIXTURES, 'seed', 'ortug-kpu-jabar.txt')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the real CLI entry (run()) in `cwd`, capturing its output. */
export async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(args, {
    cwd,
    env,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
  })
  return { code, stdout, stderr }
}

/**
 * Runs the CLI and asserts its exit code before anything reads its outputs, so a failed build
 * shows its own stderr rather than a missing file.
 */
export async function runExpecting(code: number, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  const result = await runCli(args, cwd, env)
  expect(result.code, `ortug ${args.join(' ')} exited ${result.code}; stderr:\n${result.stderr}`).toBe(code)
  return result
}

/** A temp project: the repo's content (or a fixture's), plus extra files written on top. */
export async function makeProject(options: { from?: 'repo' | string; files?: Record<string, string | Buffer>; offices?: string[] } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ortug-test-'))
  const from = options.from ?? 'repo'
  if (from === 'repo') {
    await cp(path.join(REPO, 'content', 'essays'), path.join(dir, 'content', 'essays'), { recursive: true })
    await mkdir(path.join(dir, 'content', 'offices'), { recursive: true })
    await cp(path.join(REPO, 'content', 'offices', '_defaults.yaml'), path.join(dir, 'content', 'offices', '_defaults.yaml'))
    for (const id of options.offices ?? []) {
      await cp(path.join(REPO, 'content', 'offices', `${id}.yaml`), path.join(dir, 'content', 'offices', `${id}.yaml`))
    }
  } else {
    await cp(path.join(FIXTURES, from), dir, { recursive: true })
  }
  for (const [file, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await writeFile(path.join(dir, file), content)
  }
  return dir
}

export async function removeProject(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

export interface PdfFacts {
  pages: number
  /** Text of each page, whitespace collapsed. */
  text: string[]
  info: Record<string, unknown>
  /** Page sizes in PDF points. */
  sizes: { width: number; height: number }[]
  /** Every font descriptor has an embedded font program. */
  fontsEmbedded: boolean
  fontCount: number
  /** Each embedded font's family, without the subset tag: "SourceSans3ExtraLight-Bold" of "AAAAAA+SourceSans3ExtraLight-Bold". */
  fontNames: string[]
  outline: number
  lang?: string
}

/** Whether every font of the PDF is one of the theme's (Source Sans 3, Source Serif 4): no fallback font was used. */
export function inThemeFontsOnly(pdf: Pick<PdfFacts, 'fontNames'>): boolean {
  return pdf.fontNames.every((name) => /^SourceS(ans3|erif4)/.test(name))
}

export async function readPdf(file: string): Promise<PdfFacts> {
  const bytes = new Uint8Array(await readFile(file))
  const { getDocumentProxy, extractText, getMeta } = await import('unpdf')
  const pdf = await getDocumentProxy(bytes.slice())
  const { text } = await extractText(pdf, { mergePages: false })
  const { info } = await getMeta(pdf)
  const sizes = []
  for (let i = 1; i <= pdf.numPages; i++) {
    const [x0, y0, x1, y1] = (await pdf.getPage(i)).view as [number, number, number, number]
    sizes.push({ width: x1 - x0, height: y1 - y0 })
  }
  const doc = await PDFDocument.load(bytes, { updateMetadata: false })
  let fontCount = 0
  let fontsEmbedded = true
  const fontNames = new Set<string>()
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor')) continue
    fontCount++
    fontNames.add(String(object.get(PDFName.of('FontName'))).replace(/^\/([A-Z]{6}\+)?/, ''))
    if (!['FontFile', 'FontFile2', 'FontFile3'].some((key) => object.has(PDFName.of(key)))) fontsEmbedded = false
  }
  const outlines = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict)
  const lang = doc.catalog.get(PDFName.of('Lang'))?.toString()
  return {
    pages: pdf.numPages,
    text: (text as string[]).map((t) => t.replace(/\s+/g, ' ').trim()),
    info: info as Record<string, unknown>,
    sizes,
    fontsEmbedded: fontsEmbedded && fontCount > 0,
    fontCount,
    fontNames: [...fontNames].sort(),
    outline: Number(outlines?.get(PDFName.of('Count'))?.toString() ?? 0),
    lang: lang?.replace(/^\(|\)$/g, ''),
  }
}

/** sha256 of every file under a folder, by relative path: to prove a failed build changed nothing. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) await walk(full)
      else
        out[path.relative(dir, full)] = createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
    }
  }
  await walk(dir)
  return out
}

/** The seed essay's paragraphs: every line after the "Oleh:" line. */
export async function seedParagraphs(): Promise<string[]> {
  const lines = (await readFile(SEED, 'utf8')).split(/\r?\n/).map((l) => l.trim())
  const start = lines.findIndex((l) => l.startsWith('Oleh:'))
  return lines.slice(start + 1).filter(Boolean)
}

/** Presenter notes of a marp-cli bespoke HTML deck, decoded. */
export function htmlNotes(html: string): string[] {
  return [...html.matchAll(/<div class="bespoke-marp-note"[^>]*>([\s\S]*?)<\/div>/g)].map((m) =>
    decodeEntities((m[1] ?? '').replace(/<br\s*\/?>/g, '\n').replace(/<[^>]+>/g, '')),
  )
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&')
}

export interface Recording {
  page: Page
  /** Every request other than the page itself (any query or fragment) and data: URIs; each was blocked. */
  requests: string[]
  /** Console errors and uncaught exceptions of the page. */
  errors: string[]
}

/**
 * Opens `url` in a new tab of the test's browser, recording (and blocking) every request other
 * than the page itself and data: URIs, and every console error, until the page is closed. Waits
 * for the load event and the fonts; `prepare` runs on the new tab before it loads. DESIGN.md: outputs make no network requests when opened.
 */
export async function openRecording(browser: LaunchedBrowser, url: string, prepare?: (page: Page) => Promise<void>): Promise<Recording> {
  const page = await browser.browser.newPage()
  await prepare?.(page)
  const requests: string[] = []
  const errors: string[] = []
  const documentUrl = url.split(/[?#]/)[0]
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    const target = request.url()
    if (target.startsWith('data:') || target.split(/[?#]/)[0] === documentUrl) void request.continue()
    else {
      requests.push(target)
      void request.abort('blockedbyclient')
    }
  })
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(String(error)))
  try {
    await page.goto(url, { waitUntil: 'load' })
    await page.evaluate(() => document.fonts.ready.then(() => undefined))
  } catch (error) {
    await page.close()
    throw error
  }
  return { page, requests, errors }
}
