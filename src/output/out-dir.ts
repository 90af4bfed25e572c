import type { Dirent } from 'node:fs'
import { realpathSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fail } from '../shared/error.ts'
import { readManifestFile } from './manifest.ts'
import { isInside } from './output-paths.ts'

// Where --out may point. A build replaces what it makes inside its output folder and a merge
// replaces the office folders it gathers: an output folder that is the project itself, holds it,
// or lies in content/ or templates/ would make ortug write over (and read back as outputs) the
// files it builds from. So those are refused as wrong usage (exit 2) before anything is read.

/** The project's source folders: an output folder may not be one, hold one, or lie inside one (beside them, as dist/ is, it may). */
const SOURCE_FOLDERS = ['content', 'templates'] as const

/** The absolute output folder `--out value` names, relative to the project `root`; refuses an empty value and the project's own folders. */
export function resolveOutDir(value: string, root: string, flag = '--out'): string {
  if (value.trim() === '') fail('USAGE', `${flag} is empty: give the folder to write to, such as ${flag} dist (the default)`)
  const outDir = path.resolve(root, value)
  for (const [out, project] of [
    [outDir, path.resolve(root)],
    [resolveReal(outDir), resolveReal(root)],
  ] as const) {
    const clash = describeClash(out, project)
    if (clash) {
      fail(
        'USAGE',
        `${flag} ${value} is ${clash}: ortug replaces what it writes there, so give a folder of its own outside content/ and templates/ that holds neither (such as ${flag} dist, the default)`,
      )
    }
  }
  return outDir
}

/** What a build or merge writes at the top of its output folder, besides a folder per office and its dotfiles. */
const TOP_LEVEL_FILES = ['index.html', 'manifest.json']

/**
 * An output folder that holds what a build or merge would replace (`index.html`, `manifest.json`,
 * a folder, which may be named as an office is) must be ortug's: its manifest, or its cache
 * folder, is there. In any other folder (`--out ~/Documents` by mistake) that would delete
 * someone's files; refused (exit 2) before anything is built. Dotfiles (`.gitkeep`) and other
 * plain files (a site's `CNAME`, `robots.txt`) are never touched, so they do not count.
 */
export async function verifyOutDirIsOrtugs(outDir: string, flag = '--out'): Promise<void> {
  const entries = await readdir(outDir, { withFileTypes: true }).catch((): Dirent[] => [])
  const replaced = entries
    .filter((entry) => !entry.name.startsWith('.') && (!entry.isFile() || TOP_LEVEL_FILES.includes(entry.name)))
    .map((entry) => entry.name)
    .sort()
  if (replaced.length === 0) return
  // readdir tells the kind without following links: a link named .ortug-cache is not ortug's folder.
  if (entries.some((entry) => entry.name === '.ortug-cache' && entry.isDirectory())) return
  if (await readManifestFile(outDir)) return
  const some = replaced.length > 3 ? `${replaced.slice(0, 3).join(', ')} and ${replaced.length - 3} more` : replaced.join(', ')
  fail(
    'USAGE',
    `${flag} ${outDir} holds ${some} but is not an ortug output folder (no manifest.json or .ortug-cache/ of ortug's there): ortug replaces index.html, manifest.json and a folder per office in it; give an empty or new folder (such as ${flag} dist, the default), or move those out`,
  )
}

// ---- internal ----

function describeClash(outDir: string, root: string): string | undefined {
  if (outDir === root) return 'the project folder itself'
  if (isInside(outDir, root)) return 'a folder that holds the project'
  for (const folder of SOURCE_FOLDERS) {
    const source = path.join(root, folder)
    if (outDir === source) return `the project's ${folder}/ folder`
    if (isInside(source, outDir)) return `inside the project's ${folder}/ folder`
  }
  return undefined
}

/** The path with links resolved as far as it exists (the output folder may not exist yet), so a link to the project is told too. */
function resolveReal(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    const parent = path.dirname(file)
    return parent === file ? file : path.join(resolveReal(parent), path.basename(file))
  }
}
