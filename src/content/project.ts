import { createHash } from 'node:crypto'
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes } from '../shared/bytes.ts'
import { compareText } from '../shared/collate.ts'
import { exists } from '../shared/disk.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import { installPath } from '../shared/paths.ts'
import { LAYOUTS } from '../shared/schema.ts'
import type { DeckTemplates, Essay, LayoutName, Office, Storyboard, TemplateSource } from '../shared/types.ts'
import { MAX_ESSAY_BYTES, parseEssay } from './essay.ts'
import { loadOffice } from './load-office.ts'
import { parseDefaults } from './office.ts'
import { parseStoryboard } from './storyboard.ts'
import { decodeUtf8 } from './utf8.ts'

// Reading the project from disk: the only module of the loading stage that touches files.

export const BUILTIN_TEMPLATES = installPath('templates')
/** Templates and the theme: far more than any needs. */
export const MAX_TEXT_BYTES = 1024 * 1024
/** An office file or _defaults.yaml: its text (extra slides above all) is a budget of slides, like an essay's. */
export const MAX_OFFICE_BYTES = 64 * 1024
const OFFICE_LIMIT = { limit: MAX_OFFICE_BYTES, fix: 'an office file holds settings and a few extra slides; move long text into an essay' }

/** The project as read: an essay's storyboard is the authored one, if any (plan/derive.ts derives the others). */
export interface ProjectInput {
  root: string
  contentDir: string
  templatesDir: string
  essays: { essay: Essay; storyboard: Storyboard | undefined; inputs: string[] }[]
  offices: { office: Office; templates: DeckTemplates; inputs: string[] }[]
  themeFile: string
  /** Every problem found; the items above hold only what loaded cleanly. */
  problems: OrtugError[]
}

export interface Selection {
  offices?: string[]
  essays?: string[]
  /** Read essays only, as if none had a storyboard (`ortug storyboard --force` replaces it, valid or not). */
  withoutStoryboards?: boolean
}

/** Loads essays, storyboards, offices and templates, collecting every problem instead of stopping at the first. */
export async function readProject(root: string, selection: Selection = {}): Promise<ProjectInput> {
  const contentDir = path.join(root, 'content')
  const templatesDir = (await isDirectory(path.join(root, 'templates'))) ? path.join(root, 'templates') : BUILTIN_TEMPLATES
  const problems: OrtugError[] = []
  const attempt = async <T>(load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load()
    } catch (error) {
      problems.push(...collectErrors(error))
      return undefined
    }
  }

  // Every file read must lie in its folder once links are followed, like logos in content/assets/.
  const folders: Folders = {
    content: { real: await realpath(contentDir).catch(() => contentDir), label: 'content' },
    templates: { real: await realpath(templatesDir), label: 'templates' },
  }
  const essaysDir = path.join(contentDir, 'essays')
  const officesDir = path.join(contentDir, 'offices')
  const essayFiles = await listFiles(essaysDir, /^(?!_).*\.md$/, 'content/essays/', 'write an essay as content/essays/<slug>.md')
  const officeFiles = await listFiles(officesDir, /^(?!_).*\.ya?ml$/, 'content/offices/', 'add content/offices/<id>.yaml (see README)')
  const essaySlugs = essayFiles.map((f) => f.replace(/\.md$/, ''))
  const officeIds = officeFiles.map((f) => f.replace(/\.ya?ml$/, ''))
  // "kota-bandung.yaml" and "kota-bandung.yml" would both build into dist/kota-bandung/: neither is trusted.
  const twins = new Set(officeIds.filter((id, i) => officeIds.indexOf(id) !== i))
  for (const id of twins) {
    const files = officeFiles.filter((f) => f.replace(/\.ya?ml$/, '') === id)
    problems.push(
      new OrtugError('CONTENT', `office "${id}" has two files, ${files.join(' and ')}; an office id is its file name: keep one of them`, {
        location: { file: path.join(officesDir, files.at(-1) as string) },
      }),
    )
  }
  verifySelection('--essay', selection.essays, essaySlugs)
  verifySelection('--office', selection.offices, officeIds)

  const essays: ProjectInput['essays'] = []
  for (const file of essayFiles) {
    const slug = file.replace(/\.md$/, '')
    if (selection.essays && !selection.essays.includes(slug)) continue
    const loaded = await attempt(() => loadEssay(essaysDir, slug, folders, !selection.withoutStoryboards))
    if (loaded) essays.push(loaded)
  }

  const defaultsFile = path.join(officesDir, '_defaults.yaml')
  const defaults = (await exists(defaultsFile))
    ? await attempt(async () => parseDefaults(await readInside(defaultsFile, folders.content, OFFICE_LIMIT), defaultsFile))
    : undefined
  const layouts = await attempt(() => loadLayouts(templatesDir, folders.templates))
  const themeFile = path.join(templatesDir, 'theme', 'ortug.css')
  await attempt(() => readInside(themeFile, folders.templates))
  const selected = officeIds.filter((id) => !selection.offices || selection.offices.includes(id))
  const overrides = await attempt(() => loadOverrides(templatesDir, folders.templates, officeIds, selected))
  problems.push(...(overrides?.strays ?? []))

  const offices: ProjectInput['offices'] = []
  for (const file of officeFiles) {
    const id = file.replace(/\.ya?ml$/, '')
    if ((selection.offices && !selection.offices.includes(id)) || twins.has(id)) continue
    const loaded = await attempt(async () => {
      const filePath = path.join(officesDir, file)
      const office = await loadOffice(await readInside(filePath, folders.content, OFFICE_LIMIT), {
        id,
        filePath,
        defaults,
        contentDir,
        essays: essays.map((e) => e.essay),
      })
      const override = overrides?.byOffice.get(id) ?? {}
      if (override instanceof OrtugErrors) throw override
      if (!layouts) throw new OrtugError('CONTENT', 'templates could not be loaded')
      const { handout, ...overrideLayouts } = override
      const templates = { deck: layouts.deck, layouts: { ...layouts.layouts, ...overrideLayouts }, handout: handout ?? layouts.handout }
      const inputs = [filePath, ...(defaults ? [defaultsFile] : []), ...Object.values(override).map((t) => t.file)]
      return { office, templates, inputs }
    })
    if (loaded) offices.push(loaded)
  }
  // A mistake in _defaults.yaml is found once per office: report it once.
  const unique = [...new Map(problems.map((p) => [p.format(), p])).values()]
  return { root, contentDir, templatesDir, essays, offices, themeFile, problems: unique }
}

/** A folder the files read must lie in: its path with links followed, and its name for messages. */
interface Folder {
  real: string
  label: string
}

interface Folders {
  content: Folder
  templates: Folder
}

async function loadEssay(essaysDir: string, slug: string, folders: Folders, withStoryboard: boolean) {
  const file = path.join(essaysDir, `${slug}.md`)
  const essay = parseEssay(
    await readInside(file, folders.content, {
      limit: MAX_ESSAY_BYTES,
      fix: 'split it into several essays, each a deck of its own',
    }),
    slug,
    file,
  )
  const storyboardFile = path.join(essaysDir, `${slug}.deck.yaml`)
  const hasStoryboard = withStoryboard && (await exists(storyboardFile))
  const storyboard = hasStoryboard
    ? parseStoryboard(
        await readInside(storyboardFile, folders.content, { limit: MAX_ESSAY_BYTES, fix: 'split the essay and its storyboard into several essays' }),
        storyboardFile,
        essay,
      )
    : undefined
  return { essay, storyboard, inputs: hasStoryboard ? [file, storyboardFile] : [file] }
}

/** What an office may override: any layout, and the handout page. */
const OVERRIDABLE = [...LAYOUTS, 'handout'] as const
type OverridableTemplate = (typeof OVERRIDABLE)[number]

async function loadLayouts(templatesDir: string, folder: Folder): Promise<DeckTemplates> {
  const read = async (file: string): Promise<TemplateSource> => ({ file, text: await readInside(file, folder) })
  const layouts = {} as Record<LayoutName, TemplateSource>
  for (const name of LAYOUTS) layouts[name] = await read(path.join(templatesDir, 'layouts', `${name}.hbs`))
  return { deck: await read(path.join(templatesDir, 'deck.hbs')), layouts, handout: await read(path.join(templatesDir, 'handout.hbs')) }
}

type Overrides = Partial<Record<OverridableTemplate, TemplateSource>>

/**
 * `templates/offices/<id>/<layout>.hbs` and `handout.hbs`, for the selected offices: a misspelt
 * template or office id is an error, never ignored. A bad template is its office's problem (that
 * office fails, the others build with their own overrides); a folder for no office is everyone's.
 */
async function loadOverrides(
  templatesDir: string,
  folder: Folder,
  officeIds: string[],
  selected: string[],
): Promise<{ byOffice: Map<string, Overrides | OrtugErrors>; strays: OrtugError[] }> {
  const dir = path.join(templatesDir, 'offices')
  const byOffice = new Map<string, Overrides | OrtugErrors>()
  const strays: OrtugError[] = []
  if (!(await isDirectory(dir))) return { byOffice, strays }
  for (const id of await readdir(dir)) {
    const officeDir = path.join(dir, id)
    if (!(await isDirectory(officeDir))) continue
    if (!officeIds.includes(id)) {
      strays.push(
        new OrtugError('CONTENT', `template overrides for "${id}", but there is no office content/offices/${id}.yaml; rename the folder to an office id`, {
          location: { file: officeDir },
        }),
      )
      continue
    }
    if (!selected.includes(id)) continue
    const templates: Overrides = {}
    const problems: OrtugError[] = []
    for (const file of await readdir(officeDir)) {
      const name = file.replace(/\.hbs$/, '')
      const full = path.join(officeDir, file)
      if (!file.endsWith('.hbs') || !(OVERRIDABLE as readonly string[]).includes(name)) {
        problems.push(
          new OrtugError(
            'CONTENT',
            `"${file}" is not a template an office can override; name it <layout>.hbs with layout one of: ${LAYOUTS.join(', ')}; or handout.hbs`,
            {
              location: { file: full },
            },
          ),
        )
        continue
      }
      try {
        templates[name as OverridableTemplate] = { file: full, text: await readInside(full, folder) }
      } catch (error) {
        problems.push(...collectErrors(error))
      }
    }
    byOffice.set(id, problems.length > 0 ? new OrtugErrors(problems) : templates)
  }
  return { byOffice, strays }
}

function verifySelection(flag: string, wanted: string[] | undefined, available: string[]): void {
  const unknown = wanted?.filter((w) => !available.includes(w)) ?? []
  if (unknown.length > 0) {
    fail('USAGE', `${flag}: unknown ${unknown.map((u) => `"${u}"`).join(', ')}; available: ${available.join(', ') || '(none)'}`)
  }
}

async function listFiles(dir: string, pattern: RegExp, label: string, fix: string): Promise<string[]> {
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

/**
 * sha256 over every file of content/ and the templates folder (and `extra` files, by name), with
 * their paths: shards built from one commit agree on it. Dot-files (editor leftovers) are skipped.
 */
export async function hashContentSet(project: Pick<ProjectInput, 'contentDir' | 'templatesDir'>, extra: readonly string[] = []): Promise<string> {
  const lines: string[] = []
  const walk = async (dir: string, label: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.name.startsWith('.')) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full, `${label}/${entry.name}`)
      else if (entry.isFile())
        lines.push(
          `${label}/${entry.name}\0${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')}`,
        )
    }
  }
  await walk(project.contentDir, 'content')
  await walk(project.templatesDir, 'templates')
  for (const file of extra)
    lines.push(
      `${path.basename(file)}\0${createHash('sha256')
        .update(await readFile(file))
        .digest('hex')}`,
    )
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex')
}

/** A content file's text: valid UTF-8, or refused at its first bad byte (see decodeUtf8). */
export async function readText(file: string): Promise<string> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (cause) {
    fail('CONTENT', `cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { location: { file }, cause })
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

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  )
}
