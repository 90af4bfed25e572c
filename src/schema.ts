import { z } from 'zod'

// The single source of truth for what users may write: types, validation and the published
// JSON Schemas (scripts/schema.ts) all come from here.

export const LAYOUTS = ['title', 'agenda', 'section', 'points', 'acronym', 'quote', 'text', 'question', 'closing'] as const
export const LEVELS = ['provinsi', 'kabupaten', 'kota'] as const
export const ASPECTS = ['16:9', '4:3'] as const
export const HANDOUT_LAYOUTS = ['three-up', 'six-up', 'notes'] as const
export const PAPERS = ['A4', 'F4'] as const

export const RE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/
export const RE_COLOR = /^#[0-9a-fA-F]{6}$/
export const RE_DATE = /^\d{4}-\d{2}-\d{2}$/
// Line breaks, tabs and other control characters (C0, DEL, C1, Unicode line/paragraph separators).
const RE_SINGLE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/
const RE_MULTI_LINE = /^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]*$/

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

const slideFields = z.strictObject({
  layout: z.enum(LAYOUTS),
  section: sectionRefSchema.optional(),
  title: line().optional(),
  subtitle: line().optional(),
  points: z.array(line(300)).min(1, 'must list at least one point').max(100).optional(),
  items: z
    .array(z.strictObject({ term: line(12), text: line(200) }))
    .min(1, 'must list at least one item')
    .max(100)
    .optional(),
  quote: paragraph(1200).optional(),
  question: paragraph(600).optional(),
  text: paragraph().optional(),
  notes: paragraph(20000).optional(),
  minutes: z.number().positive('must be more than 0').max(600).optional(),
})

type SlideFields = z.output<typeof slideFields>

function verifyLayoutFields(slide: SlideFields, ctx: z.RefinementCtx): void {
  const needs: Partial<Record<(typeof LAYOUTS)[number], keyof typeof slide>> = {
    points: 'points',
    acronym: 'items',
    quote: 'quote',
    question: 'question',
  }
  const field = needs[slide.layout]
  if (field && slide[field] === undefined) {
    ctx.addIssue({ code: 'custom', path: [field], message: `is required for layout "${slide.layout}"` })
  }
  if ((slide.layout === 'text' || slide.layout === 'section') && !slide.text && !slide.section && !slide.title) {
    ctx.addIssue({ code: 'custom', path: ['section'], message: `layout "${slide.layout}" needs a section, a title or a text` })
  }
}

export const slideSchema = slideFields.superRefine(verifyLayoutFields)
export const extraSlideSchema = slideFields.extend({ after: sectionRefSchema }).superRefine(verifyLayoutFields)

export const storyboardSchema = z.strictObject({
  slides: z.array(slideSchema).min(1, 'must list at least one slide'),
})

export const essayMetaSchema = z.strictObject({
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

const color = z.string().regex(RE_COLOR, 'must be a colour written #rrggbb, e.g. "#8f1d21"')

export const officeSchema = z.strictObject({
  name: line(120),
  region: line(120),
  level: z.enum(LEVELS),
  colors: z.strictObject({ primary: color, accent: color }),
  logo: z.string().min(1).optional(),
  session: z
    .strictObject({
      date: isoDate.optional(),
      venue: line(120).optional(),
      trainers: z.array(line(120)).max(12).optional(),
    })
    .optional(),
  contact: z
    .strictObject({
      email: z.email('must be an e-mail address').optional(),
      phone: z
        .string()
        .regex(/^\+?[0-9 ()-]{5,24}$/, 'must be a phone number: digits, spaces, +, -, ( )')
        .optional(),
      website: z.url({ protocol: /^https?$/, error: 'must be an http(s):// address' }).optional(),
    })
    .optional(),
  aspect: z.enum(ASPECTS),
  slides: z
    .strictObject({
      exclude: z.array(sectionRefSchema).default([]),
      extra: z.array(extraSlideSchema).default([]),
    })
    .default({ exclude: [], extra: [] }),
  handout: z.strictObject({ layout: z.enum(HANDOUT_LAYOUTS), paper: z.enum(PAPERS) }),
})

export type OfficeInput = z.input<typeof officeSchema>
export type OfficeParsed = z.output<typeof officeSchema>
