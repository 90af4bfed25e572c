import { constants } from 'node:fs'
import { lstat, open } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes } from '../shared/bytes.ts'
import { codeOf } from '../shared/disk.ts'

// The one rule for reading what an output, shard or cache folder holds: whoever can write such a
// folder (a restored CI cache, a shard's artifact, another user of a shared drive) must not make
// ortug read or publish anything else. So ortug opens regular files and real folders only, and
// never follows a symbolic link below the folder it was given (the folder itself may be a link:
// `--out` is the user's choice). What it carries over is then checked against a recorded hash by
// the caller. A hard link is read like any file: its bytes must match that hash, and they are
// written again, never linked, so a published file shares nothing with the file's other names.
// The check of the folders and the open are two steps: a program racing ortug inside the folder
// at that moment is out of reach (Node has no openat); a planted link is not.

/** The bytes, or why not: `missing`, an OS error `code` (EACCES…) when the file could not be opened, and a `reason` to show after its path. */
export type ReadInside = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; code?: string; reason: string }

// O_NOFOLLOW refuses a link as the last component (ELOOP; EMLINK on FreeBSD); Windows has neither
// flag, so there a link is told by lstat first. O_NONBLOCK keeps a FIFO from blocking the open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
const LINK_CODES = ['ELOOP', 'EMLINK']

/** The bytes of `<root>/<relative>` (`/`-separated) when every step below `root` is a real folder and the file a regular file of at most `maxBytes`. */
export async function readInside(root: string, relative: string, maxBytes = Number.POSITIVE_INFINITY): Promise<ReadInside> {
  const segments = relative.split('/')
  for (let depth = 1; depth < segments.length; depth++) {
    const folder = segments.slice(0, depth).join('/')
    const problem = await describeFolder(path.join(root, folder))
    if (problem) return { ok: false, missing: problem === MISSING, reason: problem === MISSING ? 'is missing' : `lies in ${folder}, which ${problem}` }
  }
  const file = path.join(root, ...segments)
  if (constants.O_NOFOLLOW === undefined && (await lstat(file).catch(() => undefined))?.isSymbolicLink()) return refused('is a symbolic link')
  const handle = await open(file, OPEN_FLAGS).catch((error: unknown) => codeOf(error))
  if (typeof handle === 'string') {
    if (handle === 'ENOENT') return { ok: false, missing: true, reason: 'is missing' }
    return LINK_CODES.includes(handle) ? refused('is a symbolic link') : { ok: false, missing: false, code: handle, reason: `cannot be read (${handle})` }
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) return refused('is not a regular file')
    if (info.size > maxBytes) return refused(`is ${formatBytes(info.size)}, more than the ${formatBytes(maxBytes)} allowed`)
    const bytes = await handle.readFile()
    // A file that grew between the stat and the read.
    if (bytes.length > maxBytes) return refused(`is more than the ${formatBytes(maxBytes)} allowed`)
    return { ok: true, bytes }
  } finally {
    await handle.close()
  }
}

const MISSING = 'is missing'

/** The value of a JSON text read from such a folder, or undefined when it is not JSON: a schema then says what it may hold. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Why `dir` is not a real folder ("is a symbolic link", "is a file"…), MISSING, or undefined when it is one. */
export async function describeFolder(dir: string): Promise<string | undefined> {
  const info = await lstat(dir).catch((error: unknown) => codeOf(error))
  if (typeof info === 'string') return info === 'ENOENT' || info === 'ENOTDIR' ? MISSING : `cannot be read (${info})`
  if (info.isDirectory()) return undefined
  return info.isSymbolicLink() ? 'is a symbolic link' : info.isFile() ? 'is a file' : 'is not a folder'
}

/** Why an existing `dir` is not a real folder, or undefined when it is one or does not exist. */
export async function describeNonFolder(dir: string): Promise<string | undefined> {
  const problem = await describeFolder(dir)
  return problem === MISSING ? undefined : problem
}

function refused(reason: string): ReadInside {
  return { ok: false, missing: false, reason }
}
