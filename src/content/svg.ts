import { SaxesParser, type SaxesTagNS } from 'saxes'
import { LOGO_LIMITS } from '../shared/schema.ts'
import { findCssProblem, findReferenceProblem } from './svg-css.ts'

// What an SVG logo may hold, read by a namespace-aware XML parser (saxes): element and attribute
// names are resolved to their namespace, so `<s:script xmlns:s="…svg">` is a script and
// `x:href` with x bound to XLink is an href, whatever the prefix. Everything is checked against an
// allow-list: SVG drawing elements, their attributes, XLink's href, xml:space and xml:lang, and
// the editor data Inkscape writes (which no browser reads). Pure: text in, a problem or nothing.

export const SVG_FIX = 'export the logo again as plain SVG (e.g. Inkscape "Plain SVG", or "Optimized SVG"), or as PNG'

const NS = {
  svg: 'http://www.w3.org/2000/svg',
  xlink: 'http://www.w3.org/1999/xlink',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const
/** Editor data: Inkscape, Sodipodi and the RDF licence block. Browsers neither draw nor follow it. */
const EDITOR_NAMESPACES = new Set([
  'http://www.inkscape.org/namespaces/inkscape',
  'http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  'http://creativecommons.org/ns#',
  'http://purl.org/dc/elements/1.1/',
])

/**
 * SVG elements a logo may use: shapes, text, paint servers, clipping, masks, filters, and
 * declarative animation. Not: script, foreignObject, a (links), SVG fonts, cursor, color-profile
 * (outside references), iframe/video/audio/canvas, handler/listener, discard.
 */
const SVG_ELEMENTS = new Set(
  (
    'svg g defs desc title metadata symbol use switch view style path rect circle ellipse line polyline polygon text tspan textPath ' +
    'linearGradient radialGradient stop pattern clipPath mask marker image filter ' +
    'feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight ' +
    'feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset ' +
    'fePointLight feSpecularLighting feSpotLight feTile feTurbulence animate animateMotion animateTransform set mpath'
  ).split(' '),
)
/** Elements whose href may be an embedded raster image; every other href must be `#id`. */
const IMAGE_ELEMENTS = new Set(['image', 'feImage'])

/** Attributes (no namespace) of SVG elements: geometry, presentation, filters, animation timing, ARIA and data-*. */
const SVG_ATTRIBUTES = new Set(
  (
    'id class style lang tabindex role version baseProfile width height x y x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathLength ' +
    'viewBox preserveAspectRatio transform gradientTransform gradientUnits patternTransform patternUnits patternContentUnits ' +
    'clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY orient spreadMethod offset ' +
    'filterUnits primitiveUnits filterRes in in2 result mode type values operator k1 k2 k3 k4 order kernelMatrix divisor bias ' +
    'targetX targetY edgeMode kernelUnitLength preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent ' +
    'scale xChannelSelector yChannelSelector stdDeviation dx dy radius baseFrequency numOctaves seed stitchTiles ' +
    'tableValues slope intercept amplitude exponent azimuth elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle ' +
    'rotate textLength lengthAdjust startOffset method spacing side href media title ' +
    'requiredExtensions requiredFeatures systemLanguage externalResourcesRequired zoomAndPan contentScriptType contentStyleType ' +
    'attributeName attributeType begin dur end min max restart repeatCount repeatDur fill calcMode keyTimes keySplines keyPoints ' +
    'from to by additive accumulate path ' +
    'alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation color-interpolation-filters ' +
    'color-profile color-rendering cursor direction display dominant-baseline enable-background fill-opacity fill-rule ' +
    'filter flood-color flood-opacity font font-family font-size font-size-adjust font-stretch font-style font-variant ' +
    'font-weight glyph-orientation-horizontal glyph-orientation-vertical image-rendering kerning letter-spacing ' +
    'lighting-color marker-start marker-mid marker-end mask mask-type opacity overflow paint-order pointer-events shape-rendering ' +
    'stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit ' +
    'stroke-opacity stroke-width text-anchor text-decoration text-rendering transform-origin transform-box unicode-bidi ' +
    'vector-effect visibility word-spacing writing-mode mix-blend-mode isolation solid-color solid-opacity'
  ).split(' '),
)
const RE_OPEN_DATA_ATTRIBUTE = /^(data|aria)-[a-z0-9_.-]+$/i
const RE_EVENT = /^on/i
/** `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/…/svg11.dtd">`, as editors write it; no internal subset. */
const RE_SVG_DOCTYPE = /^\s*svg(\s+PUBLIC\s+"-\/\/W3C\/\/DTD SVG [\w. ]+\/\/EN"(\s+"http:\/\/www\.w3\.org\/[\w./-]+\.dtd")?)?\s*$/

interface SvgElement {
  id?: string
  /** `<use>`: the id it draws. */
  uses?: string
  children: SvgElement[]
}

class SvgRefusal extends Error {}

/**
 * Why this SVG may not be a logo, or undefined. Browsers run no script and load nothing in an
 * SVG shown as an image, but the logo travels into the Markdown and every other output, and opened
 * as a document it would run: anything not on the allow-list is refused rather than stripped, so
 * the logo shown is the file as written. A `<use>` bomb of 2 KB stalls any renderer: bounded too.
 */
export function findSvgProblem(text: string): string | undefined {
  const root: SvgElement = { children: [] }
  const open: SvgElement[] = [root]
  const byId = new Map<string, SvgElement>()
  let count = 0
  let styleText: string[] | undefined
  const parser = new SaxesParser({ xmlns: true, position: true })
  const refuse = (problem: string): never => {
    throw new SvgRefusal(problem)
  }
  parser.on('error', (error) => refuse(`is not well-formed XML (${error.message}); ${SVG_FIX}`))
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) refuse(`declares the encoding "${decl.encoding}"; save it as UTF-8 or ${SVG_FIX}`)
  })
  parser.on('doctype', (doctype) => {
    if (doctype.includes('['))
      refuse(`declares XML entities or other definitions (<!DOCTYPE … [ … ]>), which can expand without limit or add attributes; ${SVG_FIX}`)
    if (!RE_SVG_DOCTYPE.test(doctype)) refuse(`has a <!DOCTYPE${clip(doctype)}> that is not SVG's; remove it or ${SVG_FIX}`)
  })
  parser.on('processinginstruction', (pi) =>
    refuse(`holds a processing instruction (<?${pi.target} …?>), which can load a stylesheet; remove it or ${SVG_FIX}`),
  )
  parser.on('opentag', (tag) => {
    // A stylesheet is the text of its <style>: an element inside would split the text checked below.
    if (styleText) refuse(`holds an element (<${tag.name}>) inside <style>; a stylesheet is text only: ${SVG_FIX}`)
    if (open.length === 1 && (tag.uri !== NS.svg || tag.local !== 'svg')) {
      refuse(`has the root element <${tag.name}>${tag.uri ? ` (namespace ${tag.uri})` : ' without the SVG namespace'}, not <svg xmlns="${NS.svg}">; ${SVG_FIX}`)
    }
    count += 1
    if (count > LOGO_LIMITS.svgElements) refuse(`has more than ${LOGO_LIMITS.svgElements} elements; simplify it or ${SVG_FIX}`)
    const element = verifyElement(tag, byId, refuse)
    ;(open.at(-1) ?? root).children.push(element)
    open.push(element)
    if (open.length > LOGO_LIMITS.svgNesting + 1) refuse(`nests elements more than ${LOGO_LIMITS.svgNesting} deep; ${SVG_FIX}`)
    if (tag.uri === NS.svg && tag.local === 'style') styleText = []
  })
  const onText = (text: string) => styleText?.push(text)
  parser.on('text', onText)
  parser.on('cdata', onText)
  parser.on('closetag', () => {
    open.pop()
    if (styleText) {
      const problem = findCssProblem(styleText.join(''))
      if (problem) refuse(`${problem} (in <style>); ${SVG_FIX}`)
      styleText = undefined
    }
  })
  try {
    parser.write(text).close()
  } catch (error) {
    if (error instanceof SvgRefusal) return error.message
    throw error
  }
  return measureUses(root, byId)
}

/** Checks one element and its attributes against the allow-lists; returns what `<use>` needs. */
function verifyElement(tag: SaxesTagNS, byId: Map<string, SvgElement>, refuse: (problem: string) => never): SvgElement {
  const name = tag.name
  const uri = tag.uri
  const local = tag.local
  if (uri === NS.svg && !SVG_ELEMENTS.has(local)) {
    refuse(`holds a <${name}> element, which a logo may not have (it can run code, show other documents or refer outside the logo); remove it or ${SVG_FIX}`)
  }
  if (uri !== NS.svg && !EDITOR_NAMESPACES.has(uri)) {
    refuse(`holds a <${name}> element ${uri ? `of the namespace ${uri}` : 'outside any namespace'}; a logo may hold SVG elements only: remove it or ${SVG_FIX}`)
  }
  const element: SvgElement = { children: [] }
  for (const attribute of Object.values(tag.attributes)) {
    const where = `${attribute.name} on <${name}>`
    if (RE_EVENT.test(attribute.local)) refuse(`has an event attribute (${where}), which runs code; remove it or ${SVG_FIX}`)
    if (attribute.uri === NS.xmlns || attribute.name === 'xmlns' || EDITOR_NAMESPACES.has(attribute.uri)) continue
    // An editor's element is not drawn: its own attributes are inert, but xml: and XLink ones apply anywhere.
    if (EDITOR_NAMESPACES.has(uri) && attribute.uri !== NS.xml && attribute.uri !== NS.xlink) continue
    const isHref = (attribute.uri === '' && attribute.local === 'href') || (attribute.uri === NS.xlink && attribute.local === 'href')
    const allowed =
      isHref ||
      (attribute.uri === '' && (SVG_ATTRIBUTES.has(attribute.local) || RE_OPEN_DATA_ATTRIBUTE.test(attribute.local))) ||
      (attribute.uri === NS.xlink && attribute.local === 'title') ||
      (attribute.uri === NS.xml && (attribute.local === 'space' || attribute.local === 'lang'))
    if (!allowed) refuse(`has an attribute a logo may not have (${where}${attribute.uri ? `, namespace ${attribute.uri}` : ''}); remove it or ${SVG_FIX}`)
    if (isHref) {
      const problem = findReferenceProblem(attribute.value, IMAGE_ELEMENTS.has(local), where)
      if (problem) refuse(`${problem}; ${SVG_FIX}`)
      if (local === 'use') element.uses = attribute.value.trim().slice(1)
      continue
    }
    if (attribute.local === 'attributeName' && /(^|:)(href|style)$|^on/i.test(attribute.value.trim())) {
      refuse(
        `animates a reference or style (<${name} attributeName="${clip(attribute.value)}">), which can change what the logo refers to; remove the animation or ${SVG_FIX}`,
      )
    }
    // Presentation attributes are CSS values: fill="u\72l(http://…)" is a url().
    const problem = findCssProblem(attribute.value)
    if (problem) refuse(`${problem} (${where}); ${SVG_FIX}`)
    if (attribute.local === 'id') {
      element.id = attribute.value
      byId.set(attribute.value, element)
    }
  }
  return element
}

/** Elements drawn once every `<use>` is expanded, and how deep `<use>` goes: each computed once per element. */
function measureUses(root: SvgElement, byId: Map<string, SvgElement>): string | undefined {
  const drawn = new Map<SvgElement, { elements: number; depth: number }>()
  const visiting = new Set<SvgElement>()
  const limit = `; at most ${LOGO_LIMITS.svgDrawnElements} drawn elements and ${LOGO_LIMITS.svgUseDepth} levels of <use> are allowed: replace the nested <use> with plain shapes or ${SVG_FIX}`
  const measure = (element: SvgElement): { elements: number; depth: number } | string => {
    const known = drawn.get(element)
    if (known) return known
    if (visiting.has(element)) return `has a <use> that draws itself (through "#${element.id ?? element.uses}")`
    visiting.add(element)
    let elements = 1
    let depth = 0
    const target = element.uses === undefined ? undefined : byId.get(element.uses)
    for (const part of [...element.children, ...(target ? [target] : [])]) {
      const inner = measure(part)
      if (typeof inner === 'string') return inner
      elements += inner.elements
      depth = Math.max(depth, part === target ? inner.depth + 1 : inner.depth)
      if (elements > LOGO_LIMITS.svgDrawnElements) return `draws more than ${LOGO_LIMITS.svgDrawnElements} elements once its <use> are expanded${limit}`
      if (depth > LOGO_LIMITS.svgUseDepth) return `nests <use> more than ${LOGO_LIMITS.svgUseDepth} levels deep${limit}`
    }
    visiting.delete(element)
    const result = { elements, depth }
    drawn.set(element, result)
    return result
  }
  const result = measure(root)
  return typeof result === 'string' ? result : undefined
}

export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}
