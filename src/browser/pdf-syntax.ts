// Just enough of PDF's object syntax (ISO 32000-1, 7.3) to read dictionaries and arrays, copy
// values verbatim, and write the few objects PDF finishing adds.

export interface Ref {
  kind: 'ref'
  num: number
  gen: number
}

export type PdfValue =
  | Ref
  | { kind: 'dict'; entries: Map<string, PdfValue>; raw: string }
  | { kind: 'array'; items: PdfValue[]; raw: string }
  | { kind: 'atom'; raw: string }

/** A dictionary's entries in order, as key and value in PDF syntax. */
export type DictEntries = [key: string, value: string][]

const WHITESPACE = new Set(['\0', '\t', '\n', '\f', '\r', ' '])
const DELIMITERS = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%'])

interface Parsed {
  value: PdfValue
  end: number
}

/** Reads values out of a whole file's text (Latin-1: one character per byte). */
export class Parser {
  constructor(private readonly text: string) {}

  /** The value of object `ref`, found through the cross-reference `offsets`. */
  objectAt(offsets: Map<number, number>, ref: Ref): PdfValue | undefined {
    const offset = offsets.get(ref.num)
    if (offset === undefined) return undefined
    const header = /(\d+)\s+(\d+)\s+obj\b/y
    header.lastIndex = offset
    const found = header.exec(this.text)
    if (!found || Number(found[1]) !== ref.num) return undefined
    return this.valueAt(header.lastIndex).value
  }

  valueAt(start: number): Parsed {
    const at = this.skip(start)
    const text = this.text
    const char = text[at]
    if (char === '<' && text[at + 1] === '<') return this.dictAt(at)
    if (char === '[') return this.arrayAt(at)
    if (char === '(') return this.atom(at, this.stringEnd(at))
    if (char === '<') return this.atom(at, text.indexOf('>', at) + 1)
    if (char === undefined || char === ')' || char === '>' || char === ']') throw new Error(`unexpected "${char}" at ${at}`)
    return this.wordAt(at)
  }

  private dictAt(at: number): Parsed {
    const text = this.text
    const entries = new Map<string, PdfValue>()
    let position = this.skip(at + 2)
    while (!(text[position] === '>' && text[position + 1] === '>')) {
      if (text[position] !== '/') throw new Error(`a name was expected at ${position}`)
      const key = this.valueAt(position)
      const value = this.valueAt(key.end)
      entries.set(key.value.kind === 'atom' ? key.value.raw.slice(1) : '', value.value)
      position = this.skip(value.end)
    }
    return { value: { kind: 'dict', entries, raw: text.slice(at, position + 2) }, end: position + 2 }
  }

  private arrayAt(at: number): Parsed {
    const items: PdfValue[] = []
    let position = this.skip(at + 1)
    while (this.text[position] !== ']') {
      const item = this.valueAt(position)
      items.push(item.value)
      position = this.skip(item.end)
    }
    return { value: { kind: 'array', items, raw: this.text.slice(at, position + 1) }, end: position + 1 }
  }

  /** A name, number, keyword or `num gen R` reference. */
  private wordAt(at: number): Parsed {
    const text = this.text
    let end = at + 1
    while (end < text.length && !this.isWhitespace(end) && !DELIMITERS.has(text.charAt(end))) end++
    const number = text.slice(at, end)
    const ref = /\s+(\d+)\s+R\b/y
    ref.lastIndex = end
    const gen = /^\d+$/.test(number) ? ref.exec(text) : null
    if (gen) return { value: { kind: 'ref', num: Number(number), gen: Number(gen[1]) }, end: ref.lastIndex }
    return this.atom(at, end)
  }

  private atom(start: number, end: number): Parsed {
    if (end <= start) throw new Error(`unterminated value at ${start}`)
    return { value: { kind: 'atom', raw: this.text.slice(start, end) }, end }
  }

  /** The end of a literal string: balanced parentheses, backslash escapes. */
  private stringEnd(start: number): number {
    let depth = 0
    for (let i = start; i < this.text.length; i++) {
      const char = this.text[i]
      if (char === '\\') i++
      else if (char === '(') depth++
      else if (char === ')' && --depth === 0) return i + 1
    }
    return -1
  }

  private isWhitespace(at: number): boolean {
    return WHITESPACE.has(this.text.charAt(at))
  }

  private skip(start: number): number {
    let i = start
    for (;;) {
      while (this.isWhitespace(i)) i++
      if (this.text[i] !== '%') return i
      while (i < this.text.length && this.text[i] !== '\n' && this.text[i] !== '\r') i++
    }
  }
}

/** A value as it stands in the file, to copy into a new object. */
export function rawValue(value: PdfValue): string {
  return value.kind === 'ref' ? `${value.num} ${value.gen} R` : value.raw
}

export function dict(entries: DictEntries): string {
  return `<< ${entries.map(([key, value]) => `/${key} ${value}`).join(' ')} >>`
}

/** A text string: printable ASCII as it is, anything else as UTF-16BE with a byte order mark, in hex. */
export function textString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, '\\$&')})`
  let hex = 'FEFF'
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0')
  return `<${hex.toUpperCase()}>`
}
