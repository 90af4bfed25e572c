// The dependency rule of src/: a file's folder tells what it may import. Lower stages never
// import higher ones, so each can be read and tested without what comes after it. README "Architecture" draws it.

/** Each stage folder and the folders its files may import (besides their own). */
export const LAYERS = {
  shared: [],
  content: ['shared'],
  plan: ['shared'],
  render: ['shared', 'plan'],
  browser: ['shared', 'plan', 'render'],
  output: ['shared', 'content', 'plan', 'render'],
  pipeline: ['shared', 'content', 'plan', 'render', 'browser', 'output'],
  commands: ['shared', 'content', 'plan', 'render', 'browser', 'output', 'pipeline'],
} as const satisfies Record<string, readonly string[]>

export type Layer = keyof typeof LAYERS

/** Packages a folder must not load: content/ and plan/ never drive the browser, plan/ never touches the disk. */
export const FORBIDDEN_PACKAGES: Partial<Record<Layer, readonly string[]>> = {
  shared: ['puppeteer-core', '@marp-team/marp-core', '@marp-team/marp-cli'],
  content: ['puppeteer-core', '@marp-team/marp-core', '@marp-team/marp-cli', 'node:child_process'],
  plan: ['puppeteer-core', '@marp-team/marp-core', '@marp-team/marp-cli', 'node:child_process', 'node:fs', 'node:fs/promises'],
}

export interface ImportEdge {
  /** The importing file, relative to src/ with forward slashes (`plan/fit.ts`). */
  from: string
  /** What it imports: a path relative to src/ for a relative import, else the package name. */
  to: string
}

const RE_IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every static and dynamic import of a file's text. */
export function findImports(text: string): string[] {
  return [...text.matchAll(RE_IMPORT)].map((match) => (match[1] ?? match[2]) as string)
}

/** Resolves `./x.ts` or `../stage/x.ts` from `from` (both relative to src/). */
export function resolveImport(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier
  const parts = from.split('/').slice(0, -1)
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop()
    else if (part !== '.') parts.push(part)
  }
  return parts.join('/')
}

/** The edges that break the rule, each with the reason. `src/cli.ts` (the entry) may import anything; nothing imports it or a command. */
export function findLayerViolations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = []
  for (const { from, to } of edges) {
    const fromLayer = layerOf(from)
    if (!/\.(ts|js|mjs)$/.test(to)) {
      const banned = fromLayer && FORBIDDEN_PACKAGES[fromLayer]?.some((name) => to === name || to.startsWith(`${name}/`))
      if (banned) problems.push(`${from} imports ${to}: ${fromLayer}/ must not load it`)
      continue
    }
    const toLayer = layerOf(to)
    if (to === 'cli.ts') problems.push(`${from} imports cli.ts: nothing imports the entry`)
    else if (toLayer === 'commands' && fromLayer !== 'commands' && from !== 'cli.ts') problems.push(`${from} imports ${to}: only cli.ts imports a command`)
    else if (!fromLayer || !toLayer) {
      if (from !== 'cli.ts') problems.push(`${from} imports ${to}: every module lives in a stage folder (${Object.keys(LAYERS).join(', ')})`)
    } else if (fromLayer !== toLayer && !(LAYERS[fromLayer] as readonly string[]).includes(toLayer)) {
      problems.push(`${from} imports ${to}: ${fromLayer}/ may import only ${[fromLayer, ...LAYERS[fromLayer]].join(', ')}`)
    }
  }
  return problems
}

function layerOf(file: string): Layer | undefined {
  const folder = file.split('/')[0] as string
  return folder in LAYERS ? (folder as Layer) : undefined
}
