import { isMap, isPair, isScalar, LineCounter, parseDocument, visit } from 'yaml'
import { fail, type Location, OrtugError, OrtugErrors } from './error.ts'

/** Keeps billion-laughs files from expanding: each alias may be used this many times at most. */
const MAX_ALIAS_COUNT = 100
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface YamlSource {
  value: unknown
  /** Where a field path points in the file, or the nearest existing parent. */
  locate(path: readonly PropertyKey[]): Location
}

/** Parses YAML text keeping positions; duplicate keys, prototype keys and alias bombs are errors. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true })
  const at = (offset: number): Location => {
    const { line, col } = lineCounter.linePos(offset)
    return { file, line, column: col }
  }
  const problems = doc.errors.map(
    (error) =>
      new OrtugError('CONTENT', describeYamlError(error.code, error.message), {
        location: at(error.pos[0]),
        cause: error,
      }),
  )
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value))) {
        problems.push(
          new OrtugError('CONTENT', `the key "${pair.key.value}" is not allowed (it could change how objects behave); rename or remove it`, {
            location: at(pair.key.range?.[0] ?? 0),
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

function describeYamlError(code: string, message: string): string {
  const first = message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message
  if (code === 'DUPLICATE_KEY') return `${first}: each key may appear once; remove or merge the repeated one`
  return `invalid YAML: ${first}`
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
