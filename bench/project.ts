import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseDocument } from 'yaml'
import { writeNationalOffices } from '../scripts/national.ts'

// Throwaway copies of the project for the benchmark: the repository's content is never touched.

/** Copies content/ and templates/ of `repo` into `dir`, which then serves as the CLI's cwd. */
export async function copyProject(repo: string, dir: string): Promise<string> {
  for (const folder of ['content', 'templates']) await cp(path.join(repo, folder), path.join(dir, folder), { recursive: true })
  return dir
}

export function officesDir(project: string): string {
  return path.join(project, 'content', 'offices')
}

/** Office ids of a project: content/offices/<id>.yaml, without the `_` files. */
export async function listOffices(project: string): Promise<string[]> {
  const files = await readdir(officesDir(project))
  return files
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('_'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort()
}

/** Essay slugs of a project: content/essays/<slug>.md. */
export async function listEssays(project: string): Promise<string[]> {
  const files = await readdir(path.join(project, 'content', 'essays'))
  return files
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -'.md'.length))
    .sort()
}

/** Changes the office's name (kept as YAML with its comments), so its decks must be rebuilt. */
export async function editOffice(project: string, officeId: string, suffix: string): Promise<string> {
  const file = path.join(officesDir(project), `${officeId}.yaml`)
  const doc = parseDocument(await readFile(file, 'utf8'))
  const name = `${String(doc.get('name')).replace(/ \(bench \d+\)$/, '')} (bench ${suffix})`
  doc.set('name', name)
  await writeFile(file, doc.toString())
  return name
}

/** The synthetic national offices (scripts/national.ts), so the benchmark builds what `npm run national` writes. */
export { NATIONAL_LEVELS, type SyntheticOffice, syntheticOffices } from '../scripts/national.ts'

/** A project with the repository's essays, templates and defaults, and only synthetic offices. */
export async function createSyntheticProject(repo: string, dir: string, total: number): Promise<string> {
  await copyProject(repo, dir)
  await writeNationalOffices(path.join(dir, 'content'), total, true)
  const count = (await listOffices(dir)).length
  if (count !== total) throw new Error(`the synthetic project has ${count} offices, not ${total}`)
  return dir
}
