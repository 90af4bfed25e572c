import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fail } from '../shared/error.ts'
import type { MarpFormat } from '../shared/formats.ts'
import { marpBatchLimitMs, marpOfficeLimitMs } from '../shared/limits.ts'
import { deferred, TimedOut, withTimeout } from '../shared/tasks.ts'
import { MarpProcess } from './marp-process.ts'
import { finishHtmlDeck, loadPresenterAssets, type SlideTiming } from './presenter.ts'

// Marp Markdown → HTML (marp-cli, bespoke template) and → the inline SVG the browser
// prints (marp-core), both in Marp's own process (marp-worker.mjs); and when each deck is converted.

/**
 * Marp options for every render: no raw HTML, no remote emoji images, no math fonts, and no
 * automatic links (an address in office text stays text; the closing slide's QR code links).
 */
export const MARP_OPTIONS = {
  html: false,
  markdown: { linkify: false },
  emoji: { shortcode: false, unicode: false },
  math: false,
  script: false,
  minifyCSS: true,
} as const

export interface MarkdownDeck {
  /** Output path without extension, relative to the output folder: `<office>/<slug>`. */
  base: string
  markdown: string
  /** Each slide's planned minutes, for the HTML deck's timers. */
  timings?: readonly SlideTiming[]
}

/**
 * Marp in a child process that serves a whole build, started on first use: marp-core renders the
 * slides the browser prints, and marp-cli converts decks to HTML with the bespoke template
 * (presenter view with notes). A child, not this process: Marp's work is synchronous and would
 * stall this process's event loop, and so the browser's printing, while it runs; and marp-cli
 * and marp-core take a second to load, which the child spends while the browser starts.
 */
export interface MarpWorker {
  /** marp-core's inline-SVG render of a deck: one <svg> per slide, and the scoped CSS. */
  render(markdown: string, themeCss: string): Promise<MarpRender>
  /** All `decks` in one marp-cli run, by `base`; marp-cli reads and writes files, in `workDir`. */
  convert(decks: readonly MarkdownDeck[], workDir: string, options: MarpCliOptions): Promise<Map<string, Uint8Array>>
  /** Starts the child now rather than on first use. */
  start(): void
  /** Ends the child; work still under way fails, and the next request starts a new one. */
  close(): void
}

export interface MarpRender {
  html: string
  css: string
}

export interface MarpCliOptions {
  format: MarpFormat
  themeCss: string
  /**
   * `@font-face` rules: added to each HTML file's head after marp-cli, which would otherwise run
   * 100 KB of inlined fonts through Marp's CSS processing for every deck.
   */
  fontCss?: string
}

export function startMarpWorker(signal?: AbortSignal): MarpWorker {
  const marp = new MarpProcess(signal)
  // Conversions one at a time (each reads the stderr since it began); renders go in between.
  let conversions: Promise<unknown> = Promise.resolve()
  return {
    render: (markdown, themeCss) => renderIn(marp, markdown, themeCss),
    convert(decks, workDir, options) {
      const result = conversions.then(() => convertIn(marp, decks, workDir, options))
      conversions = result.catch(() => undefined)
      return result
    },
    start() {
      marp.start()
    },
    close() {
      marp.close()
    },
  }
}

async function renderIn(marp: MarpProcess, markdown: string, themeCss: string): Promise<MarpRender> {
  const reply = await marp.request({ type: 'render', markdown, themeCss, options: MARP_OPTIONS })
  if (reply.html === undefined || reply.css === undefined) fail('ENVIRONMENT', `marp-core failed to render a deck: ${reply.message ?? 'no output'}`)
  return { html: reply.html, css: reply.css }
}

async function convertIn(marp: MarpProcess, decks: readonly MarkdownDeck[], workDir: string, options: MarpCliOptions): Promise<Map<string, Uint8Array>> {
  if (decks.length === 0) return new Map()
  const { argv, outputDir } = await prepareConversion(decks, workDir, options)
  marp.stderr = ''
  const reply = await marp.request({ type: 'convert', argv })
  if (reply.code !== 0) {
    const messages = `${reply.message ?? ''}\n${marp.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').trim()
    fail('ENVIRONMENT', `marp-cli failed to convert the decks to ${options.format.toUpperCase()} (exit ${reply.code}): ${messages.slice(-800)}`)
  }
  return readConversion(decks, outputDir, options)
}

async function prepareConversion(decks: readonly MarkdownDeck[], workDir: string, { format, themeCss, fontCss }: MarpCliOptions) {
  const inputDir = path.join(workDir, 'md')
  const outputDir = path.join(workDir, 'out')
  const themeFile = path.join(workDir, 'ortug.css')
  const configFile = path.join(workDir, 'marp.config.json')
  await mkdir(workDir, { recursive: true })
  await writeFile(themeFile, format === 'html' && fontCss ? themeCss : themeCss + (fontCss ?? ''))
  await writeFile(configFile, JSON.stringify({ options: { emoji: MARP_OPTIONS.emoji, markdown: MARP_OPTIONS.markdown, math: false, minifyCSS: true } }))
  for (const deck of decks) {
    await mkdir(path.dirname(path.join(inputDir, `${deck.base}.md`)), { recursive: true })
    await writeFile(path.join(inputDir, `${deck.base}.md`), deck.markdown)
  }
  const formatArgs = ['--template', 'bespoke', '--bespoke.progress']
  const argv = [
    '--config-file',
    configFile,
    '--input-dir',
    inputDir,
    '--output',
    outputDir,
    ...formatArgs,
    '--theme-set',
    themeFile,
    '--no-html',
    '--no-allow-local-files',
    '--parallel',
    '4',
  ]
  // HTML needs no browser: marp-cli's launcher is never started.
  return { argv, outputDir }
}

async function readConversion(decks: readonly MarkdownDeck[], outputDir: string, { format, fontCss }: MarpCliOptions) {
  const outputs = new Map<string, Uint8Array>()
  const assets = format === 'html' ? await loadPresenterAssets() : undefined
  for (const deck of decks) {
    const bytes = await readFile(path.join(outputDir, `${deck.base}.${format}`))
    const finished = assets ? Buffer.from(finishHtmlDeck(bytes.toString('utf8'), { assets, fontCss, timings: deck.timings })) : bytes
    outputs.set(deck.base, finished)
  }
  return outputs
}

/**
 * A batch's conversions (convertDecks), bounded: once every deck's slides are final they get
 * --timeout more. Past that, or when the batch's conversion fails, Marp's process is restarted
 * and each office is converted alone within --timeout: an office that marp-cli cannot convert in
 * time fails alone (in `failures`); any other failure of an office's conversion is thrown.
 */
export async function convertInTime(
  marp: MarpWorker,
  decks: readonly MarpSource[],
  options: ConvertOptions & { timeoutMs: number },
): Promise<{ outputs: Map<string, Uint8Array>; failures: Map<string, TimedOut> }> {
  const failures = new Map<string, TimedOut>()
  const whole = convertDecks(marp, decks, options)
  whole.catch(() => undefined)
  await Promise.all(decks.map((deck) => deck.fitted))
  const message = (what: string) => (limit: string) => `${what}: did not finish within ${limit} while converting with marp-cli`
  try {
    return { outputs: await withTimeout(whole, marpBatchLimitMs(options.timeoutMs), message('the batch')), failures }
  } catch {
    // The process may be stuck in one office's conversion: a new one converts office by office.
    marp.close()
    await whole.catch(() => undefined)
  }
  const outputs = new Map<string, Uint8Array>()
  const offices = [...new Set(decks.map((deck) => deck.office))].filter((office) => !options.failed(office))
  for (const office of offices) {
    const own = decks.filter((deck) => deck.office === office)
    const converting = convertDecks(marp, own, { ...options, workDir: `${options.workDir}-${office}` })
    try {
      for (const [key, bytes] of await withTimeout(
        converting,
        marpOfficeLimitMs(options.timeoutMs),
        message(own.map((deck) => deck.base.replace('/', ' / ')).join(', ')),
      ))
        outputs.set(key, bytes)
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error
      marp.close()
      await converting.catch(() => undefined)
      failures.set(office, error)
    }
  }
  return { outputs, failures }
}

/** A deck for marp-cli: its Markdown as it stands, and when its slides are final. */
export interface MarpSource {
  /** `<office>/<slug>`. */
  base: string
  office: string
  formats: readonly string[]
  markdown(): string
  /** Each slide's planned minutes, as the slides stand. */
  timings?(): readonly SlideTiming[]
  /** Settles when the fit check has made the slides final. */
  fitted: Promise<void>
}

export interface ConvertOptions {
  workDir: string
  themeCss: string
  fontCss: string
  /** Offices that failed meanwhile: not converted again. */
  failed(office: string): boolean
}

/**
 * HTML for every deck, by `<base>.<format>`. Each deck is converted once, when the fit check has
 * made its slides final: the decks final at that moment go in one marp-cli call while the browser
 * goes on with the others. (Converting every deck at once from the slides as first planned, then
 * again the ones the fit check changed, converted most decks of a cold build twice.)
 */
export async function convertDecks(marp: MarpWorker, decks: readonly MarpSource[], options: ConvertOptions): Promise<Map<string, Uint8Array>> {
  const outputs = new Map<string, Uint8Array>()
  const converted = new Map<MarpSource, string>()
  // marp-cli converts every file of its input folder: what a failed conversion left goes first.
  await rm(options.workDir, { recursive: true, force: true })
  let wave = 0
  const convert = async (group: readonly MarpSource[]) => {
    const sources = group.filter((deck) => !options.failed(deck.office))
    if (sources.length === 0) return
    const markdown = sources.map((deck) => {
      const text = deck.markdown()
      converted.set(deck, text)
      return { base: deck.base, markdown: text, timings: deck.timings?.() }
    })
    const themed = { format: 'html', themeCss: options.themeCss, fontCss: options.fontCss } as const
    const rendered = await marp.convert(markdown, path.join(options.workDir, `html-${++wave}`), themed)
    for (const [base, bytes] of rendered) outputs.set(`${base}.html`, bytes)
  }
  const html = decks.filter((deck) => deck.formats.includes('html'))
  for await (const group of onceFitted(html)) await convert(group)
  // A deck whose slides changed after it was reported fitted is converted again: never an HTML deck older than its slides.
  await convert(html.filter((deck) => converted.has(deck) && converted.get(deck) !== deck.markdown()))
  await rm(options.workDir, { recursive: true, force: true })
  return outputs
}

/** The decks in groups, each group as soon as the decks in it are fitted: every deck once. */
async function* onceFitted(decks: readonly MarpSource[]): AsyncGenerator<MarpSource[]> {
  const ready: MarpSource[] = []
  let wake = deferred()
  for (const deck of decks) {
    const onReady = () => {
      ready.push(deck)
      wake.resolve()
    }
    deck.fitted.then(onReady, onReady)
  }
  for (let left = decks.length; left > 0; ) {
    await wake.promise
    wake = deferred()
    const group = ready.splice(0)
    left -= group.length
    yield group
  }
}
