import { existsSync } from 'node:fs'
import path from 'node:path'
import { BUILTIN_TEMPLATES } from '../content/project.ts'

// The preview's watcher: which files it watches, and when a change rebuilds.

/** Editors save in several steps (truncate, write, rename): one rebuild per burst of events. */
const DEBOUNCE_MS = 100

/** The project's folders a change under which rebuilds the preview. */
const WATCHED = new Set(['content', 'templates'])

/**
 * Calls `onChange` with every file created, changed or removed under the project's content/ and
 * templates/ (also when those folders appear, go or are replaced) and the built-in templates.
 * chokidar, not fs.watch: Node 20's recursive watch on Linux goes silent after an editor's atomic
 * save (https://github.com/nodejs/node/issues/48437).
 */
export async function watchProject(root: string, onChange: (file: string) => void): Promise<{ close(): Promise<void> }> {
  const { watch } = await import('chokidar')
  const outside = (file: string) => {
    const relative = path.relative(root, file)
    return relative !== '' && !relative.startsWith('..') && !WATCHED.has(relative.split(path.sep)[0] ?? '')
  }
  const watcher = watch([root, BUILTIN_TEMPLATES], { ignoreInitial: true, ignored: outside, atomic: true })
  watcher.on('all', (_event, file) => onChange(file))
  watcher.on('error', () => undefined)
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  return { close: () => watcher.close() }
}

/**
 * Rebuilds after a quiet moment, one rebuild at a time; changes during a rebuild cause one more
 * when it ends. `rebuild` gets the changed files (relative to the root) that still exist.
 */
export class RebuildQueue {
  private readonly changed = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private building: Promise<void> | undefined
  private again = false
  private stopped = false

  constructor(
    private readonly root: string,
    private readonly rebuild: (files: string[]) => Promise<void>,
  ) {}

  /** True once `close()` was called: a rebuild that ends then shows nothing. */
  get closed(): boolean {
    return this.stopped
  }

  /** A file (relative to the root) changed. */
  add(file: string): void {
    if (this.stopped) return
    this.changed.add(file)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.run(), DEBOUNCE_MS)
  }

  /** Takes no more changes at once; resolves when a rebuild under way has ended. */
  close(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    return this.building ?? Promise.resolve()
  }

  private async run(): Promise<void> {
    if (this.building) {
      this.again = true
      return
    }
    this.building = this.drain()
    try {
      await this.building
    } finally {
      this.building = undefined
    }
  }

  private async drain(): Promise<void> {
    do {
      this.again = false
      // Editors' temp files are gone by now: name the files that exist.
      const files = [...this.changed].filter((file) => existsSync(path.resolve(this.root, file)))
      this.changed.clear()
      await this.rebuild(files)
    } while (this.again && !this.stopped)
  }
}
