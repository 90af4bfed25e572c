import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { deriveStoryboard } from '../src/plan/derive.ts'
import { HOUSE_COLORS, LAYOUTS } from '../src/shared/schema.ts'
import type { DeckTemplates, Essay, Office } from '../src/shared/types.ts'

// For unit tests of the pure stages: small inputs made in memory. (helpers.ts loads the whole
// command line, which these tests do not need.)

/** A verified office, as content.ts would hand it on, with `changes` on top. */
export function makeOffice(changes: Partial<Office> = {}): Office {
  return {
    id: 'kota-uji',
    file: 'kota-uji.yaml',
    name: 'KPU Kota Uji',
    region: 'Kota Uji',
    level: 'kota',
    colors: { ...HOUSE_COLORS },
    aspect: '16:9',
    slides: { exclude: [], extra: [] },
    handout: { layout: 'three-up', paper: 'A4' },
    ...changes,
  }
}

const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url))

/** The repository's templates/, as the loader hands them on. */
export async function readRepoTemplates(): Promise<DeckTemplates> {
  const read = async (file: string) => ({ file: `templates/${file}`, text: await readFile(`${TEMPLATES_DIR}${file}`, 'utf8') })
  const layouts = Object.fromEntries(await Promise.all(LAYOUTS.map(async (name) => [name, await read(`layouts/${name}.hbs`)]))) as DeckTemplates['layouts']
  return { deck: await read('deck.hbs'), layouts, handout: await read('handout.hbs') }
}

/** Classes of the layouts' sections (templates/layouts/*.hbs): a data-made class would show here. */
const LAYOUT_CLASSES = [
  'title',
  'agenda',
  'divider',
  'points',
  'acronym',
  'quote',
  'reading',
  'question',
  'closing',
  'contrast',
  'pillars',
  'grid',
  'statement',
]
/** ortug's own classes: a layout's, or one the plan adds (see slideClasses in src/render/markdown.ts); never one from the data. */
export const RE_ORTUG_CLASS = new RegExp(`^(${LAYOUT_CLASSES.join('|')}|dense|band|balanced|grow-\\d|discussion|minutes-\\d+(\\.\\d+)?|icons-\\d+)$`)

/** Every word a derived slide shows (but its layout's own words: "Bukan", a quote's source line) is in its section, in a span. */
export function expectWordsFromSections(essay: Essay): void {
  for (const slide of deriveStoryboard(essay).slides) {
    const section = essay.sections.find((s) => s.id === slide.section)
    if (!section) continue
    const source = [section.heading, ...section.paragraphs].join(' ').toLowerCase()
    const spans = [slide.title, slide.text, slide.quote, ...(slide.points ?? []), ...(slide.items ?? []).map((i) => i.text)]
    spans.push(...(slide.columns ?? []).map((c) => c.text))
    for (const span of spans) if (span) expect(source, `${slide.layout} slide of "${section.id}"`).toContain(span.toLowerCase())
  }
}
