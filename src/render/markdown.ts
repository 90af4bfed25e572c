import Handlebars from 'handlebars'
import { formatMinutes } from '../plan/plan.ts'
import { fail } from '../shared/error.ts'
import { ICON_HELP, iconDataUri, iconExists } from '../shared/icons.ts'
import { LAYOUTS } from '../shared/schema.ts'
import type { Deck, DeckTemplates, TemplateSource } from '../shared/types.ts'
import { qrCodeDataUri } from './qr.ts'
import { typesetFields } from './typeset.ts'

export type RenderMarkdown = (deck: Deck) => string

const RE_MARKDOWN_SPECIAL = /[!-/:-@[-`{-~]/g
const RE_MARKDOWN_ESCAPED = /\\([!-/:-@[-`{-~])/g

/**
 * Backslash-escapes every ASCII punctuation character (CommonMark allows all of them), so data
 * can never become Markdown, HTML, a Marp directive, a slide break, a link or an emoji shortcode.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim().replace(RE_MARKDOWN_SPECIAL, '\\$&'))
    .join('\n')
}

export function unescapeMarkdown(text: string): string {
  return text.replace(RE_MARKDOWN_ESCAPED, '$1')
}

/** Text inside an HTML comment (Marp presenter notes): only "-->" could end it early. */
export function escapeComment(text: string): string {
  return text.replace(/--(!?)>/g, '-\u200b-$1>').replace(/<!--/g, '<!-\u200b-')
}

const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember']
const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu']

/** "2027-01-11" → "Senin, 11 Januari 2027". */
export function formatDateIndonesian(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`)
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`
}

/**
 * compileDeckTemplates, once for each distinct set of templates (files and texts): offices
 * without overrides of their own share one compiled set instead of compiling it again.
 */
export function deckTemplateCompiler(): (templates: DeckTemplates) => RenderMarkdown {
  const compiled = new Map<string, RenderMarkdown>()
  return (templates) => {
    const sources = [templates.deck, ...LAYOUTS.map((name) => templates.layouts[name])]
    const key = JSON.stringify(sources.map(({ file, text }) => [file, text]))
    let render = compiled.get(key)
    if (!render) {
      render = compileDeckTemplates(templates)
      compiled.set(key, render)
    }
    return render
  }
}

/**
 * Compiles the deck template and layout partials once; the returned function fills them for a
 * deck. Strict mode makes a missing field an error naming the template and the field.
 */
export function compileDeckTemplates(templates: DeckTemplates): RenderMarkdown {
  const hb = Handlebars.create()
  hb.registerHelper('yaml', (value: unknown) => JSON.stringify(unescapeMarkdown(String(value ?? ''))))
  hb.registerHelper('yamlMarkdown', (value: unknown) => JSON.stringify(String(value ?? '')))
  const options = { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers: { yaml: true, yamlMarkdown: true } }
  const compile = (source: TemplateSource) => {
    try {
      // Handlebars compiles on first use: precompiling now reports a syntax error in this file.
      hb.precompile(source.text, options)
      // Values are escaped for Markdown before they reach the template (viewModel), so
      // Handlebars' own HTML escaping would only add entities.
      return hb.compile(source.text, options)
    } catch (error) {
      fail('CONTENT', `template ${source.file}: ${messageOf(error)}`, { location: { file: source.file }, cause: error })
    }
  }
  // A failure inside a layout is that layout's, whichever template included it.
  const failedIn = new WeakMap<object, TemplateSource>()
  const partials = Object.fromEntries(
    LAYOUTS.map((name) => {
      const source = templates.layouts[name]
      const template = compile(source)
      const partial: Handlebars.TemplateDelegate = (context, runtime) => {
        try {
          return template(context, runtime)
        } catch (error) {
          if (error instanceof Object && !failedIn.has(error)) failedIn.set(error, source)
          throw error
        }
      }
      return [name, partial]
    }),
  )
  const deckTemplate = compile(templates.deck)
  return (deck) => {
    const view = viewModel(deck)
    try {
      return deckTemplate(view, { partials })
    } catch (error) {
      const file = (error instanceof Object && failedIn.get(error)?.file) || templates.deck.file
      fail('CONTENT', `template ${file} failed for office "${deck.office.id}", essay "${deck.essay.slug}": ${messageOf(error)}`, {
        location: { file },
        cause: error,
      })
    }
  }
}

/** The data templates see: every string escaped for Markdown, notes escaped for an HTML comment. */
function viewModel({ office, essay, slides }: Deck) {
  const session = office.session
  const sessionLine = [session?.date && formatDateIndonesian(session.date), session?.venue].filter(Boolean).join(' · ')
  const contact = office.contact
  const plain = {
    aspect: office.aspect,
    description: `${essay.meta.title} — ${office.name}`,
    footer: office.name,
    essay: { title: essay.meta.title, subtitle: essay.meta.subtitle ?? null, author: essay.meta.author, lang: essay.meta.lang },
    office: { id: office.id, name: office.name, region: office.region, level: office.level },
    session: { line: sessionLine || null, trainers: session?.trainers?.join(', ') || null, venue: session?.venue ?? null },
    contactLines: [contact?.email, contact?.phone, contact?.website].filter((v): v is string => Boolean(v)),
  }
  const slidesView = slides.map((slide, index) => ({
    ...escapeDeep(typesetFields(slide.fields)),
    layout: slide.layout,
    number: index + 1,
    classes: slideClasses(slide, index),
    footer: slide.fields.part ? escapeMarkdown(`${office.name} · ${slide.fields.part.heading}`) : null,
    notes: escapeComment(notesText(slide, index, slides.length)),
  }))
  return {
    ...escapeDeep(plain),
    iconStyles: iconStyles(slides, office.id),
    // Validated as #rrggbb, and data: URIs built by ortug (base64): none of it is user prose.
    office: { ...escapeDeep(plain.office), colors: office.colors, logo: office.logo ?? null, qr: contact?.website ? qrCodeDataUri(contact.website) : null },
    slides: slidesView,
  }
}

/**
 * The classes a layout adds to its own: "band" (an acronym's letters in a row), "dense", "balanced" and "grow-N" (set by the fit check),
 * "discussion" and "minutes-N" (the planned minutes, for the presenter view), "icons-N" (a grid's
 * icons, see iconStyles). Starts with a space when not empty. Only ortug's words and numbers.
 */
function slideClasses(slide: Deck['slides'][number], index: number): string {
  const classes: string[] = []
  const grow = slide.fields.grow
  if (slide.fields.band) classes.push('band')
  if (slide.fields.dense) classes.push('dense')
  if (slide.fields.balanced || grow > 0) classes.push('balanced')
  if (grow > 0) classes.push(`grow-${grow}`)
  if (slide.layout === 'question') classes.push('discussion')
  if (slide.minutes) classes.push(`minutes-${slide.minutes}`)
  if (slide.layout === 'grid') classes.push(`icons-${index + 1}`)
  return classes.map((c) => ` ${c}`).join('')
}

/** One CSS rule per grid item with an icon: the icon, white on the office colour's disc, as a data: URI (Marp's Markdown refuses SVG images). */
function iconStyles(slides: Deck['slides'], officeId: string): string[] {
  return slides.flatMap((slide, index) => {
    if (slide.layout !== 'grid') return []
    return slide.fields.items.flatMap((item, i) => {
      if (!item.icon) return []
      if (!iconExists(item.icon)) fail('CONTENT', `office "${officeId}", slide ${index + 1}: unknown icon "${item.icon}"; ${ICON_HELP}`)
      return [
        `section.icons-${index + 1} li:nth-child(${i + 1})::before { background-image: url("${iconDataUri(item.icon, '#ffffff')}"); background-size: 56%; color: transparent; }`,
      ]
    })
  })
}

/**
 * Where the slide sits, for the presenter, then the notes. The first line never holds a colon
 * (nor user text), which keeps Marp from reading the notes as directives.
 */
export function notesText(slide: Deck['slides'][number], index: number, total: number): string {
  const where = [`Slide ${index + 1} dari ${total}`]
  if (slide.part)
    where.push(`Bagian ${slide.part.index} dari ${slide.part.total}${slide.part.minutes ? ` (rencana ${formatMinutes(slide.part.minutes)} menit)` : ''}`)
  if (slide.minutes) where.push(`slide ini ${formatMinutes(slide.minutes)} menit`)
  return [where.join(' · '), ...slide.notes].join('\n\n')
}

/** Every string of a template's data, at any depth, escaped for Markdown. */
function escapeDeep(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, escapeValue(inner)]))
}

function escapeValue(value: unknown): unknown {
  if (typeof value === 'string') return escapeMarkdown(value)
  if (Array.isArray(value)) return value.map(escapeValue)
  if (value && typeof value === 'object') return escapeDeep(value)
  return value
}

/** What Handlebars threw, for the message that names the template. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
