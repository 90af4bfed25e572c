import { z } from 'zod'

/** The limits README states; `ortug check` and `ortug build` apply them alike (both load the project). */
export const LOGO_LIMITS = {
  bytes: 2 * 1024 * 1024,
  /** Pixels a side of a PNG, JPEG or WebP logo: shown at 120 px, 4096 is ample for print. */
  pixels: 4096,
  /** Elements written in an SVG logo. */
  svgElements: 5000,
  /** Elements an SVG draws once every `<use>` is expanded: a few nested `<use>` can draw billions. */
  svgDrawnElements: 20000,
  /** `<use>` of a `<use>` of a `<use>` ...: logos need two or three. */
  svgUseDepth: 6,
  /** Elements inside elements. */
  svgNesting: 100,
} as const

// The single source of truth for what users may write: types, validation and the published
// JSON Schemas (scripts/schema.ts) all come from here.

export const LAYOUTS = [
  'title',
  'agenda',
  'section',
  'points',
  'acronym',
  'quote',
  'text',
  'question',
  'closing',
  'contrast',
  'pillars',
  'grid',
  'statement',
] as const
export const LEVELS = ['provinsi', 'kabupaten', 'kota'] as const
export const ASPECTS = ['16:9', '4:3'] as const
/** Participants' handouts (three-up, six-up, notes: the essay, never cues) and the trainer's (each slide, its cue, notes, minutes and time). */
export const HANDOUT_LAYOUTS = ['three-up', 'six-up', 'notes', 'trainer'] as const
export const PAPERS = ['A4', 'F4'] as const

/**
 * KPU's red and gold: the colours of the shipped content/offices/_defaults.yaml, and of ortug's
 * own pages (catalogue, preview) and examples. An office's colours come from its files only.
 */
export const HOUSE_COLORS = { primary: '#8f1d21', accent: '#e0a526' } as const

/** Slides an office may add, and a storyboard may list (long ones still split into continuation slides). */
export const MAX_EXTRA_SLIDES = 50
export const MAX_STORYBOARD_SLIDES = 300

export const RE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/
export const RE_ICON = /^[a-z0-9]+(-[a-z0-9]+)*$/
export const RE_TIME = /^([01]\d|2[0-3]):[0-5]\d$/
export const RE_COLOR = /^#[0-9a-fA-F]{6}$/
export const RE_DATE = /^\d{4}-\d{2}-\d{2}$/
// Line breaks, tabs and other control characters (C0, DEL, C1, Unicode line/paragraph separators).
// Bidirectional overrides (U+202A–202E, U+2066–2069) would let text show reversed.
const RE_SINGLE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/
const RE_MULTI_LINE = /^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/

const line = (max = 200) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(RE_SINGLE_LINE, 'must be one line without control characters')

const paragraph = (max = 4000) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).regex(RE_MULTI_LINE, 'must not contain control characters')

const isoDate = z
  .string()
  .regex(RE_DATE, 'must be a date written YYYY-MM-DD')
  .refine(
    (value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    'is not a real calendar date',
  )

export const sectionRefSchema = z.string().regex(RE_ID, 'must be a section id: lowercase letters, digits and single hyphens')

const slideItem = z.strictObject({
  term: line(12).optional().describe('acronym: the letter or short term.'),
  icon: z.string().regex(RE_ICON, 'must be a Lucide icon name such as "users" or "shield-check"').optional().describe('grid: a Lucide icon name.'),
  text: line(200),
})

const slideFields = z.strictObject({
  layout: z
    .enum(LAYOUTS)
    .describe(
      'Which template in templates/layouts/ draws the slide. title, agenda, closing: generated. section: a divider. points: a heading and bullets. acronym: `items` with `term` (a letter) and `text`, drawn as a band of letters. quote: `quote` in large serif. text: reading text. question: a discussion slide, full-screen, with its `minutes`. contrast: two `columns` side by side ("Bukan …" / "Melainkan …"), each a `title` with `points` or a `text`. pillars: two to four `columns`, each a `title` and a one-line `text`. grid: `items` with an `icon` (a Lucide icon name, https://lucide.dev/icons) and a short `text`. statement: one sentence (`text`), large.',
    ),
  section: sectionRefSchema.optional().describe('Section id: the slide takes the sentences of that section it says as speaker notes.'),
  title: line().optional(),
  subtitle: line().optional(),
  points: z.array(line(300)).min(1, 'must list at least one point').max(100, 'must list at most 100 points').optional(),
  items: z.array(slideItem).min(1, 'must list at least one item').max(100, 'must list at most 100 items').optional(),
  columns: z
    .array(
      z.strictObject({
        title: line(80),
        text: line(240).optional(),
        points: z.array(line(200)).min(1, 'must list at least one point').max(8, 'must list at most 8 points').optional(),
      }),
    )
    .min(2, 'must list at least two columns')
    .max(4, 'must list at most four columns')
    .optional()
    .describe('contrast (two) and pillars (two to four): each column a title, and a text or points.'),
  quote: paragraph(1200).optional(),
  question: paragraph(600).optional(),
  text: paragraph().optional(),
  notes: paragraph(20000)
    .optional()
    .describe('Speaker notes the slide starts with (how to open, what to ask, how to close); the essay sentences the slide says follow them.'),
  minutes: z.number().positive('must be more than 0').max(600, 'must be at most 600').optional(),
})

type SlideFields = z.output<typeof slideFields>
export type SlideParsed = SlideFields

function verifyLayoutFields(slide: SlideFields, ctx: z.RefinementCtx): void {
  const needs: Partial<Record<(typeof LAYOUTS)[number], keyof typeof slide>> = {
    points: 'points',
    acronym: 'items',
    grid: 'items',
    quote: 'quote',
    question: 'question',
    contrast: 'columns',
    pillars: 'columns',
    statement: 'text',
  }
  const field = needs[slide.layout]
  if (field && slide[field] === undefined) {
    ctx.addIssue({ code: 'custom', path: [field], message: `is required for layout "${slide.layout}"` })
  }
  if ((slide.layout === 'text' || slide.layout === 'section') && !slide.text && !slide.section && !slide.title) {
    ctx.addIssue({ code: 'custom', path: ['section'], message: `layout "${slide.layout}" needs a section, a title or a text` })
  }
  slide.items?.forEach((item, index) => {
    if (slide.layout === 'acronym' && !item.term) ctx.addIssue({ code: 'custom', path: ['items', index, 'term'], message: 'is required for layout "acronym"' })
  })
  if (slide.layout === 'contrast' && slide.columns && slide.columns.length !== 2) {
    ctx.addIssue({ code: 'custom', path: ['columns'], message: `must list exactly two columns for layout "contrast" (found ${slide.columns.length})` })
  }
  slide.columns?.forEach((column, index) => {
    if (!column.text && !column.points) ctx.addIssue({ code: 'custom', path: ['columns', index, 'text'], message: 'a column needs a text or points' })
  })
}

export const slideSchema = slideFields.superRefine(verifyLayoutFields)
export const extraSlideSchema = slideFields
  .extend({ after: sectionRefSchema.describe('Section id: the slide goes after the last slide of that section.') })
  .superRefine(verifyLayoutFields)

export const storyboardSchema = z
  .strictObject({
    dividers: z.boolean().optional().describe('true: a divider slide ("Bagian 2 dari 6 · 20 menit") before the first slide of each part of the agenda.'),
    slides: z.array(slideSchema).min(1, 'must list at least one slide').max(MAX_STORYBOARD_SLIDES, `must list at most ${MAX_STORYBOARD_SLIDES} slides`),
  })
  .meta({ title: 'ortug storyboard', description: 'content/essays/<slug>.deck.yaml: the slides of one essay, in order.' })

export const essayMetaSchema = z
  .strictObject({
    title: line(),
    subtitle: line().optional(),
    author: line(),
    date: isoDate.optional(),
    source: line(500).optional(),
    lang: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as "id" or "en"')
      .default('id'),
  })
  .meta({ title: 'ortug essay front matter', description: 'The "---" block at the top of content/essays/<slug>.md.' })

const color = z.string().regex(RE_COLOR, `must be a colour written #rrggbb, e.g. "${HOUSE_COLORS.primary}"`)

// Relative to content/, inside assets/, no "." or ".." segments, an image extension. JSON Schema
// patterns have no flags, so upper and lower case extensions are spelt out.
export const RE_LOGO_PATH = /^assets\/([A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*\.(png|PNG|jpg|JPG|jpeg|JPEG|webp|WEBP|svg|SVG)$/
// Printable ASCII only: the QR code's capacity is counted in bytes (write other letters
// percent-encoded or as punycode). The host is dot-separated labels of letters, digits and
// hyphens, at least two of them, so a placeholder such as "https://..." is refused.
const RE_WEBSITE = /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+\.?(:[0-9]{1,5})?([/?#][!-~]*)?$/
/**
 * The closing slide's QR code (error correction M) is 200 px wide: 200 characters need version
 * 10, 57 modules, about 3.5 px each, which phones still read from the back of a room.
 */
export const MAX_WEBSITE_LENGTH = 200
const RE_PHONE = /^\+?[0-9 ()-]{5,24}$/
const WEBSITE_RULE =
  'must be an address starting with http:// or https:// and a host name with a dot, in ASCII characters (percent-encode others), e.g. "https://example.org"'

const officeColors = z
  .strictObject({
    primary: color.describe('Main colour (title, divider and closing slides); white text on it must reach 4.5:1.'),
    accent: color.describe('Highlight colour; on the primary colour it must reach 3:1.'),
  })
  .describe('Office colours, each #rrggbb.')

const officeHandout = z
  .strictObject({
    layout: z.enum(HANDOUT_LAYOUTS).describe("Slides per handout page, slides with the essay (notes), or the trainer's handout with cues and times (trainer)."),
    paper: z.enum(PAPERS).describe('Paper size of the handout PDF.'),
  })
  .describe('Handout PDF options.')

/** An office after `_defaults.yaml` is merged under it: everything a deck needs is present. */
export const officeSchema = z.strictObject({
  name: line(120).describe('Office name as shown on the slides, e.g. "KPU Kota Bandung".'),
  region: line(120).describe('The region the office serves, e.g. "Kota Bandung".'),
  level: z.enum(LEVELS).describe('provinsi, kabupaten or kota.'),
  colors: officeColors,
  logo: z
    .string()
    .regex(
      RE_LOGO_PATH,
      'must be a PNG, JPEG, WebP or SVG file under content/assets/, written like "assets/logos/kota-bandung.png" (no "..", no leading "/", no spaces)',
    )
    .optional()
    .describe(
      `Logo image, relative to content/: "assets/logos/<office-id>.png". At most ${LOGO_LIMITS.bytes / 1024 / 1024} MB; PNG, JPEG and WebP at most ${LOGO_LIMITS.pixels} pixels a side; SVG without scripts, event attributes or references outside the file, at most ${LOGO_LIMITS.svgElements} elements (${LOGO_LIMITS.svgDrawnElements} with <use> expanded).`,
    ),
  session: z
    .strictObject({
      date: isoDate.optional().describe('Date of the session, YYYY-MM-DD.'),
      start: z
        .string()
        .regex(RE_TIME, 'must be a 24-hour time written HH:MM, e.g. "08:30"')
        .optional()
        .describe('Start time (WIB), HH:MM: the agenda shows clock times.'),
      venue: line(120).optional().describe('Where the session takes place.'),
      trainers: z.array(line(120)).max(12, 'must list at most 12 trainers').optional().describe('Names of the trainers, as a list.'),
    })
    .optional()
    .describe('The training session, shown on the title slide. Leave out what is not known.'),
  contact: z
    .strictObject({
      email: z.email('must be an e-mail address such as "info@example.org"').max(254, 'must be at most 254 characters').optional(),
      phone: z.string().regex(RE_PHONE, 'must be a phone number: digits, spaces, +, -, ( )').optional(),
      website: z
        .string()
        .max(MAX_WEBSITE_LENGTH, `must be at most ${MAX_WEBSITE_LENGTH} characters, what the closing slide's QR code can hold; link to a shorter page`)
        .regex(RE_WEBSITE, WEBSITE_RULE)
        .pipe(z.url({ protocol: /^https?$/, error: WEBSITE_RULE }))
        .optional()
        .describe(`An http:// or https:// address of at most ${MAX_WEBSITE_LENGTH} ASCII characters, shown with a QR code on the closing slide.`),
    })
    .optional()
    .describe('Contact shown on the closing slide. Never invent addresses or numbers: leave unknown fields out.'),
  aspect: z.enum(ASPECTS).describe('Slide shape: "16:9" or "4:3".'),
  slides: z
    .strictObject({
      exclude: z.array(sectionRefSchema).default([]).describe('Section ids whose slides this office leaves out.'),
      extra: z
        .array(extraSlideSchema)
        .max(MAX_EXTRA_SLIDES, `must list at most ${MAX_EXTRA_SLIDES} slides`)
        .default([])
        .describe('Slides this office adds, each placed after the last slide of section `after`.'),
    })
    .default({ exclude: [], extra: [] })
    .describe("Changes to the essay's slides for this office."),
  handout: officeHandout,
})

/**
 * What one office file may hold: colours, aspect and handout usually come from
 * `_defaults.yaml`, in whole or in part. The published content/offices/schema.json is this.
 */
export const officeFileSchema = officeSchema
  .extend({
    colors: officeColors.partial().optional().describe('Office colours, each #rrggbb; missing ones come from _defaults.yaml.'),
    aspect: officeSchema.shape.aspect.optional(),
    handout: officeHandout.partial().optional().describe('Handout PDF options; missing ones come from _defaults.yaml.'),
  })
  .meta({ title: 'ortug office', description: 'content/offices/<id>.yaml: one election-commission office. Fields missing here come from _defaults.yaml.' })

export type OfficeParsed = z.output<typeof officeSchema>
