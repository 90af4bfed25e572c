import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { RE_ICON } from './schema.ts'

// Icons of the grid layout: Lucide's SVG files, read from node_modules at build time and inlined
// into the deck as data: URIs. Nothing is fetched.

export const ICON_SET = 'lucide-static'
export const ICON_HELP = 'icon names are the file names (without .svg) in node_modules/lucide-static/icons/, or see https://lucide.dev/icons'

let iconsDir: string | undefined

function resolveIconsDir(): string {
  iconsDir ??= path.join(path.dirname(createRequire(import.meta.url).resolve(`${ICON_SET}/package.json`)), 'icons')
  return iconsDir
}

export function iconExists(name: string): boolean {
  return RE_ICON.test(name) && existsSync(path.join(resolveIconsDir(), `${name}.svg`))
}

const cache = new Map<string, string>()

/** The icon drawn in `color` (#rrggbb), as a data: URI for CSS. */
export function iconDataUri(name: string, color: string): string {
  const key = `${name}\0${color}`
  const known = cache.get(key)
  if (known) return known
  const svg = readFileSync(path.join(resolveIconsDir(), `${name}.svg`), 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/currentColor/g, color)
    .replace(/\s+/g, ' ')
    .trim()
  const uri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
  cache.set(key, uri)
  return uri
}
