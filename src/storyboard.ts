import { OrtugError, OrtugErrors } from './error.ts'
import { storyboardSchema } from './schema.ts'
import type { Essay, Storyboard, StoryboardSlide } from './types.ts'
import { verifySchema } from './validate.ts'
import { parseYaml } from './yaml.ts'

const FIX = 'See "Storyboard" in DESIGN.md for the fields each layout takes.'

/** Parses `<slug>.deck.yaml` and checks that every `section:` names a section of the essay. */
export function parseStoryboard(text: string, file: string, essay: Essay): Storyboard {
  const yaml = parseYaml(text.replace(/^\uFEFF/, ''), file)
  const { slides } = verifySchema(storyboardSchema, yaml.value ?? {}, yaml.locate, FIX)
  const problems = slides.flatMap((slide, index) =>
    slide.section && !essay.sections.some((s) => s.id === slide.section)
      ? [unknownSection(slide.section, essay, yaml.locate(['slides', index, 'section']))]
      : [],
  )
  if (problems.length > 0) throw new OrtugErrors(problems)
  return { slides, derived: false }
}

export function unknownSection(id: string, essay: Essay, location: OrtugError['location']): OrtugError {
  const known = essay.sections.map((s) => s.id).join(', ')
  return new OrtugError('CONTENT', `unknown section "${id}" in essay "${essay.slug}"; sections are: ${known}`, { location })
}

/** The storyboard of an essay without one: title, agenda, a divider and reading slides per section, closing. */
export function deriveStoryboard(essay: Essay): Storyboard {
  const slides: StoryboardSlide[] = [{ layout: 'title' }, { layout: 'agenda' }]
  for (const section of essay.sections) {
    slides.push({ layout: 'section', section: section.id })
    if (section.paragraphs.length > 0) slides.push({ layout: 'text', section: section.id })
  }
  slides.push({ layout: 'closing' })
  return { slides, derived: true }
}
