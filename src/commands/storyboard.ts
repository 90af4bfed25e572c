import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Document, isNode, isSeq } from 'yaml'
import { readProject } from '../content/project.ts'
import { deriveDeck, type WeakSpot } from '../plan/derive.ts'
import { exists } from '../shared/disk.ts'
import { fail, OrtugErrors } from '../shared/error.ts'
import type { Essay, Storyboard } from '../shared/types.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'

// `ortug storyboard <slug>`: the derived deck written as `<slug>.deck.yaml`, so an author edits a
// good draft instead of starting from nothing. Building from the file gives the same deck.

export interface StoryboardResult {
  file: string
  slides: number
  weakSpots: WeakSpot[]
}

export const storyboardCommand = defineCommand({
  name: 'storyboard',
  summary: "Write an essay's derived deck as content/essays/<slug>.deck.yaml, a commented storyboard to edit.",
  usage: '<slug> [options]',
  positionals: [{ name: 'slug', description: 'the essay: its file name in content/essays/ without .md' }],
  options: {
    force: { type: 'boolean', description: 'replace an existing <slug>.deck.yaml' },
    ...COMMON_OPTIONS,
  },
  notes: ['Building from the written file gives the same deck as the derived one; edit it to change the deck.'],
  examples: [
    { what: 'a draft storyboard for a new essay', command: 'ortug storyboard etika-pelayanan' },
    { what: 'start again from the derived deck', command: 'ortug storyboard etika-pelayanan --force' },
  ],
  async run({ values, positionals, cwd, stdout, logger }) {
    const [slug, ...extra] = positionals
    if (!slug || extra.length > 0) fail('USAGE', 'give exactly one essay slug; usage: ortug storyboard <slug> [--force]')
    const result = await writeDerivedStoryboard(cwd, slug, Boolean(values.force))
    if (values.json) stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`)
    else logger.info(`wrote ${result.file} (${result.slides} slides); build it with "ortug build --essay ${slug}"`)
    for (const spot of result.weakSpots) logger.warn(`section "${spot.section}": ${spot.message}`)
    return 0
  },
})

/** Derives the essay's storyboard and writes it next to the essay; refuses to replace one unless `force`. */
export async function writeDerivedStoryboard(root: string, slug: string, force: boolean): Promise<StoryboardResult> {
  const file = path.join(root, 'content', 'essays', `${slug}.deck.yaml`)
  const shown = path.relative(root, file)
  if (!force && (await exists(file))) {
    fail('USAGE', `${shown} already exists: edit it, or run "ortug storyboard ${slug} --force" to replace it with the derived deck`)
  }
  const project = await readProject(root, { essays: [slug], offices: [], withoutStoryboards: true })
  const entry = project.essays[0]
  if (!entry) {
    const own = project.problems.filter((p) => p.location?.file?.endsWith(`${slug}.md`))
    throw own.length > 0 ? new OrtugErrors(own) : new OrtugErrors(project.problems)
  }
  const { storyboard, weakSpots } = deriveDeck(entry.essay)
  await writeFile(file, formatStoryboard(storyboard, entry.essay))
  return { file: shown, slides: storyboard.slides.length, weakSpots }
}

/** The storyboard as commented YAML: a header on how to edit it, and each section's slides under its heading. Pure. */
export function formatStoryboard(storyboard: Storyboard, essay: Essay): string {
  const doc = new Document({ slides: storyboard.slides })
  doc.commentBefore = [
    ' yaml-language-server: $schema=./storyboard.schema.json',
    ` Storyboard of "${essay.meta.title}", written by "ortug storyboard ${essay.slug}" from the derived deck.`,
    ' Edit it freely: reorder, rewrite titles, add question slides (layout: question) with minutes.',
    ' A slide with "section:" takes that section\'s sentences it shows as speaker notes; every sentence',
    ' of the essay stays in the notes. The fields of each layout: storyboard.schema.json, README "Layouts".',
  ].join('\n')
  const slides = doc.get('slides')
  if (isSeq(slides)) {
    let previous: string | undefined
    slides.items.forEach((item, index) => {
      const id = storyboard.slides[index]?.section
      if (!id || id === previous) return
      previous = id
      const heading = essay.sections.find((s) => s.id === id)?.heading ?? id
      if (!isNode(item)) return
      item.commentBefore = ` Section "${heading}" (${id})`
      item.spaceBefore = true
    })
  }
  return doc.toString({ lineWidth: 0 })
}
