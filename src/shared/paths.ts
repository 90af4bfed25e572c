import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The install's root folder. Every module sits two folders below it (src/<stage>/), and so does the
 * bundle's `import.meta.url` (see bin/bundle.mjs), so one relative step serves both.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A file or folder of the install, by its path from the root. */
export function installPath(...parts: string[]): string {
  return path.join(ROOT, ...parts)
}
