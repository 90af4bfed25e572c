import { OrtugError, OrtugErrors } from '../shared/error.ts'
import { ICON_HELP, iconExists } from '../shared/icons.ts'
import { storyboardSchema } from '../shared/schema.ts'
import type { Essay, Storyboard, StoryboardSlide } from '../shared/types.ts'
import { verifySchema } from './validate.ts'
import { parseYaml } from './yaml.ts'

const FIX = 'See content/essays/storyboard.schema.json and "Layouts" in README.md for the fields each layout takes.'

/** Parses `<slug>.deck.yaml` and checks that every `section:` names a section of the essay and every icon exists. */
export function parseStoryboard(text: string, file: string, essay: Essay): Storyboard {
  const yaml = parseYaml(text.replace(/^\uFEFF/, ''), file)
  const { slides, dividers } = verifySchema(storyboardSchema, yaml.value ?? {}, yaml.locate, FIX)
  const problems = slides.flatMap((slide, index) => [
    ...(slide.section && !essay.sections.some((s) => s.id === slide.section)
      ? [unknownSection(slide.section, essay, yaml.locate(['slides', index, 'section']))]
      : []),
    ...unknownIcons(slide).map((at) => unknownIcon(slide.items?.[at]?.icon ?? '', yaml.locate(['slides', index, 'items', at, 'icon']))),
  ])
  if (problems.length > 0) throw new OrtugErrors(problems)
  return dividers === undefined ? { slides, derived: false } : { slides, dividers, derived: false }
}

export function unknownSection(id: string, essay: Essay, location: OrtugError['location']): OrtugError {
  const known = essay.sections.map((s) => s.id).join(', ')
  return new OrtugError('CONTENT', `unknown section "${id}" in essay "${essay.slug}"; sections are: ${known}`, { location })
}

/** Indices of the slide's items whose icon is not in the icon set. */
export function unknownIcons(slide: StoryboardSlide): number[] {
  return (slide.items ?? []).flatMap((item, i) => (item.icon !== undefined && !iconExists(item.icon) ? [i] : []))
}

export function unknownIcon(name: string, location: OrtugError['location']): OrtugError {
  return new OrtugError('CONTENT', `unknown icon "${name}"; ${ICON_HELP}`, { location })
}
