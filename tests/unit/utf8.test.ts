import { describe, expect, it } from 'vitest'
import { decodeUtf8, findInvalidUtf8 } from '../../src/content/utf8.ts'
import { collectErrors } from '../../src/shared/error.ts'

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))))

function refusal(input: Buffer): string {
  try {
    decodeUtf8(input, 'x.md')
  } catch (error) {
    return collectErrors(error)
      .map((e) => e.format())
      .join('\n')
  }
  throw new Error('expected the bytes to be refused')
}

describe('decodeUtf8', () => {
  it('returns valid UTF-8 as it is, Indonesian and beyond the BMP', () => {
    expect(decodeUtf8(bytes('Pemilu jujur — adil ✓ 𝄞'), 'x.md')).toBe('Pemilu jujur — adil ✓ 𝄞')
  })

  it('drops a byte order mark at the start only', () => {
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], 'a\uFEFFb'), 'x.md')).toBe('a\uFEFFb')
  })

  it('refuses a Latin-1 byte at its byte offset, line and column (in characters)', () => {
    // "é" in Latin-1 (0xE9) on line 3, after "ñ" written correctly in UTF-8.
    const message = refusal(bytes('baris satu\nbaris dua\nañ caf', [0xe9], ' lagi'))
    expect(message).toBe(
      'x.md:3:7: is not valid UTF-8: the byte at offset 28 (0xE9), line 3, column 7, is not part of a UTF-8 character; save the file as UTF-8 in your editor (it may have been saved as Windows-1252 or Latin-1) and check the text there',
    )
  })

  it.each([
    ['a lone continuation byte', [0x80], 0],
    ['an overlong "/"', [0xc0, 0xaf], 0],
    ['a cut-short three-byte sequence', [0xe2, 0x82], 0],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['0xFF', [0x41, 0xff], 1],
  ])('finds %s', (_, input, offset) => {
    expect(findInvalidUtf8(Buffer.from(input))).toBe(offset)
    expect(() => decodeUtf8(Buffer.from(input), 'x.md')).toThrow(/is not valid UTF-8/)
  })

  it('agrees with the platform decoder on random bytes', () => {
    let seed = 7
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed
    }
    for (let i = 0; i < 2000; i++) {
      const input = Buffer.from(Array.from({ length: next() % 12 }, () => (next() % 3 === 0 ? next() % 128 : 0x80 + (next() % 128))))
      let valid = true
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(input)
      } catch {
        valid = false
      }
      expect(findInvalidUtf8(input) === undefined, input.toString('hex')).toBe(valid)
    }
  })
})
