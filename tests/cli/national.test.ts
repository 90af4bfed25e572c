import { execFile } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NATIONAL, syntheticOffices, writeNationalOffices } from '../../scripts/national.ts'
import { contrastRatio } from '../../src/content/office.ts'
import { loadProject } from '../../src/pipeline/project.ts'
import { makeProject, REPO, removeProject } from '../helpers.ts'

// scripts/national.ts: the synthetic national content set (552 offices) that loads cleanly.

describe('npm run national', () => {
  let dir: string
  let project: Awaited<ReturnType<typeof loadProject>>

  beforeAll(async () => {
    dir = await makeProject()
    await writeNationalOffices(path.join(dir, 'content'))
    project = await loadProject(dir)
  })
  afterAll(() => removeProject(dir))

  it('writes 38 provinces, 416 regencies and 98 cities that all load without a problem', () => {
    expect(project.problems.map((p) => p.format())).toEqual([])
    expect(project.offices).toHaveLength(552)
    const count = (level: string) => project.offices.filter(({ office }) => office.level === level).length
    expect([count('provinsi'), count('kabupaten'), count('kota')]).toEqual([38, 416, 98])
  })

  it('says each office is synthetic, and varies colours, aspect and slides', () => {
    const offices = project.offices.map(({ office }) => office)
    for (const office of offices) expect(office.name).toMatch(/^KPU (Provinsi|Kabupaten|Kota) .+ \(sintetis\)$/)
    expect(new Set(offices.map((o) => o.colors.primary)).size).toBeGreaterThan(200)
    for (const { colors } of offices) expect(contrastRatio('#ffffff', colors.primary)).toBeGreaterThanOrEqual(4.5)
    expect(offices.filter((o) => o.aspect === '4:3').length).toBeGreaterThan(50)
    expect(offices.filter((o) => o.slides.exclude.length > 0).length).toBeGreaterThan(50)
    expect(offices.filter((o) => o.slides.extra.length > 0).length).toBeGreaterThan(50)
  })

  it('is deterministic and scales down in the national proportions', () => {
    expect(syntheticOffices(NATIONAL, ['a', 'b', 'c'])).toEqual(syntheticOffices(NATIONAL, ['a', 'b', 'c']))
    const quarter = syntheticOffices(138)
    expect(quarter).toHaveLength(138)
    expect(quarter.filter((o) => o.id.startsWith('provinsi-'))).toHaveLength(10)
    expect(new Set(quarter.map((o) => o.id)).size).toBe(138)
  })

  it('refuses a folder that already has offices unless told to replace them', async () => {
    await expect(writeNationalOffices(path.join(dir, 'content'), 10)).rejects.toThrow(/already has 552 office file\(s\); use another folder, or --replace/)
    await writeFile(path.join(dir, 'content', 'offices', 'kota-contoh.yaml'), 'name: x\n')
    await writeNationalOffices(path.join(dir, 'content'), 10, true)
    expect((await readdir(path.join(dir, 'content', 'offices'))).filter((f) => !f.startsWith('_'))).toHaveLength(10)
  })

  it('runs as a script: exit 0, and 2 without a folder', async () => {
    const script = (args: string[]) =>
      new Promise<number>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', path.join(REPO, 'scripts', 'national.ts'), ...args], (error) => resolve(error ? Number(error.code) : 0)),
      )
    expect(await script([path.join(dir, 'content'), '--count', '5', '--replace'])).toBe(0)
    expect((await readdir(path.join(dir, 'content', 'offices'))).filter((f) => !f.startsWith('_'))).toHaveLength(5)
    expect(await script([])).toBe(2)
  })
})
