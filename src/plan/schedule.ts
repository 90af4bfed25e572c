import type { Section, Slide, StoryboardSlide } from '../shared/types.ts'

// The session's time plan: the agenda's parts with their minutes, and each slide's clock time.

export interface AgendaEntry {
  id: string
  heading: string
  minutes: number | null
  /** "08.42–09.03" when the session has a start time and every slide before has minutes. */
  clock: string | null
  /** Discussion slides in the part: the agenda marks them. */
  discussions: number
}

export function planPart(slide: StoryboardSlide, agenda: readonly AgendaEntry[], sections: Map<string, Section>): Slide['part'] {
  const index = agenda.findIndex((entry) => entry.id === slide.section && sections.has(entry.id))
  return index < 0 ? undefined : { index: index + 1, total: agenda.length, minutes: agenda[index]?.minutes ?? null }
}

/**
 * The sections the deck covers, in order of their first slide, with their planned minutes and,
 * from the session's start time, their clock times (the slides' minutes in order).
 */
export function planAgenda(slides: readonly StoryboardSlide[], sections: Map<string, Section>, start?: string): AgendaEntry[] {
  const entries = new Map<string, AgendaEntry & { from: number; to: number }>()
  let clock = start ? minutesOfDay(start) : Number.NaN
  for (const slide of slides) {
    const section = slide.section ? sections.get(slide.section) : undefined
    const from = clock
    clock += slide.minutes ?? 0
    if (!section) continue
    const entry = entries.get(section.id) ?? { id: section.id, heading: section.heading, minutes: null, clock: null, discussions: 0, from, to: from }
    if (slide.minutes) entry.minutes = (entry.minutes ?? 0) + slide.minutes
    if (slide.layout === 'question') entry.discussions++
    entry.to = clock
    entries.set(section.id, entry)
  }
  return [...entries.values()].map(({ from, to, ...entry }) => ({
    ...entry,
    clock: Number.isFinite(from) && entry.minutes ? `${formatClock(from)}–${formatClock(to)}` : null,
  }))
}

/** Minutes since midnight → "08.05": 24-hour, hours and minutes parted by a full stop, as EYD writes time. */
export function formatClock(minutes: number): string {
  const whole = Math.round(minutes) % (24 * 60)
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}.${String(whole % 60).padStart(2, '0')}`
}

/** 2.5 → "2,5": Indonesian writes a decimal comma. */
export function formatMinutes(minutes: number): string {
  return String(Math.round(minutes * 10) / 10).replace('.', ',')
}

/** The agenda's subtitle: the whole session, its opening included, "08.00–09.29 · 89 menit" (or "Total 89 menit" without a start time). */
export function planSessionSpan(slides: readonly StoryboardSlide[], start?: string): string | null {
  const total = slides.reduce((sum, slide) => sum + (slide.minutes ?? 0), 0)
  if (total === 0) return null
  const from = start ? minutesOfDay(start) : undefined
  const clock = from === undefined ? null : `${formatClock(from)}–${formatClock(from + total)}`
  return clock ? `${clock} · ${formatMinutes(total)} menit` : `Total ${formatMinutes(total)} menit`
}

/** Each storyboard slide's planned start and end ("08.32–08.37") from the session's start time, when it has minutes. */
export function planStartTimes(slides: readonly StoryboardSlide[], start?: string): (string | undefined)[] {
  if (!start) return slides.map(() => undefined)
  let clock = minutesOfDay(start)
  return slides.map((slide) => {
    const from = clock
    clock += slide.minutes ?? 0
    return slide.minutes ? `${formatClock(from)}–${formatClock(clock)}` : formatClock(from)
  })
}

/** "08:30" → 510. */
function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
}
