import { expect } from 'vitest'
import { collectErrors, ERROR_CODES, type ErrorKind } from '../src/shared/error.ts'

// The fuzz corpus's machinery: a seeded generator (every run of a seed makes the same cases),
// mutations of valid inputs, and the one oracle every parser of untrusted input must meet: it
// returns, or throws ortug's own error of the expected kind with a message, never anything else
// (a TypeError, a RangeError, a stack overflow: what the CLI would print as "internal error").
//
// ORTUG_FUZZ_CASES sets how many cases all targets share (default 3000: under a minute in
// `npm test`); ORTUG_FUZZ_SEED another seed (a failure message names the seed and case).

export const FUZZ_SEED = Number(process.env.ORTUG_FUZZ_SEED ?? 20260212)
export const FUZZ_CASES = Number(process.env.ORTUG_FUZZ_CASES ?? 3000)

/** mulberry32: small, fast, good enough to spread cases. */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(max: number): number {
    return Math.floor(this.next() * max)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }
}

/** Characters that break parsers: YAML and XML syntax, quotes, escapes, controls, BOM, bidi, astral, lone surrogates. */
const NASTY = [
  ':',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!!',
  '#',
  '|',
  '>',
  "'",
  '"',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '  ',
  '---',
  '...',
  '%YAML',
  '<',
  '>',
  '</',
  '/>',
  '&amp;',
  '&#0;',
  '&#x110000;',
  ']]>',
  '<!--',
  '-->',
  '<?',
  '?>',
  '<!DOCTYPE',
  '<!ENTITY',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\ud800',
  '\udfff',
  '😀',
  '𝄞',
  'é',
  '\\75 ',
  'url(',
  '@import',
  '__proto__',
  'constructor',
  '{{',
  '}}',
  '<script>',
  '9'.repeat(400),
  '1e999',
  '-0',
  '.nan',
  '~',
  'null',
  'yes',
  '0x1F',
  '2027-02-30',
]

/** A random short string, mostly nasty. */
export function nastyString(random: Random, length = 1 + random.int(6)): string {
  return Array.from({ length }, () => (random.chance(0.7) ? random.pick(NASTY) : String.fromCharCode(32 + random.int(95)))).join('')
}

/** A mutation of `text`: insert, delete, duplicate or replace pieces, or change characters. */
export function mutateText(random: Random, text: string, rounds = 1 + random.int(4)): string {
  let out = text
  for (let i = 0; i < rounds; i++) {
    const at = random.int(out.length + 1)
    const span = 1 + random.int(Math.min(40, Math.max(1, out.length - at)))
    switch (random.int(6)) {
      case 0:
        out = out.slice(0, at) + nastyString(random) + out.slice(at)
        break
      case 1:
        out = out.slice(0, at) + out.slice(at + span)
        break
      case 2:
        out = out.slice(0, at) + out.slice(at, at + span).repeat(2 + random.int(30)) + out.slice(at + span)
        break
      case 3:
        out = out.slice(0, at) + nastyString(random) + out.slice(at + span)
        break
      case 4: {
        // A line moved elsewhere.
        const lines = out.split('\n')
        const [line] = lines.splice(random.int(lines.length), 1)
        lines.splice(random.int(lines.length + 1), 0, line ?? '')
        out = lines.join('\n')
        break
      }
      default:
        out = out.slice(0, at) + String.fromCharCode(random.int(0x3000)) + out.slice(at + 1)
    }
  }
  return out
}

/** A mutation of `bytes`: flip, overwrite, cut, insert or append bytes. */
export function mutateBytes(random: Random, bytes: Buffer, rounds = 1 + random.int(3)): Buffer {
  let out = Buffer.from(bytes)
  for (let i = 0; i < rounds; i++) {
    const at = random.int(out.length + 1)
    switch (random.int(5)) {
      case 0:
        if (at < out.length) out[at] = (out[at] as number) ^ (1 << random.int(8))
        break
      case 1:
        if (at < out.length) out[at] = random.pick([0, 0xff, 0x7f, 0x80, random.int(256)])
        break
      case 2:
        out = out.subarray(0, at)
        break
      case 3:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + random.int(16) }, () => random.int(256))), out.subarray(at)])
        break
      default:
        out = Buffer.concat([out, Buffer.from(random.pick(['<html><script>alert(1)</script></html>', '\0', 'IEND', '\xff\xd9']))])
    }
  }
  return out
}

/**
 * Runs one case: `run` returns, or throws ortug's errors of `kind` (each with a message, no stack
 * trace); anything else fails, naming the seed, the case and the input.
 */
export function expectDocumentedOutcome(label: string, input: string | Buffer, run: () => unknown, kind: ErrorKind = 'CONTENT'): void {
  let errors: ReturnType<typeof collectErrors> = []
  try {
    run()
    return
  } catch (error) {
    try {
      errors = collectErrors(error)
    } catch (unexpected) {
      const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 300)) : input.subarray(0, 200).toString('hex')
      expect.fail(`${label} (seed ${FUZZ_SEED}): ${(unexpected as Error)?.stack ?? unexpected}\ninput: ${shown}`)
    }
  }
  for (const error of errors) {
    expect(error.exitCode, `${label}: ${error.format()}`).toBe(ERROR_CODES[kind])
    expect(error.message.length, label).toBeGreaterThan(0)
    expect(error.format(), label).not.toMatch(/internal error|\n\s+at |Maximum call stack|undefined is not|cannot read propert/i)
  }
}
