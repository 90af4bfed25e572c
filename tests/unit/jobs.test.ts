import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { displayPath, outputKeys } from '../../src/pipeline/jobs.ts'
import { FORMATS } from '../../src/shared/formats.ts'

// Cache keys: an output is rebuilt exactly when something that shapes it changes. Pure.

const INPUTS = { 'content/essays/esai.md': 'a1', 'content/offices/kota-uji.yaml': 'b2', 'templates/theme/ortug.css': 'c3' }
const HANDOUT_TEMPLATE = { 'templates/handout.hbs': 'd4' }
const A4 = { layout: 'three-up', paper: 'A4' } as const

describe('output keys', () => {
  it('one key per format, each different, the same for the same inputs', () => {
    const keys = outputKeys(INPUTS, HANDOUT_TEMPLATE, A4)
    expect(Object.keys(keys).sort()).toEqual([...FORMATS].sort())
    expect(new Set(Object.values(keys)).size).toBe(FORMATS.length)
    for (const key of Object.values(keys)) expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(outputKeys({ ...INPUTS }, { ...HANDOUT_TEMPLATE }, { ...A4 })).toEqual(keys)
  })

  it('a changed input changes every key; handout options and the handout template only the handout', () => {
    const keys = outputKeys(INPUTS, HANDOUT_TEMPLATE, A4)
    const office = outputKeys({ ...INPUTS, 'content/offices/kota-uji.yaml': 'b3' }, HANDOUT_TEMPLATE, A4)
    for (const format of FORMATS) expect(office[format], format).not.toBe(keys[format])
    const paper = outputKeys(INPUTS, HANDOUT_TEMPLATE, { layout: 'three-up', paper: 'F4' })
    const template = outputKeys(INPUTS, { 'templates/handout.hbs': 'd5' }, A4)
    for (const changed of [paper, template]) {
      for (const format of FORMATS) {
        if (format === 'handout') expect(changed[format]).not.toBe(keys[format])
        else expect(changed[format], format).toBe(keys[format])
      }
    }
  })

  it('an input moved to another path is a change (paths are part of the key)', () => {
    const moved = { 'content/essays/lain.md': 'a1', 'content/offices/kota-uji.yaml': 'b2', 'templates/theme/ortug.css': 'c3' }
    expect(outputKeys(moved, HANDOUT_TEMPLATE, A4).md).not.toBe(outputKeys(INPUTS, HANDOUT_TEMPLATE, A4).md)
  })
})

describe('input paths in the manifest', () => {
  it('project files by their path in the project, with /, on POSIX and Windows alike', () => {
    expect(displayPath('/home/u/proyek', '/home/u/proyek/content/essays/esai.md', path.posix)).toBe('content/essays/esai.md')
    expect(displayPath('C:\\Users\\u\\proyek', 'C:\\Users\\u\\proyek\\content\\essays\\esai.md', path.win32)).toBe('content/essays/esai.md')
  })

  it('files outside the project (fonts in node_modules) by their package path, so every machine agrees', () => {
    const font = '@fontsource/source-sans-3/files/source-sans-3-latin-400-normal.woff2'
    expect(displayPath('/home/u/proyek', `/opt/ortug/node_modules/${font}`, path.posix)).toBe(font)
    expect(displayPath('C:\\proyek', `C:\\Program Files\\ortug\\node_modules\\${font.replaceAll('/', '\\')}`, path.win32)).toBe(font)
  })

  it('ortug’s own templates (a project without templates/) as ortug/..., whether ortug runs from node_modules or a checkout', () => {
    const deck = 'templates/deck.hbs'
    expect(displayPath('/home/u/proyek', `/usr/lib/node_modules/ortug/${deck}`, path.posix, '/usr/lib/node_modules/ortug/')).toBe(`ortug/${deck}`)
    expect(displayPath('/home/u/proyek', `/src/ortug/${deck}`, path.posix, '/src/ortug/')).toBe(`ortug/${deck}`)
    expect(displayPath('C:\\proyek', `D:\\ortug\\${deck.replace('/', '\\')}`, path.win32, 'D:\\ortug\\')).toBe(`ortug/${deck}`)
    // A name that starts with two dots is still inside the project.
    expect(displayPath('/home/u/proyek', '/home/u/proyek/content/..catatan.md', path.posix, '/src/ortug/')).toBe('content/..catatan.md')
  })
})
