import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findImports, findLayerViolations, type ImportEdge, resolveImport } from '../layers.ts'

const SRC = fileURLToPath(new URL('../../src', import.meta.url))

function sourceEdges(): ImportEdge[] {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((file) => /\.(ts|mjs|js)$/.test(file))
  return files.flatMap((file) => {
    const from = file.split(path.sep).join('/')
    return findImports(readFileSync(path.join(SRC, file), 'utf8')).map((specifier) => ({ from, to: resolveImport(from, specifier) }))
  })
}

describe('the dependency rule of src/', () => {
  it('holds for every import of every module', () => {
    const edges = sourceEdges()
    expect(edges.length).toBeGreaterThan(200)
    expect(findLayerViolations(edges)).toEqual([])
  })

  it('every module sits in a stage folder, except the entry', () => {
    const loose = readdirSync(SRC).filter((name) => name.includes('.'))
    expect(loose).toEqual(['cli.ts'])
  })

  it.each([
    ['plan/fit.ts', '../browser/page.ts', 'plan/ may import only plan, shared'],
    ['content/project.ts', '../plan/derive.ts', 'content/ may import only content, shared'],
    ['shared/schema.ts', '../content/logo.ts', 'shared/ may import only shared'],
    ['render/marp.ts', '../output/lock.ts', 'render/ may import only render, shared, plan'],
    ['pipeline/build.ts', '../commands/doctor.ts', 'only cli.ts imports a command'],
    ['commands/doctor.ts', '../cli.ts', 'nothing imports the entry'],
    ['plan/plan.ts', 'node:fs/promises', 'plan/ must not load it'],
    ['content/essay.ts', 'puppeteer-core', 'content/ must not load it'],
  ])('refuses %s importing %s', (from, specifier, reason) => {
    const problems = findLayerViolations([{ from, to: resolveImport(from, specifier) }])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(reason)
  })

  it('finds static, re-exported and dynamic imports', () => {
    const text = "import a from './a.ts'\nimport type { B } from '../b/b.ts'\nexport { c } from './c.ts'\nconst d = await import('../d/d.ts')\n"
    expect(findImports(text)).toEqual(['./a.ts', '../b/b.ts', './c.ts', '../d/d.ts'])
  })
})
