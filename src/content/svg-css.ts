// CSS inside an SVG logo (its <style> and every attribute, since presentation attributes are CSS
// values) and the URLs it may name. Escapes are decoded and comments removed before looking, so
// "u\72l(", "\75rl(" and "ur/**/l(" cannot hide a url(). Pure: text in, a problem or nothing.

/** What a reference may point at: the logo's own parts, or (for <image>) an embedded raster image. */
const RE_FRAGMENT = /^#[^\s]*$/
const RE_RASTER_DATA = /^data:image\/(png|jpeg|webp)[;,]/i
/** Functions that load something, or run code (old IE). url() and src() are checked for their argument. */
const LOADING_FUNCTIONS = new Set([
  'image',
  'image-set',
  '-webkit-image-set',
  'cross-fade',
  '-webkit-cross-fade',
  'element',
  '-moz-element',
  'paint',
  'expression',
])
/** At-rules a logo's stylesheet may use; @import and @font-face load files, others have no place in a logo. */
const AT_RULES = new Set(['media', 'keyframes', '-webkit-keyframes', 'supports', 'charset'])
const RE_FUNCTION = /(-?[a-z_][a-z0-9_-]*)\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))/g
const RE_AT_RULE = /@(-?[a-z_][a-z0-9_-]*)/g
/** A script address is no paint or length anywhere; refused wherever it is written. */
const RE_SCRIPT_URL = /(java|vb)script\s*:/
/** An outside address anywhere in a value: no paint, length or animation value needs one. */
const RE_ADDRESS = /[a-z][a-z0-9+.-]*:\/\/[^\s"')]*/
/** Properties that bind code (IE behaviours, Firefox XBL). */
const RE_CODE_PROPERTY = /(^|[;{\s])(behavior|-moz-binding)\s*:/

/** Why a URL in an href (`where`: which attribute of which element) may not be in a logo, or undefined. */
export function findReferenceProblem(value: string, allowImage: boolean, where: string): string | undefined {
  const url = value.trim()
  if (RE_FRAGMENT.test(url) && url.length > 1) return undefined
  if (allowImage && RE_RASTER_DATA.test(url)) return undefined
  const allowed = allowImage ? 'its own parts (#id) and embedded PNG, JPEG or WebP images (data:image/…)' : 'its own parts (#id)'
  return `refers to "${clip(url)}" (${where}); a logo may refer only to ${allowed}`
}

/** Why this CSS (a stylesheet or an attribute value) may not be in a logo, or undefined. */
export function findCssProblem(css: string): string | undefined {
  const text = decodeCssEscapes(css.replace(/\/\*[\s\S]*?(\*\/|$)/g, '')).toLowerCase()
  for (const [, name = ''] of text.matchAll(RE_AT_RULE)) {
    if (name === 'import') return 'imports a stylesheet (@import)'
    if (!AT_RULES.has(name)) return `uses the at-rule @${name}, which a logo's style may not have (only ${[...AT_RULES].map((r) => `@${r}`).join(', ')})`
  }
  if (RE_CODE_PROPERTY.test(text)) return 'binds code to its elements (behavior or -moz-binding)'
  if (RE_SCRIPT_URL.test(text)) return 'holds a script address (javascript: or vbscript:)'
  for (const [, name = '', double, single, bare] of text.matchAll(RE_FUNCTION)) {
    if (LOADING_FUNCTIONS.has(name)) return `uses ${name}(), which can load an image or run code`
    if (name !== 'url' && name !== 'src') continue
    const url = (double ?? single ?? bare ?? '').trim()
    if (!(RE_FRAGMENT.test(url) && url.length > 1) && !RE_RASTER_DATA.test(url)) {
      return `refers to "${clip(url)}" (${name}(…)); a logo may refer only to its own parts (#id) and embedded PNG, JPEG or WebP images`
    }
  }
  const address = RE_ADDRESS.exec(text)
  if (address) return `holds an outside address ("${clip(address[0])}"); a logo may refer only to its own parts (#id)`
  return undefined
}

/** CSS escapes as the CSS Syntax spec reads them: "\\72 " and "\\000072" are "r", "\\r" is "r", an escaped newline is nothing. */
export function decodeCssEscapes(text: string): string {
  return text.replace(/\\(?:([0-9a-fA-F]{1,6})(\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|([\s\S]))/g, (_, hex, _space, newline, char) => {
    if (hex !== undefined) {
      const code = Number.parseInt(hex, 16)
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code)
    }
    if (newline !== undefined) return ''
    return char ?? ''
  })
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}
