import { fail } from './error.ts'
import type { OutputFile } from './types.ts'

// The output formats: one list, the file names, and the files each one makes.

export const FORMATS = ['md', 'html', 'pdf', 'handout', 'png', 'overview', 'pptx'] as const
export type Format = (typeof FORMATS)[number]
/** What `ortug build` makes without --format. */
export const DEFAULT_FORMATS: readonly Format[] = ['md', 'html', 'pdf', 'handout']
/** Formats made from the deck loaded in the build's browser. */
export const PAGE_FORMATS: readonly Format[] = ['pdf', 'png', 'overview']
/** Formats marp-cli converts from the Markdown. */
export const MARP_FORMATS = ['html'] as const satisfies readonly Format[]
export type MarpFormat = (typeof MARP_FORMATS)[number]

/** What the pipeline made of one deck. */
export interface DeckOutputs {
  markdown: string
  html?: Uint8Array
  pptx?: Uint8Array
  pdf?: Uint8Array
  handout?: Uint8Array
  overview?: Uint8Array
  slideImages?: Uint8Array[]
}

export function outputPath(office: string, slug: string, format: Format): string {
  const names: Record<Format, string> = {
    md: `${slug}.md`,
    html: `${slug}.html`,
    pdf: `${slug}.pdf`,
    handout: `${slug}-handout.pdf`,
    overview: `${slug}-overview.png`,
    pptx: `${slug}.pptx`,
    png: `${slug}.001.png`,
  }
  return `${office}/${names[format]}`
}

/** The files of one format of one deck (slide images are one file per slide). */
export function outputFiles(office: string, slug: string, format: Format, outputs: DeckOutputs): OutputFile[] {
  const missing = (what: string): never => fail('ENVIRONMENT', `${office}: no ${what} was made for ${slug}`)
  const one = (bytes: Uint8Array | undefined, what: string) => [{ path: outputPath(office, slug, format), bytes: bytes ?? missing(what) }]
  switch (format) {
    case 'md':
      return one(Buffer.from(outputs.markdown), 'Markdown')
    case 'html':
      return one(outputs.html, 'HTML')
    case 'pptx':
      return one(outputs.pptx, 'PPTX')
    case 'pdf':
      return one(outputs.pdf, 'PDF')
    case 'handout':
      return one(outputs.handout, 'handout')
    case 'overview':
      return one(outputs.overview, 'overview image')
    case 'png':
      return (outputs.slideImages ?? missing('slide images')).map((bytes, i) => ({ path: `${office}/${slug}.${String(i + 1).padStart(3, '0')}.png`, bytes }))
  }
}
