import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { collectErrors, OrtugError, OrtugErrors } from '../shared/error.ts'
import { installPath } from '../shared/paths.ts'
import { LAYOUTS } from '../shared/schema.ts'
import type { DeckTemplates, TemplateSource } from '../shared/types.ts'
import { type Folder, isDirectory, readInside } from './files.ts'

// The deck's templates: the project's templates/ folder or ortug's own, and each office's overrides.

export const BUILTIN_TEMPLATES = installPath('templates')

/** What an office may override: any layout, and the handout page. */
const OVERRIDABLE = [...LAYOUTS, 'handout'] as const
type OverridableTemplate = (typeof OVERRIDABLE)[number]
export type Overrides = Partial<Record<OverridableTemplate, TemplateSource>>

/** One template per layout, every layout present. */
const layoutsSchema = z.record(z.enum(LAYOUTS), z.object({ file: z.string(), text: z.string() }))

/** The project's templates folder, or ortug's own when it has none. */
export async function findTemplatesDir(root: string): Promise<string> {
  const own = path.join(root, 'templates')
  return (await isDirectory(own)) ? own : BUILTIN_TEMPLATES
}

/** deck.hbs, every layout and handout.hbs, read in that order (the first unreadable one is the error). */
export async function loadLayouts(templatesDir: string, folder: Folder): Promise<DeckTemplates> {
  const read = async (file: string): Promise<TemplateSource> => ({ file, text: await readInside(file, folder) })
  const layouts: Record<string, TemplateSource> = {}
  for (const name of LAYOUTS) layouts[name] = await read(path.join(templatesDir, 'layouts', `${name}.hbs`))
  return {
    deck: await read(path.join(templatesDir, 'deck.hbs')),
    layouts: layoutsSchema.parse(layouts),
    handout: await read(path.join(templatesDir, 'handout.hbs')),
  }
}

/** An office's templates: the project's, with its own overrides in place of a layout or the handout page. */
export function withOverrides(templates: DeckTemplates, override: Overrides): DeckTemplates {
  const { handout, ...layouts } = override
  return { deck: templates.deck, layouts: { ...templates.layouts, ...layouts }, handout: handout ?? templates.handout }
}

/**
 * `templates/offices/<id>/<layout>.hbs` and `handout.hbs`, for the selected offices: a misspelt
 * template or office id is an error, never ignored. A bad template is its office's problem (that
 * office fails, the others build with their own overrides); a folder for no office is everyone's.
 */
export async function loadOverrides(
  templatesDir: string,
  folder: Folder,
  officeIds: readonly string[],
  selected: readonly string[],
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
    if (selected.includes(id)) byOffice.set(id, await loadOfficeOverrides(officeDir, folder))
  }
  return { byOffice, strays }
}

/** The templates of one office's folder, or every problem with them. */
async function loadOfficeOverrides(officeDir: string, folder: Folder): Promise<Overrides | OrtugErrors> {
  const templates: Overrides = {}
  const problems: OrtugError[] = []
  for (const file of await readdir(officeDir)) {
    const name = file.replace(/\.hbs$/, '')
    const full = path.join(officeDir, file)
    if (!file.endsWith('.hbs') || !isOverridable(name)) {
      const message = `"${file}" is not a template an office can override; name it <layout>.hbs with layout one of: ${LAYOUTS.join(', ')}; or handout.hbs`
      problems.push(new OrtugError('CONTENT', message, { location: { file: full } }))
      continue
    }
    try {
      templates[name] = { file: full, text: await readInside(full, folder) }
    } catch (error) {
      problems.push(...collectErrors(error))
    }
  }
  return problems.length > 0 ? new OrtugErrors(problems) : templates
}

function isOverridable(name: string): name is OverridableTemplate {
  return OVERRIDABLE.some((template) => template === name)
}
