import type { Essay, Section, Storyboard, StoryboardSlide } from '../shared/types.ts'
import { splitSentences } from './text.ts'

// Derived decks: the storyboard of an essay that has none.

/** "… bukan (hanya) X, melainkan (juga) Y …": the two sides of a contrast. */
const RE_CONTRAST = /^(.*?)\bbukan(?:\s+(?:hanya|sekadar|sekedar|cuma|semata))*\s+(.+?),?\s+(?:melainkan|tetapi|namun)(?:\s+juga)?\s+(.+)$/iu
/** A clause that follows the contrast ("…, maka …"): not part of its right side. */
const RE_CLAUSE = /,\s+(?:maka|sehingga|karena|agar|supaya)\s/iu
/** "… meliputi a, b, c, dan d.": a list the sentence announces. */
const RE_LIST = /^(.*?),?\s+(?:meliputi|yaitu|antara lain|yakni|terdiri (?:atas|dari))\s+(.+?)[.!?]?$/iu
const MAX_SIDE = 160
const MAX_LIST_ITEM_WORDS = 6
/** The words before a contrast or list become the slide's title: longer ones would be lost, so such a sentence stays reading text. */
const MAX_LEAD = 70

/** A visual slide for a sentence whose shape allows one, or undefined. */
export function deriveVisual(sentence: string, section: Section): StoryboardSlide | undefined {
  const list = RE_LIST.exec(sentence)
  if (list && (list[1] ?? '').length <= MAX_LEAD) {
    const items = (list[2] ?? '')
      .split(/,\s*(?:dan\s+|serta\s+)?|\s+(?:dan|serta)\s+/u)
      .map((item) => item.trim())
      .filter(Boolean)
    const short = (item: string) => item.split(/\s+/).length <= MAX_LIST_ITEM_WORDS && !/[()[\]]/.test(item)
    if (items.length >= 3 && items.length <= 8 && items.every(short)) {
      const title = leadTitle(list[1] ?? '', section)
      if (items.length <= 4) return { layout: 'pillars', section: section.id, title, columns: items.map((item) => ({ title: capitalize(item) })) }
      return { layout: 'grid', section: section.id, title, items: items.map((item) => ({ text: capitalize(item) })) }
    }
  }
  const contrast = RE_CONTRAST.exec(sentence)
  if (contrast && (contrast[1] ?? '').length <= MAX_LEAD) {
    const left = (contrast[2] ?? '').trim()
    const right =
      (contrast[3] ?? '')
        .split(RE_CLAUSE)[0]
        ?.replace(/[.!?]$/, '')
        .trim() ?? ''
    if (left && right && left.length <= MAX_SIDE && right.length <= MAX_SIDE) {
      return {
        layout: 'contrast',
        section: section.id,
        title: leadTitle(contrast[1] ?? '', section),
        columns: [
          { title: 'Bukan', text: capitalize(left) },
          { title: 'Melainkan', text: capitalize(right) },
        ],
      }
    }
  }
  return undefined
}

/** The words before the contrast or list as the slide's title; the section's heading when there are none. */
function leadTitle(lead: string, section: Section): string {
  const cleaned = lead.replace(/[,:;]\s*$/, '').trim()
  return cleaned.length >= 3 ? capitalize(cleaned) : section.heading
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('id') + text.slice(1)
}

/**
 * The storyboard of an essay without one: title, agenda, then per section a divider and its
 * sentences, as reading slides, or as a contrast, pillars or grid where a sentence's shape allows
 * ("bukan … melainkan …", "meliputi a, b, c"); closing.
 */
export function deriveStoryboard(essay: Essay): Storyboard {
  const slides: StoryboardSlide[] = [{ layout: 'title' }, { layout: 'agenda' }]
  for (const section of essay.sections) {
    slides.push({ layout: 'section', section: section.id })
    let reading: string[][] = []
    const flush = () => {
      const text = reading
        .map((p) => p.join(' '))
        .filter(Boolean)
        .join('\n')
      if (text) slides.push({ layout: 'text', section: section.id, text, title: section.heading })
      reading = []
    }
    const visuals = section.paragraphs.flatMap((p) => splitSentences(p)).filter((s) => deriveVisual(s, section))
    if (visuals.length === 0) {
      if (section.paragraphs.length > 0) slides.push({ layout: 'text', section: section.id })
      continue
    }
    for (const paragraph of section.paragraphs) {
      reading.push([])
      for (const sentence of splitSentences(paragraph)) {
        const visual = deriveVisual(sentence, section)
        if (!visual) {
          reading.at(-1)?.push(sentence)
          continue
        }
        flush()
        reading.push([])
        slides.push(visual)
      }
    }
    flush()
  }
  slides.push({ layout: 'closing' })
  return { slides, derived: true }
}
