import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Document, isSeq, type YAMLSeq } from 'yaml'
import { readProject } from '../content/project.ts'
import { deriveDeck, type WeakSpot } from '../plan/derive.ts'
import { exists } from '../shared/disk.ts'
import { fail, OrtugErrors } from '../shared/error.ts'
import type { Essay, Storyboard } from '../shared/types.ts'

// `ortug storyboard <slug>`: the derived deck written as `<slug>.deck.yaml`, so an author edits a
// good draft instead of starting from nothing. Building from the file gives the same deck.

export interface StoryboardResult {
  file: string
  slides: number
  weakSpots: WeakSpot[]
}

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
  const slides = doc.get('slides') as YAMLSeq
  if (isSeq(slides)) {
    let previous: string | undefined
    slides.items.forEach((item, index) => {
      const id = storyboard.slides[index]?.section
      if (!id || id === previous) return
      previous = id
      const heading = essay.sections.find((s) => s.id === id)?.heading ?? id
      ;(item as { commentBefore?: string }).commentBefore = ` Section "${heading}" (${id})`
      ;(item as { spaceBefore?: boolean }).spaceBefore = true
    })
  }
  return doc.toString({ lineWidth: 0 })
}
