import { z } from 'zod'
import type { LAYOUTS } from './schema.ts'

// What each layout's template (and the PPTX drawer) reads, per layout. The plan writes every
// field a template may name (strict mode): those a layout does not use are null.

const text = z.string()
const optionalText = z.string().nullable()

/** Every field a layout template may name, empty. */
const blankSlideContent = z.strictObject({
  title: z.null(),
  subtitle: z.null(),
  points: z.null(),
  items: z.null(),
  columns: z.null(),
  quote: z.null(),
  attribution: z.null(),
  question: z.null(),
  text: z.null(),
  /** acronym: the letters in a row with each word under its letter. */
  band: z.literal(false),
})

const plannedItem = z.strictObject({ term: text.optional(), icon: text.optional(), text })
/** `number`: the part's place in the whole agenda, so that a continuation page numbers on. */
const plannedAgendaItem = z.strictObject({ number: z.number(), term: text, text })
const plannedColumn = z.strictObject({ title: text, text: optionalText, points: z.array(text).nullable() })
const heading = { title: text, subtitle: optionalText }
const optionalHeading = { title: optionalText, subtitle: optionalText }

function layoutContent<L extends (typeof LAYOUTS)[number], S extends z.ZodRawShape>(layout: L, shape: S) {
  return z.strictObject({ layout: z.literal(layout), content: blankSlideContent.extend(shape) })
}

/** A layout and what its template shows: the slide's words, split into pages. */
export const slideContentSchema = z.discriminatedUnion('layout', [
  layoutContent('title', heading),
  layoutContent('agenda', { ...heading, items: z.array(plannedAgendaItem) }),
  layoutContent('section', { ...heading, text: optionalText }),
  layoutContent('points', { ...optionalHeading, points: z.array(text) }),
  layoutContent('acronym', { ...optionalHeading, items: z.array(plannedItem), band: z.boolean() }),
  layoutContent('grid', { ...optionalHeading, items: z.array(plannedItem) }),
  layoutContent('contrast', { ...optionalHeading, columns: z.array(plannedColumn) }),
  layoutContent('pillars', { ...optionalHeading, columns: z.array(plannedColumn) }),
  layoutContent('statement', { title: optionalText, text }),
  layoutContent('quote', { title: optionalText, quote: text, attribution: text }),
  layoutContent('question', { title: text, question: text }),
  layoutContent('text', { ...optionalHeading, text }),
  layoutContent('closing', heading),
])

/** What a page of a slide adds to its layout's content: set by the plan and the fit check alike for every layout. */
export const pageStateSchema = z.strictObject({
  /** A continuation page ("(lanjutan)"). */
  continued: z.boolean(),
  dense: z.boolean(),
  grow: z.number(),
  balanced: z.boolean(),
  /** The slide's planned minutes as written ("2,5"), on its first page. */
  minutes: optionalText,
  part: z.object({ index: z.number(), total: z.number(), minutes: z.number().nullable(), heading: text }).nullable(),
})
