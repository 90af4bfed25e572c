import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { resolveSourceDate } from '../browser/pdf.ts'
import { isOutputFresh } from '../output/manifest.ts'
import { deckTemplateCompiler, type RenderMarkdown } from '../render/markdown.ts'
import { resolvePptxFontFiles } from '../render/pptx/assets.ts'
import { resolveFontFiles } from '../render/theme.ts'
import { collectErrors, type OrtugError } from '../shared/error.ts'
import { FORMATS, type Format } from '../shared/formats.ts'
import { sha256 } from '../shared/hash.ts'
import { ROOT } from '../shared/paths.ts'
import type { DeckTemplates, Essay, HandoutLayout, ManifestEntry, Office, OutputFile, Paper, Storyboard } from '../shared/types.ts'
import { VERSION } from '../shared/version.ts'
import type { Project } from './project.ts'

// What a build has to do: one job per deck (office × essay) whose outputs are out of date, each
// output keyed by the hashes of the inputs that shape it.

/** One deck to make: what shapes it, and which of its outputs. */
export interface DeckJob {
  office: Office
  templates: DeckTemplates
  essay: Essay
  storyboard: Storyboard
  renderMarkdown: RenderMarkdown
  /** Hashes of the input files by their path in the project, for the manifest. */
  inputs: Record<string, string>
  /** Per format: hash of ortug's version, the inputs and the options that shape that output. */
  keys: Record<Format, string>
  handout: { layout: HandoutLayout; paper: Paper }
  formats: readonly Format[]
  /** The date its PDFs carry: SOURCE_DATE_EPOCH, else the newest of its essay, office and template files. */
  sourceDate: Date
}

export interface JobOptions {
  formats: readonly Format[]
  /** Handout layout and paper for every office, instead of each office's own setting. */
  handout?: { layout?: HandoutLayout; paper?: Paper }
  /** Skip outputs that the previous manifest shows up to date in `outDir` (a build); without it, every deck is a job. */
  freshness?: { previous: readonly ManifestEntry[]; outDir: string; force?: boolean }
  /** The environment's SOURCE_DATE_EPOCH: the date of every PDF, instead of the newest input's. */
  sourceDateEpoch?: string
}

export interface PlannedJobs {
  jobs: DeckJob[]
  /** Outputs that are up to date. */
  unchanged: number
  /** Offices whose templates do not compile, and the like: those offices have no jobs. */
  errors: OrtugError[]
}

/** Jobs for the given offices × every essay, office by office in order. */
export async function planJobs(project: Project, offices: Project['offices'], options: JobOptions): Promise<PlannedJobs> {
  const hash = inputHasher(project.root)
  const epoch = options.sourceDateEpoch?.trim() || undefined
  // A malformed value fails the whole build once, not every office.
  if (epoch) resolveSourceDate(epoch, [])
  const dates = sourceDater(epoch)
  const compile = deckTemplateCompiler()
  const planned = await Promise.all(offices.map((entry) => planOffice(project, entry, { hash, dateOf: dates, compile }, options)))
  return {
    jobs: planned.flatMap((p) => p.jobs),
    unchanged: planned.reduce((sum, p) => sum + p.unchanged, 0),
    errors: planned.flatMap((p) => p.errors),
  }
}

export function manifestEntry(job: DeckJob, format: Format, file: OutputFile): ManifestEntry {
  return {
    path: file.path,
    bytes: file.bytes.byteLength,
    sha256: sha256(file.bytes),
    office: job.office.id,
    officeName: job.office.name,
    officeLevel: job.office.level,
    officeColors: { primary: job.office.colors.primary, accent: job.office.colors.accent },
    essay: job.essay.slug,
    essayTitle: job.essay.meta.title,
    format,
    key: job.keys[format],
    inputs: job.inputs,
  }
}

/**
 * Per format, the key of an output: ortug's version, the format, the inputs' hashes and the
 * options that shape it. The handout adds its template; the PowerPoint deck the fonts it is measured with.
 */
export function outputKeys(
  inputs: Record<string, string>,
  handoutInputs: Record<string, string>,
  handout: DeckJob['handout'],
  pptxInputs: Record<string, string> = {},
): Record<Format, string> {
  const keys = FORMATS.map((format) => {
    const shaping =
      format === 'handout' ? { inputs: { ...inputs, ...handoutInputs }, handout } : format === 'pptx' ? { inputs: { ...inputs, ...pptxInputs } } : { inputs }
    return [format, sha256(JSON.stringify({ version: VERSION, format, ...shaping }))] as const
  })
  // biome-ignore lint/plugin: the entries are built from FORMATS, one per format, so every key of the record is present
  return Object.fromEntries(keys) as Record<Format, string>
}

/**
 * Project files by their path in the project; files outside it by package path: fonts in
 * node_modules as `@fontsource/...`, ortug's own templates (a project without templates/) as
 * `ortug/templates/...` wherever ortug is installed.
 */
export function displayPath(root: string, file: string, p: path.PlatformPath = path, install: string = ROOT): string {
  const inside = (dir: string) => {
    const relative = p.relative(dir, file)
    return relative === '..' || relative.startsWith(`..${p.sep}`) || p.isAbsolute(relative) ? undefined : relative.split(p.sep).join('/')
  }
  const project = inside(root)
  if (project !== undefined) return project
  const parts = file.split(p.sep)
  const packages = parts.lastIndexOf('node_modules')
  if (packages >= 0) return parts.slice(packages + 1).join('/')
  const ortug = inside(install)
  return ortug === undefined ? parts.join('/') : `ortug/${ortug}`
}

// --- internal ---

type HashInputs = (files: string[]) => Promise<Record<string, string>>
type DateInputs = (files: string[]) => Promise<Date>

/** The date of a set of input files (see resolveSourceDate), each file's time read once per build. */
function sourceDater(epoch: string | undefined): DateInputs {
  const mtimes = new Map<string, Promise<number>>()
  const mtimeOf = (file: string) => {
    let mtime = mtimes.get(file)
    if (!mtime) {
      mtime = epoch ? Promise.resolve(0) : stat(file).then((info) => info.mtimeMs)
      mtimes.set(file, mtime)
    }
    return mtime
  }
  return async (files) => resolveSourceDate(epoch, await Promise.all(files.map(mtimeOf)))
}

/** Hashes of input files by their path in the project, each file read once per build (offices share templates, essays and fonts). */
function inputHasher(root: string): HashInputs {
  const hashes = new Map<string, Promise<string>>()
  const hashFile = (file: string) => {
    let hash = hashes.get(file)
    if (!hash) {
      hash = readFile(file).then((bytes) => sha256(bytes))
      hashes.set(file, hash)
    }
    return hash
  }
  return async (files) => Object.fromEntries(await Promise.all(files.map(async (file) => [displayPath(root, file), await hashFile(file)] as const)))
}

async function planOffice(
  project: Project,
  { office, templates, inputs: officeInputs }: Project['offices'][number],
  { hash, dateOf, compile }: { hash: HashInputs; dateOf: DateInputs; compile: (templates: DeckTemplates) => RenderMarkdown },
  { formats, handout: handoutOption, freshness }: Omit<JobOptions, 'sourceDateEpoch'>,
): Promise<PlannedJobs> {
  const jobs: DeckJob[] = []
  let unchanged = 0
  try {
    // Every output depends on the theme and fonts too: the fit check decides where slides split.
    const shared = await hash([project.themeFile, ...resolveFontFiles(), templates.deck.file, ...Object.values(templates.layouts).map((t) => t.file)])
    const handoutInputs = await hash([templates.handout.file])
    const pptxInputs = formats.includes('pptx') ? await hash(resolvePptxFontFiles()) : {}
    const handout = { layout: handoutOption?.layout ?? office.handout.layout, paper: handoutOption?.paper ?? office.handout.paper }
    let renderMarkdown: RenderMarkdown | undefined
    for (const { essay, storyboard, inputs: essayInputs } of project.essays) {
      const inputs = { ...shared, ...(await hash([...essayInputs, ...officeInputs])) }
      const keys = outputKeys(inputs, handoutInputs, handout, pptxInputs)
      const fresh = await Promise.all(
        formats.map(
          (format) => !!freshness && !freshness.force && isOutputFresh(freshness.previous, freshness.outDir, office.id, essay.slug, format, keys[format]),
        ),
      )
      const stale = formats.filter((_, i) => !fresh[i])
      unchanged += fresh.filter(Boolean).length
      if (freshness && stale.length === 0) continue
      renderMarkdown ??= compile(templates)
      const templateFiles = [project.themeFile, templates.deck.file, templates.handout.file, ...Object.values(templates.layouts).map((t) => t.file)]
      const sourceDate = await dateOf([...templateFiles, ...essayInputs, ...officeInputs])
      jobs.push({ office, templates, essay, storyboard, renderMarkdown, inputs, keys, handout, formats: stale, sourceDate })
    }
    return { jobs, unchanged, errors: [] }
  } catch (error) {
    return { jobs: [], unchanged: 0, errors: collectErrors(error) }
  }
}
