import type { z } from 'zod'
import type { ASPECTS, essayMetaSchema, HANDOUT_LAYOUTS, LAYOUTS, LEVELS, OfficeParsed, PAPERS, SlideParsed } from './schema.ts'
import type { pageStateSchema, slideContentSchema } from './slide-schema.ts'

// Types that cross stages. What users write is defined once, by the zod schemas in schema.ts;
// the types here are inferred from them.

export type LayoutName = (typeof LAYOUTS)[number]

// --- Essay ---

export type EssayMeta = z.output<typeof essayMetaSchema>

/**
 * A piece of a section as the author structured it (CommonMark): the words verbatim, Markdown's
 * marks (emphasis, link brackets, list markers, "> ") removed. `line` is 1-based in the file.
 */
export type EssayBlock =
  | { kind: 'paragraph'; text: string; line: number }
  | { kind: 'subheading'; text: string; line: number }
  | { kind: 'quote'; text: string; line: number }
  | { kind: 'list'; ordered: boolean; start: number; items: string[]; line: number }

export interface Section {
  id: string
  heading: string
  /** The section's blocks in order: what derived slides, notes and the handout read. */
  blocks: EssayBlock[]
  /** The plain text of each block (each list item on its own), exactly as the author wrote it, each joined into one line. */
  paragraphs: string[]
  /** 1-based line of the heading (or of the first paragraph for `pembuka`). */
  line: number
}

export interface Essay {
  slug: string
  file: string
  meta: EssayMeta
  sections: Section[]
}

// --- Storyboard ---

export type AcronymItem = NonNullable<SlideParsed['items']>[number]

/** A slide as a storyboard (or an office's `slides.extra`) writes it. */
export type StoryboardSlide = SlideParsed

export interface Storyboard {
  slides: StoryboardSlide[]
  /** A divider slide before the first slide of each part of the agenda. */
  dividers?: boolean
  /** True when there was no `<slug>.deck.yaml` and the slides come from the sections. */
  derived: boolean
}

// --- Office ---

export type OfficeLevel = (typeof LEVELS)[number]
export type Aspect = (typeof ASPECTS)[number]
export type HandoutLayout = (typeof HANDOUT_LAYOUTS)[number]
export type Paper = (typeof PAPERS)[number]

export type ExtraSlide = OfficeParsed['slides']['extra'][number]

/** An office with `_defaults.yaml` merged under it and verified. */
export interface Office extends Omit<OfficeParsed, 'logo'> {
  id: string
  file: string
  /** Logo inlined as a data: URI. */
  logo?: string
}

// --- Plan ---

type PlannedContent = z.output<typeof slideContentSchema>

/** What layout `L`'s template shows: every field a template may name, those `L` does not use null. */
export type SlideContent<L extends LayoutName = LayoutName> = ContentByLayout[L]
type ContentByLayout = { [K in LayoutName]: Extract<PlannedContent, { layout: K }>['content'] }

/** What a page adds to its layout's content: continuation, the fit check's type size, minutes, the agenda part. */
export type PageState = z.output<typeof pageStateSchema>

/** Values the layout template reads; absent optional fields are `null` so strict mode passes. */
export type SlideFields<L extends LayoutName = LayoutName> = SlideContent<L> & PageState

/** A slide's words as the plan splits them into pages, before the page's state is added. */
export type ContentPage<L extends LayoutName = LayoutName> = { [K in L]: { layout: K; content: SlideContent<K> } }[L]

/** What every slide has, whatever its layout. */
export interface SlideBase {
  /** Title for the PDF outline and reports. */
  title: string
  section?: string
  /** Index of the storyboard slide (after office changes) this slide comes from. */
  source: number
  /** Sentences or items on the slide (1: nothing left to split). */
  units: number
  /** Speaker notes: the storyboard's cue for the trainer (if any) first, then the essay's sentences the slide says. */
  notes: string[]
  /** The storyboard's `notes:`: what the trainer does or says; never printed for participants. */
  cue?: string
  minutes?: number
  /** With the session's start time: when the slide is planned, "08.32–08.37" (or "08.32" without minutes). */
  clock?: string
  /** The agenda part the slide belongs to, for the presenter: "Bagian 2 dari 6 · rencana 20 menit". */
  part?: { index: number; total: number; minutes: number | null }
}

/** A slide of the plan: its layout, and the fields that layout's template reads. `Slide<'grid'>` is a grid slide. */
export type Slide<L extends LayoutName = LayoutName> = { [K in L]: SlideBase & { layout: K; fields: SlideFields<K> } }[L]

export interface Deck {
  office: Office
  essay: Essay
  slides: Slide[]
}

// --- Outputs ---

export interface OutputFile {
  /** Path relative to the output folder, with `/` separators. */
  path: string
  bytes: Uint8Array
}

export interface ManifestEntry {
  path: string
  bytes: number
  sha256: string
  office: string
  officeName: string
  /** For the catalogue's order and swatches; absent in manifests of older builds. */
  officeLevel?: OfficeLevel
  officeColors?: { primary: string; accent: string }
  essay: string
  essayTitle: string
  format: string
  /** Hash of ortug's version and every input's hash: an output with the same key is up to date. */
  key: string
  inputs: Record<string, string>
}

/** What a shard build records in its manifest, so that a merge can tell its shards belong together. */
export interface ShardRecord {
  /** k of --shard k/n (1-based). */
  index: number
  count: number
  /** sha256 over every file of content/, templates/ and the fonts: equal for shards of one commit. */
  inputs: string
  /** The options that shape outputs, as flags (`--format html,md`). */
  options: string
  /** Offices this shard builds; an office's outputs come from the shard that lists it. */
  offices: string[]
}

export interface Manifest {
  generator: string
  builtAt: string
  /** Only in the manifest of a `build --shard k/n`. */
  shard?: ShardRecord
  outputs: ManifestEntry[]
  /**
   * sha256 of each catalogue thumbnail (`.ortug-cache/thumbs/<office>--<essay>.webp`): a later
   * build or a merge carries over only a thumbnail whose bytes match. Absent in manifests of older builds.
   */
  thumbnails?: Record<string, string>
  /** The catalogue (index.html), rendered from `outputs`: listed apart, since it is no deck of an office. */
  catalogue?: { path: string; bytes: number; sha256: string }
}

export interface Overflow {
  slide: number
  layout: string
  title: string
  /** How far content crosses the slide's content box, in CSS pixels. */
  pixels: number
}

/** What the browser measured of a deck's slides. */
export interface Measured {
  overflows: Overflow[]
  /** Per slide: the share of the content box's height its content spans (0 to 1 and more). */
  fills: number[]
}

/**
 * Chrome, Chromium and Edge (132 and later) run headless only in the new mode: a real browser
 * with windows, where only a window's front tab is composited. A headless shell (the npm-shipped
 * Chromium, chrome-headless-shell) runs the old mode. ortug works with both; see pages.ts.
 */
export type HeadlessMode = 'new' | 'shell'

export interface BrowserChoice {
  executablePath: string
  /** Where it was found, for messages: "--browser-path", "CHROME_PATH", "installed", "@sparticuz/chromium". */
  source: string
  headless: HeadlessMode
  /** Why this browser and not another, for `ortug doctor` and support requests. */
  reason: string
}

export interface TemplateSource {
  /** Where the text came from, for error messages. */
  file: string
  text: string
}

export interface DeckTemplates {
  deck: TemplateSource
  layouts: Record<LayoutName, TemplateSource>
  /** The handout page (HTML), rendered by handout.ts. */
  handout: TemplateSource
}
