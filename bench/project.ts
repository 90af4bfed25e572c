import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseDocument } from 'yaml'

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

/** Indonesia's KPU offices: 38 provinces, 416 regencies, 98 cities = 552. */
export const NATIONAL_LEVELS = [
  { level: 'provinsi', label: 'Provinsi', count: 38 },
  { level: 'kabupaten', label: 'Kabupaten', count: 416 },
  { level: 'kota', label: 'Kota', count: 98 },
] as const

export interface SyntheticOffice {
  id: string
  yaml: string
}

/** `total` synthetic offices in the national proportions, e.g. kabupaten-sintetis-001. */
export function syntheticOffices(total: number): SyntheticOffice[] {
  const national = NATIONAL_LEVELS.reduce((sum, l) => sum + l.count, 0)
  const offices: SyntheticOffice[] = []
  NATIONAL_LEVELS.forEach(({ level, label, count }, index) => {
    const last = index === NATIONAL_LEVELS.length - 1
    const n = last ? total - offices.length : Math.round((count * total) / national)
    for (let i = 1; i <= n; i++) {
      const number = String(i).padStart(3, '0')
      const region = `${label} Sintetis ${number}`
      offices.push({ id: `${level}-sintetis-${number}`, yaml: `name: "KPU ${region}"\nregion: "${region}"\nlevel: ${level}\n` })
    }
  })
  return offices
}

/** A project with the repository's essays, templates and defaults, and only synthetic offices. */
export async function createSyntheticProject(repo: string, dir: string, total: number): Promise<string> {
  await copyProject(repo, dir)
  for (const id of await listOffices(dir)) await rm(path.join(officesDir(dir), `${id}.yaml`))
  for (const office of syntheticOffices(total)) await writeFile(path.join(officesDir(dir), `${office.id}.yaml`), office.yaml)
  const count = (await listOffices(dir)).length
  if (count !== total) throw new Error(`the synthetic project has ${count} offices, not ${total}`)
  return dir
}
