import path, { type PlatformPath } from 'node:path'
import { fail } from '../shared/error.ts'
import { describeNonFolder } from './read-inside.ts'

// Where in an output folder ortug may write: output paths that stay inside it, and the folders it
// owns there, which must be real folders.

/** The folders of ortug's caches inside an output folder (see fit-cache.ts and thumbnails.ts). */
const CACHE_FOLDERS = ['.ortug-cache', '.ortug-cache/thumbs']

// Output paths are `/`-separated. A backslash or colon would be a separator, drive or stream on
// Windows, so such a path means something else there than on Linux: refused everywhere.
const RE_UNSAFE_SEGMENT = /^\.{0,2}$|[\\:\0]/

/**
 * The folders ortug writes in an output folder (its cache folders, and the folders of `offices`)
 * must be real folders when they exist: a file or a link there is refused before anything is
 * built or staged, naming the path and what to do (ortug neither follows nor removes it).
 */
export async function verifyOutputFolders(outDir: string, offices: readonly string[] = []): Promise<void> {
  const owned = [
    ...CACHE_FOLDERS.map((folder) => ({ folder, what: 'its cache folder' })),
    ...offices.map((office) => ({ folder: office, what: `the folder of office ${office}` })),
  ]
  for (const { folder, what } of owned) {
    const target = path.join(outDir, ...folder.split('/'))
    const problem = await describeNonFolder(target)
    if (problem) {
      fail(
        'ENVIRONMENT',
        `${target} ${problem}, where ortug keeps ${what}: ortug writes only real folders inside ${outDir} and never follows a link there; ${moveOrRemove(target, problem)}`,
      )
    }
  }
}

/** What to do about a link or file where ortug needs a real folder. */
function moveOrRemove(folder: string, problem: string): string {
  const link = problem === 'is a symbolic link' ? ' (removing the link leaves what it points to as it is)' : ''
  return `move or remove ${folder}${link}, then build again`
}

/** Whether `child` lies inside `parent` (not `parent` itself). Windows paths compare without case, as NTFS does. */
export function isInside(parent: string, child: string, p: PlatformPath = path): boolean {
  const relative = p.relative(p.resolve(parent), p.resolve(child))
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${p.sep}`) && !p.isAbsolute(relative)
}

/** `<outDir>/<relative>` for an output path such as `kota-bandung/ortug-kpu-jabar.pdf`; refuses one that leaves `outDir`. */
export function resolveOutputPath(outDir: string, relative: string, p: PlatformPath = path): string {
  return resolveInside(outDir, relative, p) ?? fail('ENVIRONMENT', `refusing to write ${relative}: it lies outside ${outDir}`)
}

/**
 * resolveOutputPath for a move into the output folder: also refuses a target whose folders there
 * are not real folders (a link in the folder, or in a journal or staging folder planted there,
 * would have the move write outside it).
 */
export async function resolveMoveTarget(outDir: string, relative: string): Promise<string> {
  const target = resolveOutputPath(outDir, relative)
  const folders = relative.split('/').slice(0, -1)
  for (let depth = 1; depth <= folders.length; depth++) {
    const folder = path.join(outDir, ...folders.slice(0, depth))
    const problem = await describeNonFolder(folder)
    if (problem) fail('ENVIRONMENT', `refusing to write ${relative}: ${folder} ${problem}, and ortug never writes through it; ${moveOrRemove(folder, problem)}`)
  }
  return target
}

/** Where `<office>/<name>` is staged: `<stagingDir>/office-<office>/<name>`; refuses a file of another office. */
export function resolveStagedPath(stagingDir: string, office: string, filePath: string, p: PlatformPath = path): string {
  const [first, ...rest] = filePath.split('/')
  const staged = first === office ? resolveInside(p.join(stagingDir, `office-${office}`), rest.join('/'), p) : undefined
  return staged ?? fail('ENVIRONMENT', `refusing to write ${filePath} outside ${office}/`)
}

function resolveInside(dir: string, relative: string, p: PlatformPath): string | undefined {
  const segments = relative.split('/')
  if (segments.some((segment) => RE_UNSAFE_SEGMENT.test(segment))) return undefined
  const target = p.resolve(dir, ...segments)
  return isInside(dir, target, p) ? target : undefined
}
