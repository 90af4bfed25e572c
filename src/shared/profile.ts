import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

// A stage timer for `npm run bench` (ORTUG_PROFILE=<file>): where a build's time goes, as a trace
// of JSON lines { stage, deck, start, end, pid }, times in milliseconds since the epoch. Off (the
// default) every call is a constant no-op: nothing is timed, kept or written. With
// ORTUG_PROFILE_PAGES=<folder> too, the pages a build prints are kept there, so that the bench
// can print the same pages alone (its "floor").

export const STAGES = [
  'reading and planning',
  'browser start',
  'marp render',
  'page load',
  'fit measurement',
  'fit re-render',
  'fill',
  'deck print',
  'handout layout',
  'handout print',
  'PDF finishing',
  'marp-cli HTML',
  'thumbnails',
  'slide images',
  'commit',
  'profile pages',
] as const

export type Stage = (typeof STAGES)[number]

export interface StageRecord {
  stage: Stage
  /** "office / essay" (or the office), when the stage belongs to one deck. */
  deck?: string
  start: number
  end: number
  pid: number
}

/** A printed page kept for the floor: its HTML file and how it was printed. */
export interface PageRecord {
  page: 'deck' | 'handout'
  deck: string
  file: string
  pdf: { width: string; height: string }
}

export interface Profiler {
  readonly on: boolean
  /** Starts a stage; the function returned ends it. */
  start(stage: Stage, deck?: string): () => void
  time<T>(stage: Stage, deck: string | undefined, run: () => Promise<T>): Promise<T>
  /** Keeps a printed page (only with a pages folder): `html` is asked for only then. */
  page(kind: PageRecord['page'], deck: string, pdf: PageRecord['pdf'], html: () => string | Promise<string>): Promise<void>
  /** Writes what was recorded (appends to the trace). */
  flush(): Promise<void>
}

const END_NOTHING = () => undefined

export const NO_PROFILE: Profiler = {
  on: false,
  start: () => END_NOTHING,
  time: (_stage, _deck, run) => run(),
  page: () => Promise.resolve(),
  flush: () => Promise.resolve(),
}

let current: Profiler = NO_PROFILE

/** The profiler of this process: NO_PROFILE unless the entry installed one. */
export function profiler(): Profiler {
  return current
}

/** Installed once by the entry (cli.ts), from ORTUG_PROFILE; returns the one it replaces. */
export function installProfiler(next: Profiler): Profiler {
  const previous = current
  current = next
  return previous
}

export interface ProfileClock {
  now(): number
  pid: number
}

const SYSTEM_CLOCK: ProfileClock = { now: () => performance.timeOrigin + performance.now(), pid: process.pid }

/** A profiler writing to `file`, or NO_PROFILE when there is no file. */
export function openProfiler(file: string | undefined, pagesDir?: string, clock: ProfileClock = SYSTEM_CLOCK): Profiler {
  if (!file) return NO_PROFILE
  let lines: string[] = []
  let pages = 0
  const record = (line: StageRecord | PageRecord) => lines.push(JSON.stringify(line))
  const start = (stage: Stage, deck?: string) => {
    const began = clock.now()
    return () => void record({ stage, ...(deck === undefined ? {} : { deck }), start: began, end: clock.now(), pid: clock.pid })
  }
  return {
    on: true,
    start,
    async time(stage, deck, run) {
      const end = start(stage, deck)
      try {
        return await run()
      } finally {
        end()
      }
    },
    async page(kind, deck, pdf, html) {
      if (!pagesDir) return
      const end = start('profile pages', deck)
      const name = `${String(++pages).padStart(5, '0')}-${kind}.html`
      await mkdir(pagesDir, { recursive: true })
      await writeFile(path.join(pagesDir, name), await html())
      record({ page: kind, deck, file: name, pdf })
      end()
    },
    async flush() {
      const text = lines.map((line) => `${line}\n`).join('')
      lines = []
      if (text) await appendFile(file, text)
    },
  }
}

/** Parses a trace: its stage records and kept pages, skipping lines it does not know. */
export function readTrace(text: string): { stages: StageRecord[]; pages: PageRecord[] } {
  const stages: StageRecord[] = []
  const pages: PageRecord[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const value: unknown = JSON.parse(line)
    if (isStageRecord(value)) stages.push(value)
    else if (isPageRecord(value)) pages.push(value)
  }
  return { stages, pages }
}

function isStageRecord(value: unknown): value is StageRecord {
  if (typeof value !== 'object' || value === null || !('stage' in value) || !('start' in value) || !('end' in value)) return false
  return STAGES.some((stage) => stage === value.stage) && typeof value.start === 'number' && typeof value.end === 'number'
}

function isPageRecord(value: unknown): value is PageRecord {
  return typeof value === 'object' && value !== null && 'page' in value && 'file' in value && 'pdf' in value && typeof value.file === 'string'
}
