import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseDefaults, parseOffice } from '../../src/content/office.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { collectErrors } from '../../src/shared/error.ts'
import type { Essay } from '../../src/shared/types.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const README = readFileSync(path.join(REPO, 'README.md'), 'utf8')

function messagesOf(run: () => unknown): string[] {
  try {
    run()
  } catch (error) {
    return collectErrors(error).map((e) => e.message)
  }
  throw new Error('expected the input to be refused')
}

/** Every file and README section a message sends the reader to exists in the repository. */
function expectPointersExist(message: string): void {
  const files = [...message.matchAll(/\b((?:content|templates)\/[\w./-]+\.json)\b/g)].map((m) => m[1] as string)
  const sections = [...message.matchAll(/"([^"]+)" in README\.md/g)].map((m) => m[1] as string)
  expect(message).not.toContain('DESIGN.md')
  expect(files.length + sections.length, message).toBeGreaterThan(0)
  for (const file of files) expect(existsSync(path.join(REPO, file)), `${file} (in "${message}")`).toBe(true)
  for (const section of sections) expect(README, `README section "${section}"`).toMatch(new RegExp(`^#+ ${section}$`, 'm'))
}

describe('schema messages point to files the repository has', () => {
  it('an office with an unknown key', () => {
    const messages = messagesOf(() => parseOffice('name: KPU X\nregion: X\nlevel: kota\ncolour: red\n', 'kota-x', 'kota-x.yaml'))
    const message = messages.find((m) => m.includes('unknown key "colour"'))
    expect(message, messages.join('\n')).toBeDefined()
    expectPointersExist(message as string)
  })

  it('a storyboard slide with an unknown field', () => {
    const essay = {
      slug: 'e',
      file: 'e.md',
      meta: { title: 'T', author: 'A' },
      sections: [{ id: 'a', heading: 'A', paragraphs: ['x'], line: 5 }],
    } as unknown as Essay
    const [message] = messagesOf(() => parseStoryboard('slides:\n  - layout: points\n    bullets: [a]\n', 'e.deck.yaml', essay))
    expect(message).toMatch(/unknown key "bullets"/)
    expectPointersExist(message as string)
  })
})

describe('a field neither the office file nor _defaults.yaml gives', () => {
  const defaults = parseDefaults('colors: { accent: "#e0a526" }\naspect: "16:9"\nhandout: { layout: three-up, paper: A4 }\n', 'content/offices/_defaults.yaml')

  it('is reported at the office file, with an example of the value and the defaults file as the other place to write it', () => {
    const messages = messagesOf(() => parseOffice('name: KPU X\nregion: X\nlevel: kota\n', 'kota-x', 'content/offices/kota-x.yaml', defaults))
    expect(messages).toEqual([
      'colors.primary: is required: add "primary:" with a colour written #rrggbb, e.g. "#8f1d21". Write it in this file, or for every office in content/offices/_defaults.yaml. See content/offices/schema.json and "How to add an office" in README.md for the allowed fields.',
    ])
  })

  it('what names the office is asked of its own file only', () => {
    const messages = messagesOf(() =>
      parseOffice('name: KPU X\nlevel: kota\ncolors: { primary: "#8f1d21" }\n', 'kota-x', 'content/offices/kota-x.yaml', defaults),
    )
    expect(messages).toEqual([
      'region: is required: add "region:" with text. See content/offices/schema.json and "How to add an office" in README.md for the allowed fields.',
    ])
  })
})
