import type { z } from 'zod'
import { type Location, OrtugError, OrtugErrors } from './error.ts'

export type Warn = (message: string) => void

/** Checks a value against a schema; every problem becomes an error with file:line:col and the field path. */
export function verifySchema<S extends z.ZodType>(schema: S, value: unknown, locate: (path: readonly PropertyKey[]) => Location, fix: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new OrtugErrors(
    result.error.issues.map((issue) => {
      const path = issue.path
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : []
      const where = keys.length === 1 ? [...path, keys[0] as string] : path
      return new OrtugError('CONTENT', `${formatPath(where)}: ${describeIssue(issue, schema, value)}. ${fix}`, {
        location: locate(where),
      })
    }),
  )
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('')
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, root: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, issue.path)
      const list = issue.keys.map((k) => `"${k}"`).join(', ')
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${list}${allowed ? `; allowed keys: ${allowed.join(', ')}` : ''}`
    }
    case 'invalid_value':
      return `is ${JSON.stringify(valueAt(root, issue.path))}; allowed values: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'invalid_type':
      if (valueAt(root, issue.path) === undefined) return 'is required'
      return `must be ${describeType(issue.expected)}, not ${describeValue(valueAt(root, issue.path))}`
    default:
      return issue.message
  }
}

function describeType(expected: string): string {
  const names: Record<string, string> = { string: 'text', number: 'a number', array: 'a list', object: 'a mapping (key: value)' }
  return names[expected] ?? expected
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value === 'string' ? 'text' : typeof value} ${JSON.stringify(value)}`
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
