import { LEVELS } from './schema.ts'

// One order for offices everywhere a person reads a list of them (ortug list, the catalogue,
// manifest.json): Indonesian collation, so "kabupaten-bandung" comes before
// "kabupaten-bandung-barat" (byte order puts "-" before "." and "/" and says the opposite).

const COLLATOR = new Intl.Collator('id')

/** Compares office ids, essay slugs or names in Indonesian collation. */
export function compareText(a: string, b: string): number {
  return COLLATOR.compare(a, b)
}

/** The provinsi first, then kabupaten, then kota (unknown level last), each by name, then id. */
export function compareOffices(a: { id: string; name: string; level?: string }, b: { id: string; name: string; level?: string }): number {
  const rank = (level?: string) => {
    const index = LEVELS.findIndex((known) => known === level)
    return index === -1 ? LEVELS.length : index
  }
  return rank(a.level) - rank(b.level) || compareText(a.name, b.name) || compareText(a.id, b.id)
}

/** manifest.json's order: by office id, then by path inside the office. */
export function compareOutputs(a: { office: string; path: string }, b: { office: string; path: string }): number {
  return compareText(a.office, b.office) || compareText(a.path, b.path)
}
