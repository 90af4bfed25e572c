import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml'
import { fail, type Location, OrtugError, OrtugErrors } from '../shared/error.ts'
import { formatPath } from './validate.ts'

/** Keeps billion-laughs files from expanding: each alias may be used this many times at most. */
const MAX_ALIAS_COUNT = 100
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface YamlSource {
  value: unknown
  /** Where a field path points in the file, or the nearest existing parent. */
  locate(path: readonly PropertyKey[]): Location
}

/**
 * Parses YAML text keeping positions; duplicate keys, prototype keys and alias bombs are errors.
 * `firstLine` is the line of the file the text starts on (front matter starts on line 2).
 */
export function parseYaml(text: string, file: string, firstLine = 1): YamlSource {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true })
  const lineOf = (offset: number) => lineCounter.linePos(offset).line + firstLine - 1
  const at = (offset: number): Location => ({ file, line: lineOf(offset), column: lineCounter.linePos(offset).col })
  const problems = doc.errors.map(
    (error) =>
      new OrtugError('CONTENT', describeYamlError(doc, error.code, error.message, error.pos[0], lineOf), {
        location: at(error.pos[0]),
        cause: error,
      }),
  )
  visit(doc, {
    Pair(_, pair) {
      // A key may also be an alias of an anchored "__proto__".
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key
      if (isScalar(key) && FORBIDDEN_KEYS.has(String(key.value))) {
        problems.push(
          new OrtugError('CONTENT', `the key "${key.value}" is not allowed (it could change how objects behave); rename or remove it`, {
            location: at((pair.key as { range?: [number] } | null)?.range?.[0] ?? 0),
          }),
        )
      }
    },
  })
  if (problems.length > 0) throw new OrtugErrors(problems)

  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    fail('CONTENT', `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} uses of one alias): write the values out instead`, {
      location: { file },
      cause: error,
    })
  }

  return {
    value,
    locate(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth) as unknown[], true)
        if (!node) continue
        const offset = depth === path.length ? keyOffset(doc.getIn(path.slice(0, depth - 1) as unknown[], true), path[depth - 1]) : undefined
        const range = (node as { range?: [number, number, number] }).range
        return at(offset ?? range?.[0] ?? 0)
      }
      return { file }
    },
  }
}

/** Points at the key of a mapping entry rather than its value: that is where a reader looks. */
function keyOffset(parent: unknown, key: PropertyKey | undefined): number | undefined {
  if (!isMap(parent) || key === undefined) return undefined
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key.range?.[0]
  }
  return undefined
}

function describeYamlError(doc: Document, code: string, message: string, offset: number, lineOf: (offset: number) => number): string {
  const first = message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message
  if (code === 'DUPLICATE_KEY') {
    const duplicate = findKeyAt(doc.contents, offset, [])
    if (duplicate) {
      const earlier = duplicate.firstOffset === undefined ? '' : ` (first on line ${lineOf(duplicate.firstOffset)})`
      return `${formatPath(duplicate.path)}: the key "${String(duplicate.path.at(-1))}" is written twice${earlier}; each key may appear once: keep one and remove the other`
    }
    return `${first}: each key may appear once; remove or merge the repeated one`
  }
  return `invalid YAML: ${first}`
}

/** The field path of the mapping key starting at `offset`, and where the same key first appears. */
function findKeyAt(node: unknown, offset: number, path: PropertyKey[]): { path: PropertyKey[]; firstOffset?: number } | undefined {
  const within = (n: unknown) => {
    const range = (n as { range?: [number, number, number] } | null)?.range
    return range !== undefined && range[0] <= offset && offset < Math.max(range[1], range[0] + 1)
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = isScalar(pair.key) ? pair.key.value : undefined
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        const first = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)
        const firstOffset = first && first !== pair && isScalar(first.key) ? first.key.range?.[0] : undefined
        return { path: [...path, String(key)], firstOffset }
      }
      if (within(pair.value)) return findKeyAt(pair.value, offset, [...path, String(key)])
    }
  }
  if (isSeq(node)) {
    const index = node.items.findIndex(within)
    if (index >= 0) return findKeyAt(node.items[index], offset, [...path, index])
  }
  return undefined
}

/** Splits `---` front matter from a Markdown body, keeping the line offset of the body. */
export function splitFrontMatter(text: string): { frontMatter?: string; body: string; bodyLine: number } {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n?^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m.exec(text)
  if (match?.index !== 0) return { body: text, bodyLine: 1 }
  const consumed = match[0]
  return {
    frontMatter: match[1] ?? '',
    body: text.slice(consumed.length),
    bodyLine: consumed.split('\n').length - (consumed.endsWith('\n') ? 0 : 1),
  }
}
