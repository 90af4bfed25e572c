import { HOUSE_COLORS } from '../src/shared/schema.ts'
import type { Office } from '../src/shared/types.ts'

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
