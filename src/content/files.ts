import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes } from '../shared/bytes.ts'
import { compareText } from '../shared/collate.ts'
import { fail } from '../shared/error.ts'
import { decodeUtf8 } from './utf8.ts'

// The files of content/ and the templates folder, read with their limits: the disk side of project.ts.

/** Templates and the theme: far more than any needs. */
export const MAX_TEXT_BYTES = 1024 * 1024

/** A folder the files read must lie in: its path with links followed, and its name for messages. */
export interface Folder {
  real: string
  label: string
}

/** A content file's text: valid UTF-8, or refused at its first bad byte (see decodeUtf8). */
export async function readText(file: string): Promise<string> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (cause) {
    fail('CONTENT', `cannot read ${file}: ${errorCode(cause) ?? cause}`, { location: { file }, cause })
  }
  return decodeUtf8(bytes, file)
}

/**
 * Reads a file of content/ or of the templates folder: it must be a file inside that folder once
 * links are followed (a link to /etc/passwd would otherwise show its first line in a message),
 * and no larger than `limit`, checked before reading.
 */
export async function readInside(file: string, folder: Folder, options: { limit?: number; fix?: string } = {}): Promise<string> {
  const { limit = MAX_TEXT_BYTES, fix = 'this is far more than a file of this kind needs: make it smaller' } = options
  const location = { file }
  const real = await realpath(file).catch(() => undefined)
  // A file that is missing or unreadable: readText says why.
  if (real === undefined) return readText(file)
  if (!real.startsWith(folder.real + path.sep)) {
    fail('CONTENT', `resolves to ${real}, outside ${folder.label}/ (links are followed); put the file itself inside ${folder.label}/ instead of a link`, {
      location,
    })
  }
  const info = await stat(real).catch(() => undefined)
  // A pipe or device would never finish reading.
  if (info && !info.isFile()) fail('CONTENT', 'is not a regular file; replace it with a text file', { location })
  if (info && info.size > limit) {
    fail('CONTENT', `the file is ${formatBytes(info.size)}; the limit is ${formatBytes(limit)}: ${fix}`, { location })
  }
  return readText(file)
}

/** The names in `dir` that match `pattern` (storyboards aside), in the one collation; a missing folder is an error saying how to add it. */
export async function listFiles(dir: string, pattern: RegExp, label: string, fix: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (cause) {
    fail('CONTENT', `${label} is missing: ${fix}`, { location: { file: dir }, cause })
  }
  // By name without the extension, in the one collation (shared/collate.ts): kabupaten-bandung first.
  const stem = (name: string) => name.replace(/\.[^.]+$/, '')
  return names.filter((n) => pattern.test(n) && !n.endsWith('.deck.yaml')).sort((a, b) => compareText(stem(a), stem(b)))
}

export async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  )
}

/** The `code` of a Node.js system error (ENOENT, EACCES…), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined
}
