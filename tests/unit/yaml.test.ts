import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseEssay } from '../../src/content/essay.ts'
import { parseDefaults, parseOffice } from '../../src/content/office.ts'
import { MAX_YAML_DEPTH, parseYaml } from '../../src/content/yaml.ts'
import { collectErrors } from '../../src/shared/error.ts'

// Item 6 of issue 21: YAML nested deeper than any ortug file needs is refused with its place,
// before the YAML library composes it (30,000 nested "[" overflowed its stack: "Maximum call
// stack size exceeded" at an arbitrary column).

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    return collectErrors(error)
      .map((e) => e.format())
      .join('\n')
  }
  throw new Error('expected the input to be refused')
}

const OFFICE = 'name: KPU Kota Uji\nregion: Kota Uji\nlevel: kota\n'
const nested = (open: string, close: string, levels: number, inner = '1') => open.repeat(levels) + inner + close.repeat(levels)

describe('YAML nesting depth', () => {
  it.each([
    ['30,000 nested [', `x: ${nested('[', ']', 30_000)}\n`, '4:67'],
    ['30,000 nested {', `x: ${nested('{a: ', '}', 30_000)}\n`, '4:256'],
    ['30,000 compact block lists', `x:\n${'- '.repeat(30_000)}a\n`, '5:127'],
  ])('an office file with %s: refused at the first level too deep, by line and column', (_, yaml, at) => {
    const message = refusal(() => parseOffice(OFFICE + yaml, 'kota-uji', 'kota-uji.yaml'))
    expect(message).toBe(
      `kota-uji.yaml:${at}: invalid YAML: nests lists and mappings more than ${MAX_YAML_DEPTH} levels deep here; at most ${MAX_YAML_DEPTH} levels of lists and mappings inside each other are allowed (ortug's files need 5): flatten it`,
    )
  })

  it('accepts 64 levels and refuses 65', () => {
    expect(parseYaml(`x: ${nested('[', ']', MAX_YAML_DEPTH - 1)}`, 'f.yaml').value).toBeDefined()
    expect(refusal(() => parseYaml(`x: ${nested('[', ']', MAX_YAML_DEPTH)}`, 'f.yaml'))).toMatch(/^f\.yaml:1:67: invalid YAML: nests lists/)
  })

  it('in _defaults.yaml and in an essay front matter (lines counted from the file)', () => {
    expect(refusal(() => parseDefaults(`colors:\n  x: ${nested('[', ']', 30_000)}\n`, '_defaults.yaml'))).toMatch(/^_defaults\.yaml:2:\d+: invalid YAML: nests/)
    const essay = `---\ntitle: T\nauthor: A\nx: ${nested('[', ']', 30_000)}\n---\n\n## A\n\nTeks.\n`
    expect(refusal(() => parseEssay(essay, 'uji', 'uji.md'))).toMatch(/^uji\.md:4:\d+: invalid YAML: nests/)
  })

  it('through aliases: a deep value used inside another deep value', () => {
    const yaml = `a: &a ${nested('[', ']', 40)}\nb: ${nested('[', ']', 40, '*a')}\n`
    expect(refusal(() => parseYaml(yaml, 'f.yaml'))).toMatch(
      /^f\.yaml:2:44: invalid YAML: through this alias, lists and mappings nest more than 64 levels deep/,
    )
  })

  it('an alias inside the value it names', () => {
    expect(refusal(() => parseOffice(`${OFFICE}session: &s { trainers: [*s] }\n`, 'kota-uji', 'kota-uji.yaml'))).toMatch(
      /^kota-uji\.yaml:4:26: invalid YAML: this alias stands for a list or mapping that holds it/,
    )
  })
})

describe('YAML read once', () => {
  // parseYaml composes the syntax tree it measured for depth instead of parsing the text again:
  // the values must be the library's own.
  it.each([
    ['an office', 'name: KPU Kota Uji\nregion: Kota Uji # a comment\ncolors: { primary: "#8f1d21", accent: "#e0a526" }\nsession:\n  trainers: [A, "B, C"]\n'],
    ['anchors and aliases', 'base: &b { x: 1, y: [1, 2] }\nother: *b\nlist:\n  - *b\n  - { <<: *b, x: 2 }\n'],
    ['block scalars', 'text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\n'],
    ['an empty text', ''],
    ['a comment alone', '# nothing\n'],
    ['a document that starts with its marker', '---\nname: A\n...\n'],
  ])('%s: the same values as the library parses', (_, yaml) => {
    expect(parseYaml(yaml, 'f.yaml').value).toEqual(parse(yaml) ?? null)
  })

  it('a second document is refused where it starts', () => {
    expect(refusal(() => parseYaml('name: A\n---\nname: B\n', 'f.yaml'))).toBe(
      'f.yaml:2:1: invalid YAML: a second document starts here (after a line "---"); an ortug file holds one: remove the line, or move what follows it into a file of its own',
    )
  })

  it('syntax errors and repeated keys keep their places', () => {
    expect(refusal(() => parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'f.yaml'))).toBe(
      'f.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    )
    expect(refusal(() => parseYaml('a: b: c\n', 'f.yaml'))).toBe('f.yaml:1:4: invalid YAML: Nested mappings are not allowed in compact mappings')
    expect(refusal(() => parseYaml('a: 1\nb:\n  c: 1\n  c: 2\n', 'f.yaml'))).toBe(
      'f.yaml:4:3: b.c: the key "c" is written twice (first on line 3); each key may appear once: keep one and remove the other',
    )
  })
})
