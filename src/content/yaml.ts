import {
  Composer,
  CST,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  visit,
  YAMLParseError,
} from 'yaml'
import { fail, type Location, OrtugError, OrtugErrors } from '../shared/error.ts'
import { formatPath } from './validate.ts'

/** Keeps billion-laughs files from expanding: each alias may be used this many times at most. */
const MAX_ALIAS_COUNT = 100
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
/**
 * Lists and mappings inside each other, aliases followed. No ortug file needs more than 5 levels
 * (slides.extra[0].items[0].term); the YAML library composes recursively, and 30,000 nested "["
 * (60 KB) overflow its stack, so depth is measured before composing.
 */
export const MAX_YAML_DEPTH = 64
const DEPTH_FIX = `at most ${MAX_YAML_DEPTH} levels of lists and mappings inside each other are allowed (ortug's files need 5): flatten it`

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
  const lineOf = (offset: number) => lineCounter.linePos(offset).line + firstLine - 1
  const at = (offset: number): Location => ({ file, line: lineOf(offset), column: lineCounter.linePos(offset).col })
  // The syntax tree is read once: measured for depth, then composed (the library composes recursively).
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)]
  const tooDeep = findTooDeepSyntax(tokens)
  if (tooDeep !== undefined)
    fail('CONTENT', `invalid YAML: nests lists and mappings more than ${MAX_YAML_DEPTH} levels deep here; ${DEPTH_FIX}`, { location: at(tooDeep) })
  const doc = composeDocument(tokens, text.length)
  const problems = [...syntaxProblems(doc, at, lineOf), ...forbiddenKeyProblems(doc, at)]
  if (problems.length > 0) throw new OrtugErrors(problems)
  verifyAliasDepth(doc, at)
  return { value: toValue(doc, file), locate: (path) => locateIn(doc, path, at) ?? { file } }
}

type At = (offset: number) => Location

/** The library's own errors (syntax, duplicate keys), each said the way a maintainer reads it. */
function syntaxProblems(doc: Document, at: At, lineOf: (offset: number) => number): OrtugError[] {
  return doc.errors.map(
    (error) =>
      new OrtugError('CONTENT', describeYamlError(doc, error.code, error.message, error.pos[0], lineOf), {
        location: at(error.pos[0]),
        cause: error,
      }),
  )
}

/** Keys that would change how the parsed objects behave. */
function forbiddenKeyProblems(doc: Document, at: At): OrtugError[] {
  const problems: OrtugError[] = []
  visit(doc, {
    Pair(_, pair) {
      // A key may also be an alias of an anchored "__proto__".
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key
      if (isScalar(key) && FORBIDDEN_KEYS.has(String(key.value))) {
        problems.push(
          new OrtugError('CONTENT', `the key "${key.value}" is not allowed (it could change how objects behave); rename or remove it`, {
            location: at(rangeOf(pair.key)?.[0] ?? 0),
          }),
        )
      }
    },
  })
  return problems
}

function verifyAliasDepth(doc: Document, at: At): void {
  const throughAlias = findTooDeepAlias(doc)
  if (!throughAlias) return
  const message = throughAlias.cycle
    ? 'invalid YAML: this alias stands for a list or mapping that holds it, a value without end; write the values out instead'
    : `invalid YAML: through this alias, lists and mappings nest more than ${MAX_YAML_DEPTH} levels deep; ${DEPTH_FIX}, writing the values out instead of the alias`
  fail('CONTENT', message, { location: at(throughAlias.offset) })
}

/** The document as plain data, aliases expanded up to MAX_ALIAS_COUNT uses each. */
function toValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    fail('CONTENT', `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} uses of one alias): write the values out instead`, {
      location: { file },
      cause: error,
    })
  }
}

/** Where a field path points: its key when it exists, else the nearest existing parent. */
function locateIn(doc: Document, path: readonly PropertyKey[], at: At): Location | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true)
    if (!node) continue
    const offset = depth === path.length ? keyOffset(doc.getIn(path.slice(0, depth - 1), true), path[depth - 1]) : undefined
    return at(offset ?? rangeOf(node)?.[0] ?? 0)
  }
  return undefined
}

/** A node's place in the text: start, end of its value, end of its comments. */
function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  return isNode(node) ? (node.range ?? undefined) : undefined
}

/** The one document of the text, as the library's parseDocument composes it, from tokens already read. */
function composeDocument(tokens: readonly CST.Token[], length: number): Document.Parsed {
  let doc: Document.Parsed | undefined
  for (const next of new Composer({ uniqueKeys: true, strict: true }).compose(tokens, true, length)) {
    if (!doc) doc = next
    else {
      const message =
        'a second document starts here (after a line "---"); an ortug file holds one: remove the line, or move what follows it into a file of its own'
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', message))
      break
    }
  }
  // compose(…, forceDoc) yields a document even for an empty text.
  if (!doc) throw new Error('the YAML library composed no document')
  return doc
}

/**
 * The offset of the first list or mapping nested deeper than MAX_YAML_DEPTH, read from the
 * syntax tree (which the library builds without recursion), or undefined.
 */
function findTooDeepSyntax(tokens: readonly CST.Token[]): number | undefined {
  const pending = tokens.map((token) => ({ token, depth: 0 }))
  let found: number | undefined
  for (let next = pending.pop(); next && found === undefined; next = pending.pop()) {
    const { token, depth } = next
    if (token.type === 'document' && token.value) pending.push({ token: token.value, depth })
    if (!CST.isCollection(token)) continue
    if (depth + 1 > MAX_YAML_DEPTH) found = token.offset
    for (const item of token.items) {
      if (item.key) pending.push({ token: item.key, depth: depth + 1 })
      if (item.value) pending.push({ token: item.value, depth: depth + 1 })
    }
  }
  return found
}

/**
 * An alias that makes the value nest deeper than MAX_YAML_DEPTH, or that sits inside the node it
 * names (a value that never ends). Each node is walked again only when reached at a greater depth,
 * so an alias bomb costs at most MAX_YAML_DEPTH walks of the file.
 */
function findTooDeepAlias(doc: Document): { offset: number; cycle: boolean } | undefined {
  const walkedAt = new Map<Node, number>()
  const open = new Set<Node>()
  const walk = (node: unknown, depth: number, alias: number | undefined): { offset: number; cycle: boolean } | undefined => {
    if (isAlias(node)) {
      const target = node.resolve(doc)
      const offset = alias ?? node.range?.[0] ?? 0
      if (target && open.has(target)) return { offset, cycle: true }
      return target ? walk(target, depth, offset) : undefined
    }
    if (!isCollection(node)) return undefined
    if (alias !== undefined && depth + 1 > MAX_YAML_DEPTH) return { offset: alias, cycle: false }
    if ((walkedAt.get(node) ?? -1) >= depth) return undefined
    walkedAt.set(node, depth)
    open.add(node)
    for (const item of node.items) {
      const parts = isPair(item) ? [item.key, item.value] : [item]
      for (const part of parts) {
        const found = walk(part, depth + 1, alias)
        if (found) return found
      }
    }
    open.delete(node)
    return undefined
  }
  return walk(doc.contents, 0, undefined)
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
    const range = rangeOf(n)
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
