import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes } from '../shared/bytes.ts'
import { collectErrors, fail, type Location, OrtugErrors } from '../shared/error.ts'
import { LOGO_LIMITS } from '../shared/schema.ts'
import type { Essay, Office } from '../shared/types.ts'
import { verifyLogo } from './logo.ts'
import { checkOffice, verifyOfficeSections } from './office.ts'
import type { YamlSource } from './yaml.ts'

// Reading one office file into an Office: the disk side of office.ts (the logo file).

/**
 * One office: its fields, the sections it refers to and its logo, each checked even when another
 * is wrong, so that `ortug check` lists every problem of the file in one pass.
 */
export async function loadOffice(
  text: string,
  context: { id: string; filePath: string; defaults?: YamlSource; contentDir: string; essays: readonly Essay[] },
): Promise<Office> {
  const { office: draft, problems, parts } = checkOffice(text, context.id, context.filePath, context.defaults)
  if (!parts) throw new OrtugErrors(problems)
  const collect = async <T>(work: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await work()
    } catch (error) {
      problems.push(...collectErrors(error))
      return undefined
    }
  }
  await collect(() => verifyOfficeSections(parts, context.essays))
  const logo = await collect(() => readLogo(parts.logo, parts.locate(['logo']), context.contentDir))
  if (problems.length > 0 || !draft) throw new OrtugErrors(problems)
  const { logo: _written, locate: _locate, ...office } = draft
  return logo ? { ...office, logo } : office
}

/** The logo as a data: URI, after checking it lies inside content/assets/ and is an image within LOGO_LIMITS. */
async function readLogo(logo: string | undefined, location: Location, contentDir: string): Promise<string | undefined> {
  if (!logo) return undefined
  const assetsDir = path.join(contentDir, 'assets')
  const candidate = path.resolve(contentDir, logo)
  let real: string
  try {
    real = await realpath(candidate)
  } catch (cause) {
    const where = path.relative(path.dirname(contentDir), candidate).split(path.sep).join('/')
    const fix = 'copy the logo image there, correct the path (it is relative to content/), or remove the logo line'
    fail('CONTENT', `logo: no file at ${where}; ${fix}`, { location, cause })
  }
  const realAssets = await realpath(assetsDir).catch(() => assetsDir)
  if (!real.startsWith(realAssets + path.sep)) {
    fail('CONTENT', `logo: "${logo}" resolves outside content/assets/ (links are followed); logos must be files under content/assets/`, { location })
  }
  const info = await stat(real)
  // A folder would fail to read, and a pipe or device would never finish reading.
  if (!info.isFile()) {
    fail('CONTENT', `logo: "${logo}" is not a file; point it at a PNG, JPEG, WebP or SVG image under content/assets/`, { location })
  }
  if (info.size > LOGO_LIMITS.bytes) {
    fail('CONTENT', `logo: "${logo}" is ${formatBytes(info.size)}; the limit is ${formatBytes(LOGO_LIMITS.bytes)}: export a smaller PNG, WebP or SVG`, {
      location,
    })
  }
  const bytes = await readFile(real)
  const verdict = verifyLogo(bytes)
  if (verdict.problem !== undefined) fail('CONTENT', `logo: "${logo}" ${verdict.problem}`, { location })
  return `data:${verdict.mime};base64,${bytes.toString('base64')}`
}
