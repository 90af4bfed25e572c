import { HOUSE_COLORS } from '../src/schema.ts'
import type { Office } from '../src/types.ts'

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
