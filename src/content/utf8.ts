import { fail } from '../shared/error.ts'

// Content files are UTF-8. A lenient decoder turns a bad byte into U+FFFD, so an essay would no
// longer be the author's text, verbatim, and an office name would print a replacement box: a file
// with an invalid byte is refused, naming the byte, its line and column. Pure: bytes in, text out.

const STRICT = new TextDecoder('utf-8', { fatal: true })

/**
 * The text of a UTF-8 file. A byte order mark at the start is dropped (Windows editors write one;
 * it is not part of the text); anywhere else U+FEFF stays, like any other character.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return STRICT.decode(bytes)
  } catch (cause) {
    const offset = findInvalidUtf8(bytes) ?? 0
    const { line, column } = positionOf(bytes, offset)
    const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')
    fail(
      'CONTENT',
      `is not valid UTF-8: the byte at offset ${offset} (0x${byte}), line ${line}, column ${column}, is not part of a UTF-8 character; save the file as UTF-8 in your editor (it may have been saved as Windows-1252 or Latin-1) and check the text there`,
      { location: { file, line, column }, cause },
    )
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or undefined. */
export function findInvalidUtf8(bytes: Uint8Array): number | undefined {
  let at = 0
  while (at < bytes.length) {
    const length = sequenceLength(bytes, at)
    if (length === 0) return at
    at += length
  }
  return undefined
}

/** Bytes of the well-formed sequence at `at` (Unicode table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at]
  if (first === undefined) return 0
  if (first < 0x80) return 1
  const [length, low, high] =
    first >= 0xc2 && first <= 0xdf
      ? [2, 0x80, 0xbf]
      : first === 0xe0
        ? [3, 0xa0, 0xbf]
        : first === 0xed
          ? [3, 0x80, 0x9f]
          : first >= 0xe1 && first <= 0xef
            ? [3, 0x80, 0xbf]
            : first === 0xf0
              ? [4, 0x90, 0xbf]
              : first === 0xf4
                ? [4, 0x80, 0x8f]
                : first >= 0xf1 && first <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : [0, 0, 0]
  if (length === 0) return 0
  const second = bytes[at + 1]
  if (second === undefined || second < low || second > high) return 0
  for (let i = 2; i < length; i++) {
    const next = bytes[at + i]
    if (next === undefined || next < 0x80 || next > 0xbf) return 0
  }
  return length
}

/** 1-based line and column (in characters) of a byte offset whose preceding bytes are valid UTF-8. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line += 1
      lineStart = i + 1
    }
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset))
  return { line, column: [...before].length + 1 }
}
