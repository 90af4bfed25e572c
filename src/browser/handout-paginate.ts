// What the handout's page script (handout-paginate.js: continues long text on further sheets,
// numbers the pages, reports anything outside its box) returns, and the script itself.

import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { installPath } from '../shared/paths.ts'

/** What the page script returns. */
export const Pagination = z.object({
  /** The outline entry of each page, in order. */
  titles: z.array(z.string()),
  /** 1-based pages with content outside its box. */
  overflowing: z.array(z.number()),
})
export type Pagination = z.infer<typeof Pagination>

/** The page script, read once from its own file (it runs in the page, not in Node). */
let script: Promise<string> | undefined
export function paginateScript(): Promise<string> {
  script ??= readFile(installPath('src/browser/handout-paginate.js'), 'utf8')
  return script
}
