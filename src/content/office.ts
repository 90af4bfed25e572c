import { collectErrors, fail, type Location, OrtugError, OrtugErrors } from '../shared/error.ts'
import { type OfficeParsed, officeSchema, RE_ID } from '../shared/schema.ts'
import type { Essay } from '../shared/types.ts'
import { checkSchema, formatPath, suggest } from './validate.ts'
import { parseYaml, type YamlSource } from './yaml.ts'

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5
/** WCAG AA for large text (24 px bold, 32 px regular and up). */
export const MIN_CONTRAST_LARGE = 3
const WHITE = '#ffffff'
/** What names an office: its own file's, never the defaults'. */
const OWN_FIELDS = new Set(['name', 'region', 'level'])
const FIX = 'See content/offices/schema.json and "How to add an office" in README.md for the allowed fields.'

export interface OfficeDraft extends Omit<OfficeParsed, 'logo'> {
  id: string
  file: string
  /** As written: a path under content/assets/, relative to content/. */
  logo?: string
  /** Where a field is written (office file or _defaults.yaml), for messages about it. */
  locate(path: readonly PropertyKey[]): Location
}

/**
 * Parses `_defaults.yaml` (any subset of the office fields). Its fields are verified as part of
 * each office, at their line in this file.
 */
export function parseDefaults(text: string, file: string): YamlSource {
  const yaml = parseYaml(text.replace(/^\uFEFF/, ''), file)
  if (yaml.value !== null && yaml.value !== undefined && !isPlainObject(yaml.value)) {
    fail('CONTENT', 'the defaults must be a mapping of office fields (colors: ..., aspect: ..., handout: ...), not a list or a single value', {
      location: yaml.locate([]),
    })
  }
  return yaml
}

/**
 * Parses one office file: defaults merged under it (objects deep, lists replaced), then verified
 * against the schema and for readable colours. Every problem of the file is reported at once.
 * Pure: text in, OfficeDraft out.
 */
export function parseOffice(text: string, id: string, file: string, defaults?: YamlSource): OfficeDraft {
  const { office, problems } = checkOffice(text, id, file, defaults)
  if (problems.length > 0 || !office) throw new OrtugErrors(problems)
  return office
}

/** What could be read of an office file even when other fields are wrong: checked further, so one run shows everything. */
export interface OfficeParts {
  /** `slides` as written (not yet verified against the schema). */
  slides: unknown
  /** `logo` when it is a well-formed path. */
  logo?: string
  locate(path: readonly PropertyKey[]): Location
}

/** parseOffice without throwing: the office when it is valid, every problem found, and the parts later checks need. */
export function checkOffice(
  text: string,
  id: string,
  file: string,
  defaults?: YamlSource,
): { office?: OfficeDraft; problems: OrtugError[]; parts?: OfficeParts } {
  const problems: OrtugError[] = []
  if (!RE_ID.test(id)) problems.push(new OrtugError('CONTENT', describeBadId(id), { location: { file } }))
  let yaml: YamlSource
  try {
    yaml = parseYaml(text.replace(/^\uFEFF/, ''), file)
  } catch (error) {
    return { problems: [...problems, ...collectErrors(error)] }
  }
  if (yaml.value !== null && yaml.value !== undefined && !isPlainObject(yaml.value)) {
    const message = 'an office file must be a mapping of fields (name: ..., region: ..., level: ...), not a list or a single value'
    return { problems: [...problems, new OrtugError('CONTENT', message, { location: yaml.locate([]) })] }
  }
  const merged = mergeFields(fieldsOf(defaults?.value), fieldsOf(yaml.value))
  // A problem in a value that came from the defaults is reported at the defaults file.
  const locate = (path: readonly PropertyKey[]) =>
    defaults && !hasPath(yaml.value, path) && hasPath(defaults.value, path) ? defaults.locate(path) : yaml.locate(path)
  const { data: office, problems: schemaProblems } = checkSchema(officeSchema, merged, locate, (path) =>
    // A field neither file gives may be given once for every office (not what names the office).
    defaults && !hasPath(merged, path) && !OWN_FIELDS.has(String(path[0]))
      ? `Write it in this file, or for every office in ${defaults.locate([]).file}. ${FIX}`
      : FIX,
  )
  problems.push(...schemaProblems)
  // Colours are checked even when other fields are wrong, so one run shows everything.
  const colors = officeSchema.shape.colors.safeParse(merged.colors)
  if (colors.success) {
    const accentWritten = hasPath(yaml.value, ['colors', 'accent']) && !hasPath(yaml.value, ['colors', 'primary'])
    for (const problem of verifyContrast(colors.data)) {
      const path = problem.pair === 'accent' && accentWritten ? ['colors', 'accent'] : ['colors', 'primary']
      problems.push(new OrtugError('CONTENT', `${formatPath(path)}: ${problem.message}`, { location: locate(path) }))
    }
  }
  const logo = officeSchema.shape.logo.safeParse(merged.logo)
  const parts = { slides: merged.slides, logo: logo.success ? logo.data : undefined, locate }
  return { office: office && problems.length === 0 ? { ...office, id, file, locate } : undefined, problems, parts }
}

/** Objects merge key by key; lists and scalars from the office replace the defaults. */
export function mergeDefaults(defaults: unknown, office: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(office)) return office === undefined ? defaults : office
  return mergeFields(defaults, office)
}

function mergeFields(defaults: Record<string, unknown>, office: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults }
  // defineProperty, not assignment: a "__proto__" key that got this far must stay a plain key.
  for (const [key, value] of Object.entries(office)) {
    Object.defineProperty(merged, key, { value: mergeDefaults(defaults[key], value), enumerable: true, writable: true, configurable: true })
  }
  return merged
}

/**
 * `slides.exclude`, `slides.extra[].after` and `slides.extra[].section` must name a section of at
 * least one essay; every unknown one is reported, at its line.
 */
export function verifyOfficeSections(office: Pick<OfficeParts, 'slides' | 'locate'>, essays: readonly Essay[]): void {
  if (essays.length === 0) return
  const known = [...new Set(essays.flatMap((e) => e.sections.map((s) => s.id)))]
  const listed =
    essays.length === 1
      ? `sections of essay "${essays[0]?.slug}" are: ${known.join(', ')}`
      : `sections are: ${essays.map((e) => `${e.slug}: ${e.sections.map((s) => s.id).join(', ')}`).join('; ')}`
  const problems = sectionRefsOf(office.slides)
    .filter((ref) => !known.includes(ref.id))
    .map((ref) => {
      const hint = suggest(ref.id, known)
      return new OrtugError('CONTENT', `${formatPath(ref.path)}: unknown section "${ref.id}"${hint ? ` (did you mean "${hint}"?)` : ''}; ${listed}`, {
        location: office.locate(ref.path),
      })
    })
  if (problems.length > 0) throw new OrtugErrors(problems)
}

/** The section ids `slides` refers to, read leniently: a wrong field elsewhere in `slides` is the schema's to report. */
function sectionRefsOf(slides: unknown): { id: string; path: PropertyKey[] }[] {
  if (!isPlainObject(slides)) return []
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
  const exclude = list(slides.exclude).flatMap((id, i) => (typeof id === 'string' ? [{ id, path: ['slides', 'exclude', i] }] : []))
  const extra = list(slides.extra).flatMap((slide, i) =>
    isPlainObject(slide)
      ? (['after', 'section'] as const).flatMap((key) => (typeof slide[key] === 'string' ? [{ id: slide[key], path: ['slides', 'extra', i, key] }] : []))
      : [],
  )
  return [...exclude, ...extra]
}

/**
 * Text on the theme: white on primary (title, divider and closing slides, badges) is normal-size
 * text and needs 4.5:1; accent on primary is only used for large text (subtitles of 32 px and
 * more, bold office name), for which WCAG AA asks 3:1.
 */
export function verifyContrast(colors: { primary: string; accent: string }): { pair: 'white' | 'accent'; message: string }[] {
  const pairs = [
    { pair: 'white', label: 'white text', foreground: WHITE, minimum: MIN_CONTRAST, fix: 'choose a darker primary colour' },
    {
      pair: 'accent',
      label: 'accent text (large)',
      foreground: colors.accent,
      minimum: MIN_CONTRAST_LARGE,
      fix: 'choose a lighter accent or a darker primary',
    },
  ] as const
  return pairs.flatMap(({ pair, label, foreground, minimum, fix }) => {
    const ratio = contrastRatio(foreground, colors.primary)
    return ratio >= minimum
      ? []
      : [
          {
            pair,
            message: `${label} ${foreground} on primary ${colors.primary} has contrast ${ratio.toFixed(2)}:1, below the ${minimum}:1 that WCAG AA asks for; ${fix}`,
          },
        ]
  })
}

/** WCAG 2 contrast ratio of two #rrggbb colours, from 1 (same) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [Math.max(luminance(a), luminance(b)), Math.min(luminance(a), luminance(b))]
  return (lighter + 0.05) / (darker + 0.05)
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

function describeBadId(id: string): string {
  const fixed = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  const rename = RE_ID.test(fixed) ? `rename it to "${fixed}.yaml"` : 'rename it, e.g. "kota-bandung.yaml"'
  return `office file name "${id}" is not a valid office id: ids use lowercase letters a-z, digits 0-9 and single hyphens between them (${RE_ID.source}); ${rename}`
}

/** A mapping's fields; an office file or _defaults.yaml left empty has none. */
function fieldsOf(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let node = value
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false
    node = Reflect.get(node, key)
  }
  return true
}
