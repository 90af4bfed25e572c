import { createHash } from 'node:crypto'
import { readdir, readFile, realpath } from 'node:fs/promises'
import path from 'node:path'
import { exists } from '../shared/disk.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import type { DeckTemplates, Essay, Office, Storyboard } from '../shared/types.ts'
import { MAX_ESSAY_BYTES, parseEssay } from './essay.ts'
import { type Folder, listFiles, readInside } from './files.ts'
import { loadOffice } from './load-office.ts'
import { parseDefaults } from './office.ts'
import { parseStoryboard } from './storyboard.ts'
import { findTemplatesDir, loadLayouts, loadOverrides, type Overrides, withOverrides } from './templates.ts'
import type { YamlSource } from './yaml.ts'

// Reading the project from disk: the I/O edge of the loading stage. The files themselves are read
// by files.ts (limits, links), templates.ts (templates and overrides) and load-office.ts (logos).

export { MAX_TEXT_BYTES, readInside, readText } from './files.ts'
export { BUILTIN_TEMPLATES } from './templates.ts'
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
  const templatesDir = await findTemplatesDir(root)
  const problems: OrtugError[] = []
  const attempt: Attempt = async (load) => {
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
  const listing = await listProject(contentDir, selection)
  problems.push(...listing.twinProblems)
  const essays = await loadEssays(listing, folders, selection, attempt)
  const shared = await loadShared(listing, templatesDir, folders, attempt)
  problems.push(...shared.strays)
  const offices = await loadOffices(listing, shared, { folders, contentDir, essays: essays.map((e) => e.essay) }, attempt)
  // A mistake in _defaults.yaml is found once per office: report it once.
  const unique = [...new Map(problems.map((p) => [p.format(), p])).values()]
  return { root, contentDir, templatesDir, essays, offices, themeFile: shared.themeFile, problems: unique }
}

/** Runs one loading step; its problems are collected, and undefined stands for what did not load. */
type Attempt = <T>(load: () => Promise<T>) => Promise<T | undefined>

interface Folders {
  content: Folder
  templates: Folder
}

/** The essay and office files of content/, the selection checked against them. */
interface Listing {
  essaysDir: string
  officesDir: string
  essaySlugs: string[]
  /** Office ids and their files, in order. */
  officeFiles: { id: string; file: string }[]
  officeIds: string[]
  /** The office ids to build: all, or those of --office. */
  selected: string[]
  /** Ids with two files (.yaml and .yml): neither is read. */
  twins: Set<string>
  twinProblems: OrtugError[]
}

async function listProject(contentDir: string, selection: Selection): Promise<Listing> {
  const essaysDir = path.join(contentDir, 'essays')
  const officesDir = path.join(contentDir, 'offices')
  const essayFiles = await listFiles(essaysDir, /^(?!_).*\.md$/, 'content/essays/', 'write an essay as content/essays/<slug>.md')
  const officeFiles = (await listFiles(officesDir, /^(?!_).*\.ya?ml$/, 'content/offices/', 'add content/offices/<id>.yaml (see README)')).map((file) => ({
    id: file.replace(/\.ya?ml$/, ''),
    file,
  }))
  const essaySlugs = essayFiles.map((f) => f.replace(/\.md$/, ''))
  const officeIds = officeFiles.map((f) => f.id)
  // "kota-bandung.yaml" and "kota-bandung.yml" would both build into dist/kota-bandung/: neither is trusted.
  const twins = new Set(officeIds.filter((id, i) => officeIds.indexOf(id) !== i))
  const twinProblems = [...twins].map((id) => {
    const files = officeFiles.filter((f) => f.id === id).map((f) => f.file)
    return new OrtugError('CONTENT', `office "${id}" has two files, ${files.join(' and ')}; an office id is its file name: keep one of them`, {
      location: { file: path.join(officesDir, ...files.slice(-1)) },
    })
  })
  verifySelection('--essay', selection.essays, essaySlugs)
  verifySelection('--office', selection.offices, officeIds)
  const selected = officeIds.filter((id) => !selection.offices || selection.offices.includes(id))
  return { essaysDir, officesDir, essaySlugs, officeFiles, officeIds, selected, twins, twinProblems }
}

async function loadEssays(listing: Listing, folders: Folders, selection: Selection, attempt: Attempt): Promise<ProjectInput['essays']> {
  const essays: ProjectInput['essays'] = []
  for (const slug of listing.essaySlugs) {
    if (selection.essays && !selection.essays.includes(slug)) continue
    const loaded = await attempt(() => loadEssay(listing.essaysDir, slug, folders, !selection.withoutStoryboards))
    if (loaded) essays.push(loaded)
  }
  return essays
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

/** What every office builds on: _defaults.yaml, the templates and theme, and the overrides of the selected offices. */
interface Shared {
  defaultsFile: string
  defaults: YamlSource | undefined
  layouts: DeckTemplates | undefined
  themeFile: string
  overrides: Map<string, Overrides | OrtugErrors> | undefined
  /** Override folders for no office. */
  strays: OrtugError[]
}

async function loadShared(listing: Listing, templatesDir: string, folders: Folders, attempt: Attempt): Promise<Shared> {
  const defaultsFile = path.join(listing.officesDir, '_defaults.yaml')
  const defaults = (await exists(defaultsFile))
    ? await attempt(async () => parseDefaults(await readInside(defaultsFile, folders.content, OFFICE_LIMIT), defaultsFile))
    : undefined
  const layouts = await attempt(() => loadLayouts(templatesDir, folders.templates))
  const themeFile = path.join(templatesDir, 'theme', 'ortug.css')
  await attempt(() => readInside(themeFile, folders.templates))
  const overrides = await attempt(() => loadOverrides(templatesDir, folders.templates, listing.officeIds, listing.selected))
  return { defaultsFile, defaults, layouts, themeFile, overrides: overrides?.byOffice, strays: overrides?.strays ?? [] }
}

interface OfficeContext {
  folders: Folders
  contentDir: string
  /** The essays that loaded: the sections an office refers to must be theirs. */
  essays: Essay[]
}

async function loadOffices(listing: Listing, shared: Shared, context: OfficeContext, attempt: Attempt): Promise<ProjectInput['offices']> {
  const offices: ProjectInput['offices'] = []
  for (const { id, file } of listing.officeFiles) {
    if (!listing.selected.includes(id) || listing.twins.has(id)) continue
    const loaded = await attempt(() => loadOfficeEntry(path.join(listing.officesDir, file), id, shared, context))
    if (loaded) offices.push(loaded)
  }
  return offices
}

/** One office with its templates and the files it is made from. */
async function loadOfficeEntry(filePath: string, id: string, shared: Shared, context: OfficeContext): Promise<ProjectInput['offices'][number]> {
  const { defaults, defaultsFile, layouts } = shared
  const text = await readInside(filePath, context.folders.content, OFFICE_LIMIT)
  const office = await loadOffice(text, { id, filePath, defaults, contentDir: context.contentDir, essays: context.essays })
  const override = shared.overrides?.get(id) ?? {}
  if (override instanceof OrtugErrors) throw override
  if (!layouts) throw new OrtugError('CONTENT', 'templates could not be loaded')
  const inputs = [filePath, ...(defaults ? [defaultsFile] : []), ...Object.values(override).map((t) => t.file)]
  return { office, templates: withOverrides(layouts, override), inputs }
}

function verifySelection(flag: string, wanted: string[] | undefined, available: string[]): void {
  const unknown = wanted?.filter((w) => !available.includes(w)) ?? []
  if (unknown.length > 0) {
    fail('USAGE', `${flag}: unknown ${unknown.map((u) => `"${u}"`).join(', ')}; available: ${available.join(', ') || '(none)'}`)
  }
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
