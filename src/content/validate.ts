import { z } from 'zod'
import { type Location, OrtugError, OrtugErrors } from '../shared/error.ts'

type Locate = (path: readonly PropertyKey[]) => Location
/** What to do, said after every problem: the same for all, or chosen by the field's path. */
type Fix = string | ((path: readonly PropertyKey[]) => string)

/** Checks a value against a schema; every problem becomes an error with file:line:col and the field path. */
export function verifySchema<S extends z.ZodType>(schema: S, value: unknown, locate: Locate, fix: Fix): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new OrtugErrors(describeIssues(result.error, schema, value, locate, fix))
}

/** Like verifySchema, but returns the problems so a caller can add its own checks and report all at once. */
export function checkSchema<S extends z.ZodType>(schema: S, value: unknown, locate: Locate, fix: Fix): { data?: z.output<S>; problems: OrtugError[] } {
  const result = schema.safeParse(value)
  if (result.success) return { data: result.data, problems: [] }
  return { problems: describeIssues(result.error, schema, value, locate, fix) }
}

/** Every issue of a failed parse as an error at its place in the file. */
function describeIssues(error: z.ZodError, schema: z.ZodType, value: unknown, locate: Locate, fix: Fix): OrtugError[] {
  // zod 4 still runs length checks on a value of the wrong type ("x" for a list): the type is the news.
  const wrongType = new Set(error.issues.filter((i) => i.code === 'invalid_type').map((i) => formatPath(i.path)))
  const issues = error.issues.filter((i) => i.code === 'invalid_type' || !wrongType.has(formatPath(i.path)))
  return issues.flatMap((issue) =>
    explainIssue(issue, schema, value).map(
      ({ path, message }) =>
        new OrtugError('CONTENT', `${formatPath(path)}: ${message}. ${typeof fix === 'string' ? fix : fix(path)}`, { location: locate(path), cause: issue }),
    ),
  )
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('')
}

/** The closest candidate to a misspelt word (edit distance at most 1 + a third of its length), for "did you mean". */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance <= 1 + Math.floor(word.length / 3) && (!best || distance < best.distance)) best = { candidate, distance }
  }
  return best?.candidate
}

/** One issue, said the way a maintainer reads it: the value found, what is allowed, a likely fix. */
function explainIssue(issue: z.core.$ZodIssue, schema: z.ZodType, root: unknown): { path: PropertyKey[]; message: string }[] {
  const path = issue.path
  const value = valueAt(root, path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      // One problem per key, each pointing at its own line.
      const allowed = allowedKeys(schema, path) ?? []
      return issue.keys.map((key) => {
        const hint = suggest(key, allowed)
        return {
          path: [...path, key],
          message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}${allowed.length > 0 ? `; allowed keys: ${allowed.join(', ')}` : ''}`,
        }
      })
    }
    case 'invalid_value': {
      const allowed = `allowed values: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
      if (value === undefined) return [{ path, message: `is required; ${allowed}` }]
      const hint = typeof value === 'string' ? suggest(value, issue.values.map(String)) : undefined
      return [{ path, message: `is ${showValue(value)}; ${allowed}${hint ? ` (did you mean "${hint}"?)` : ''}` }]
    }
    case 'invalid_type': {
      const keys = issue.expected === 'object' ? allowedKeys(schema, path) : undefined
      const expected = describeType(issue.expected) + (keys ? ` with keys ${keys.join(', ')}` : '')
      if (value === undefined) {
        const key = path.at(-1)
        const wanted = describeExample(schemaAt(schema, path)) ?? expected
        return [{ path, message: typeof key === 'string' ? `is required: add "${key}:" with ${wanted}` : `is required (${expected})` }]
      }
      return [{ path, message: `must be ${expected}, not ${describeValue(value)}` }]
    }
    case 'too_big':
    case 'too_small': {
      const size = typeof value === 'string' || Array.isArray(value) ? ` (it has ${value.length})` : typeof value === 'number' ? ` (it is ${value})` : ''
      return [{ path, message: `${issue.message}${size}` }]
    }
    default:
      // Formats and refinements: show the value next to the rule it breaks.
      if (value === undefined || typeof value === 'object') return [{ path, message: issue.message }]
      return [{ path, message: issue.message.startsWith('is ') ? `${showValue(value)} ${issue.message}` : `is ${showValue(value)}; ${issue.message}` }]
  }
}

function describeType(expected: string): string {
  const names: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping (key: value)' }
  return names[expected] ?? expected
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value === 'string' ? 'text' : typeof value} ${showValue(value)}`
}

function showValue(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}…${text.at(-1)}` : text
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = Reflect.get(value, key)
  }
  return value
}

/** Walks zod's definitions down a data path to list the keys an object there accepts. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const node = schemaAt(schema, path)
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined
}

/** The schema of the field at `path`, unwrapped. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): unknown {
  let node = unwrap(schema)
  for (const key of path) {
    if (node instanceof z.ZodArray && typeof key === 'number') node = unwrap(node.element)
    else if (node instanceof z.ZodObject && typeof key === 'string') node = unwrap(node.shape[key])
    else return undefined
  }
  return node
}

/** A text field's pattern when its own message shows an example ("must be a colour written #rrggbb, e.g. …" → "a colour written #rrggbb, e.g. …"). */
function describeExample(node: unknown): string | undefined {
  if (!(node instanceof z.ZodString)) return undefined
  // A control character is no field's valid text: the pattern's own message comes back.
  const result = node.safeParse('\u0000')
  const said = result.success ? undefined : result.error.issues.find((issue) => issue.code === 'invalid_format')?.message
  return said?.startsWith('must be ') && /\b(e\.g\.|such as)\s/.test(said) ? said.slice('must be '.length) : undefined
}

/** The schema inside optional, default, nullable and the like, and the input side of a pipe (a transform). */
function unwrap(schema: unknown): unknown {
  let node = schema
  for (let i = 0; node instanceof z.ZodType && i < 10; i++) {
    const def = node._zod.def
    if ('innerType' in def && def.innerType instanceof z.ZodType) node = def.innerType
    else if (node instanceof z.ZodPipe) node = node.in
    else break
  }
  return node
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  let distance = b.length
  for (let i = 0; i < a.length; i++) {
    // Walking the row: `diagonal` is previous[j], `above` previous[j + 1], `distance` current[j].
    let diagonal = i
    distance = i + 1
    const current = [distance]
    for (const [j, above] of previous.slice(1).entries()) {
      distance = Math.min(above + 1, distance + 1, diagonal + (a[i] === b[j] ? 0 : 1))
      diagonal = above
      current.push(distance)
    }
    previous = current
  }
  return distance
}
