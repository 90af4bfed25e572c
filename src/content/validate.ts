import type { z } from 'zod'
import { type Location, OrtugError, OrtugErrors } from '../shared/error.ts'

type Locate = (path: readonly PropertyKey[]) => Location

/** Checks a value against a schema; every problem becomes an error with file:line:col and the field path. */
export function verifySchema<S extends z.ZodType>(schema: S, value: unknown, locate: Locate, fix: string): z.output<S> {
  const { data, problems } = checkSchema(schema, value, locate, fix)
  if (problems.length > 0) throw new OrtugErrors(problems)
  return data as z.output<S>
}

/** Like verifySchema, but returns the problems so a caller can add its own checks and report all at once. */
export function checkSchema<S extends z.ZodType>(schema: S, value: unknown, locate: Locate, fix: string): { data?: z.output<S>; problems: OrtugError[] } {
  const result = schema.safeParse(value)
  if (result.success) return { data: result.data, problems: [] }
  // zod 4 still runs length checks on a value of the wrong type ("x" for a list): the type is the news.
  const wrongType = new Set(result.error.issues.filter((i) => i.code === 'invalid_type').map((i) => formatPath(i.path)))
  const issues = result.error.issues.filter((i) => i.code === 'invalid_type' || !wrongType.has(formatPath(i.path)))
  const problems = issues.flatMap((issue) =>
    explainIssue(issue, schema, value).map(
      ({ path, message }) => new OrtugError('CONTENT', `${formatPath(path)}: ${message}. ${fix}`, { location: locate(path), cause: issue }),
    ),
  )
  return { problems }
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
        return [{ path, message: typeof key === 'string' ? `is required: add "${key}:" with ${expected}` : `is required (${expected})` }]
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
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

/** Walks zod's definitions down a data path to list the keys an object there accepts. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node = unwrap(schema)
  for (const key of path) {
    const def = node?._zod.def as { type: string; element?: z.ZodType; shape?: Record<string, z.ZodType> }
    if (!def) return undefined
    if (def.type === 'array' && typeof key === 'number') node = unwrap(def.element)
    else if (def.type === 'object' && typeof key === 'string') node = unwrap(def.shape?.[key])
    else return undefined
  }
  const def = node?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema
  for (let i = 0; node && i < 10; i++) {
    const def = node._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; left?: z.ZodType }
    if (def.innerType) node = def.innerType
    else if (def.type === 'pipe' && def.in) node = def.in
    else break
  }
  return node
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
    }
    previous = current
  }
  return previous[b.length] as number
}
