import { loadPptxFonts, loadPptxImages } from '../render/pptx/assets.ts'
import { renderPptx } from '../render/pptx/package.ts'
import { embedTheme, type Theme } from '../render/theme.ts'
import type { DeckOutputs } from '../shared/formats.ts'
import type { Deck } from '../shared/types.ts'
import type { DeckWork, Printed } from './deck-work.ts'
import type { DeckJob } from './jobs.ts'

// A deck's outputs gathered once it is printed and converted: the Markdown with its theme, the
// HTML from marp-cli, the PDFs from the browser, and the PowerPoint deck.

/** One deck, done. */
export interface FinishedDeck {
  job: DeckJob
  /** The slides as planned and fitted. */
  deck: Deck
  outputs: DeckOutputs
  thumbnail?: Promise<Uint8Array | undefined>
}

/** The deck's outputs, from what the browser printed and what marp-cli converted. */
export async function finish(work: DeckWork, printed: Printed, converted: ReadonlyMap<string, Uint8Array>, theme: Theme): Promise<FinishedDeck> {
  const base = baseOf(work)
  const { thumbnail, ...fromBrowser } = printed
  // The .md carries the theme: it is opened alone in Marp for VS Code (src/theme.ts).
  const markdown = embedTheme(work.slides.markdown, theme)
  const pptx = work.job.formats.includes('pptx') ? await makePptx(work.slides.deck, work.job.sourceDate) : undefined
  const outputs: DeckOutputs = { markdown, html: converted.get(`${base}.html`), pptx, ...fromBrowser }
  return { job: work.job, deck: work.slides.deck, outputs, thumbnail }
}

/** The native PowerPoint deck, from the slides as fitted: no browser, no marp-cli. */
async function makePptx(deck: Deck, date: Date): Promise<Uint8Array> {
  const [fonts, images] = await Promise.all([loadPptxFonts(), loadPptxImages(deck)])
  return renderPptx({ deck, fonts, images, date })
}

/** `<office>/<slug>`: how marp-cli's outputs are named. */
export function baseOf({ job }: DeckWork): string {
  return `${job.office.id}/${job.essay.slug}`
}
