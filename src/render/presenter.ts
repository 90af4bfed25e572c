import { readFile } from 'node:fs/promises'
import { fail } from '../shared/error.ts'
import { installPath } from '../shared/paths.ts'

// What ortug adds to marp-cli's bespoke HTML deck. Bespoke's presenter view speaks English, shows
// the browser's 12-hour clock and draws a blue progress bar, and none of that can be configured:
// ortug adds a script and a style (presenter-client.js, .css) that localise it and add the slide
// timers, and sets each slide's planned minutes on its <section> for them.

/** The client script and style, read once per process. */
export interface PresenterAssets {
  script: string
  css: string
}

const CLIENT_SCRIPT = installPath('src/render/presenter-client.js')
const CLIENT_CSS = installPath('src/render/presenter-client.css')

let assets: Promise<PresenterAssets> | undefined

export function loadPresenterAssets(): Promise<PresenterAssets> {
  assets ??= Promise.all([readFile(CLIENT_SCRIPT, 'utf8'), readFile(CLIENT_CSS, 'utf8')]).then(([script, css]) => {
    // Inlined in <script> and <style>: a closing tag inside would end them early.
    if (/<\/(script|style)/i.test(script + css)) fail('ENVIRONMENT', `${CLIENT_SCRIPT} or ${CLIENT_CSS} contains a closing </script> or </style> tag`)
    return { script, css }
  })
  return assets
}

export interface HtmlDeckAdditions {
  assets: PresenterAssets
  /** `@font-face` rules, added here rather than run through marp-cli's CSS processing. */
  fontCss?: string
  /** Each slide's timing, in order; a deck whose slide count differs gets none. */
  timings?: readonly SlideTiming[]
}

/** What the timers need of a slide: its planned minutes, shared by the pages of one storyboard slide. */
export interface SlideTiming {
  minutes?: number
  /** The storyboard slide it comes from: its continuation pages count down the same time. */
  source: number
  /** Its notes start with the trainer's cue (after the line saying where it sits): the presenter view sets it apart. */
  cue?: boolean
}

/** Each slide's timing: a continuation page (no minutes of its own) shares its first page's minutes. Pure. */
export function planTimings(slides: readonly { minutes?: number; source: number; cue?: string }[]): SlideTiming[] {
  const bySource = new Map<number, number>()
  for (const slide of slides) if (slide.minutes && !bySource.has(slide.source)) bySource.set(slide.source, slide.minutes)
  return slides.map((slide) => ({ minutes: bySource.get(slide.source), source: slide.source, ...(slide.cue ? { cue: true } : {}) }))
}

const RE_SECTION_TAG = /<section(?=[\s>])/g

/** marp-cli's HTML deck with ortug's style (and fonts) in the head, its script last and each slide's minutes. Pure. */
export function finishHtmlDeck(html: string, { assets, fontCss, timings }: HtmlDeckAdditions): string {
  const head = html.indexOf('</head>')
  const body = html.lastIndexOf('</body>')
  if (head < 0 || body < 0) fail('ENVIRONMENT', 'marp-cli wrote an HTML deck without a </head> or a </body>')
  const withMinutes = addTimings(html.slice(head, body), timings)
  const style = `<style>${fontCss ?? ''}${assets.css}</style>`
  return `${html.slice(0, head)}${style}${withMinutes}<script>${assets.script}</script>${html.slice(body)}`
}

/**
 * `data-minutes` and `data-source` on each timed slide's <section>, `data-cue` on one whose notes open with a cue. Marp escapes raw HTML in slide
 * text (html is off), so every `<section` in the body is a slide, in order.
 */
function addTimings(body: string, timings: HtmlDeckAdditions['timings']): string {
  if (!timings || (body.match(RE_SECTION_TAG)?.length ?? 0) !== timings.length) return body
  let index = 0
  return body.replace(RE_SECTION_TAG, (tag) => {
    const timing = timings[index++]
    if (!timing) return tag
    const { minutes, source, cue } = timing
    const timed = minutes && minutes > 0 ? ` data-minutes="${minutes}" data-source="${source}"` : ''
    return `${tag}${timed}${cue ? ' data-cue=""' : ''}`
  })
}
