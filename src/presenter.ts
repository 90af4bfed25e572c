import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { fail } from './error.ts'

// What ortug adds to marp-cli's bespoke HTML deck. Bespoke's presenter view speaks English, shows
// the browser's 12-hour clock and draws a blue progress bar, and none of that can be configured:
// ortug adds a script and a style (presenter-client.js, .css) that localise it and add the slide
// timers, and sets each slide's planned minutes on its <section> for them.

/** The client script and style, read once per process. */
export interface PresenterAssets {
  script: string
  css: string
}

const CLIENT_SCRIPT = fileURLToPath(new URL('../src/presenter-client.js', import.meta.url))
const CLIENT_CSS = fileURLToPath(new URL('../src/presenter-client.css', import.meta.url))

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
  /** Each slide's planned minutes, in order; a deck whose slide count differs gets none. */
  minutes?: readonly (number | null | undefined)[]
}

const RE_SECTION_TAG = /<section(?=[\s>])/g

/** marp-cli's HTML deck with ortug's style (and fonts) in the head, its script last and each slide's minutes. Pure. */
export function finishHtmlDeck(html: string, { assets, fontCss, minutes }: HtmlDeckAdditions): string {
  const head = html.indexOf('</head>')
  const body = html.lastIndexOf('</body>')
  if (head < 0 || body < 0) fail('ENVIRONMENT', 'marp-cli wrote an HTML deck without a </head> or a </body>')
  const withMinutes = addMinutes(html.slice(head, body), minutes)
  const style = `<style>${fontCss ?? ''}${assets.css}</style>`
  return `${html.slice(0, head)}${style}${withMinutes}<script>${assets.script}</script>${html.slice(body)}`
}

/**
 * `data-minutes` on each slide's <section>. Marp escapes raw HTML in slide text (html is off), so
 * every `<section` in the body is a slide, in order.
 */
function addMinutes(body: string, minutes: HtmlDeckAdditions['minutes']): string {
  if (!minutes || (body.match(RE_SECTION_TAG)?.length ?? 0) !== minutes.length) return body
  let index = 0
  return body.replace(RE_SECTION_TAG, (tag) => {
    const planned = minutes[index++]
    return planned && planned > 0 ? `${tag} data-minutes="${planned}"` : tag
  })
}
