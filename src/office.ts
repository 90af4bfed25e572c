import { fail, OrtugError, OrtugErrors } from './error.ts'
import { type OfficeParsed, officeSchema, RE_ID } from './schema.ts'
import { verifySchema } from './validate.ts'
import { parseYaml, type YamlSource } from './yaml.ts'

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5
/** WCAG AA for large text (24 px bold, 32 px regular and up). */
export const MIN_CONTRAST_LARGE = 3
const WHITE = '#ffffff'
const FIX = 'See "Office" in DESIGN.md or content/offices/schema.json for the allowed fields.'

export interface OfficeDraft extends Omit<OfficeParsed, 'logo'> {
  id: string
  file: string
  /** As written: a path under content/assets/. */
  logo?: string
}

/** Parses `_defaults.yaml` (any subset of the office fields). */
export function parseDefaults(text: string, file: string): YamlSource {
  const yaml = parseYaml(text, file)
  if (yaml.value !== null && yaml.value !== undefined && !isPlainObject(yaml.value)) {
    fail('CONTENT', 'the defaults must be a mapping of office fields (key: value)', { location: yaml.locate([]) })
  }
  return yaml
}

/**
 * Parses one office file: defaults merged under it (objects deep, lists replaced), then verified
 * against the schema and for readable colours. Pure: text in, OfficeDraft out.
 */
export function parseOffice(text: string, id: string, file: string, defaults?: YamlSource): OfficeDraft {
  if (!RE_ID.test(id)) {
    fail('CONTENT', `office file name "${id}" is not a valid id: use lowercase letters, digits and single hyphens (e.g. "kota-bandung.yaml")`, {
      location: { file },
    })
  }
  const yaml = parseYaml(text.replace(/^\uFEFF/, ''), file)
  if (yaml.value !== null && yaml.value !== undefined && !isPlainObject(yaml.value)) {
    fail('CONTENT', 'an office file must be a mapping of fields (name:, region:, level:, ...)', { location: yaml.locate([]) })
  }
  const merged = mergeDefaults(defaults?.value ?? {}, yaml.value ?? {})
  // A problem in a value that came from the defaults is reported at the defaults file.
  const locate = (path: readonly PropertyKey[]) =>
    defaults && !hasPath(yaml.value, path) && hasPath(defaults.value, path) ? defaults.locate(path) : yaml.locate(path)
  const office = verifySchema(officeSchema, merged, locate, FIX)
  const problems = verifyContrast(office.colors).map((message) => new OrtugError('CONTENT', message, { location: locate(['colors', 'primary']) }))
  if (problems.length > 0) throw new OrtugErrors(problems)
  return { ...office, id, file }
}

/** Objects merge key by key; lists and scalars from the office replace the defaults. */
export function mergeDefaults(defaults: unknown, office: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(office)) return office === undefined ? defaults : office
  const merged: Record<string, unknown> = { ...defaults }
  for (const [key, value] of Object.entries(office)) merged[key] = mergeDefaults(defaults[key], value)
  return merged
}

/**
 * Text on the theme: white on primary (title, divider and closing slides, badges) is normal-size
 * text and needs 4.5:1; accent on primary is only used for large text (subtitles of 32 px and
 * more, bold office name), for which WCAG AA asks 3:1.
 */
export function verifyContrast(colors: { primary: string; accent: string }): string[] {
  const pairs = [
    { label: 'white text', foreground: WHITE, minimum: MIN_CONTRAST, fix: 'choose a darker primary colour' },
    { label: 'accent text (large)', foreground: colors.accent, minimum: MIN_CONTRAST_LARGE, fix: 'choose a lighter accent or a darker primary' },
  ]
  return pairs.flatMap(({ label, foreground, minimum, fix }) => {
    const ratio = contrastRatio(foreground, colors.primary)
    return ratio >= minimum
      ? []
      : [`colors: ${label} ${foreground} on primary ${colors.primary} has contrast ${ratio.toFixed(2)}:1, below the ${minimum}:1 that WCAG AA asks for; ${fix}`]
  })
}

export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (lighter + 0.05) / (darker + 0.05)
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let node = value
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return true
}
