import { DEFAULT_TIMEOUT_S, MIN_LAUNCH_MS } from '../shared/limits.ts'
import type { OptionTable } from './define.ts'

// Options several commands share, described once.

export const SELECT_OPTIONS = {
  office: { type: 'string', value: 'id,..', list: true, description: 'only these offices, by file name in content/offices/', default: 'every office' },
  essay: { type: 'string', value: 'slug,..', list: true, description: 'only these essays, by file name in content/essays/', default: 'every essay' },
} as const satisfies OptionTable

/** --timeout: one meaning everywhere, each deck's work; the limits derived from it are in shared/limits.ts. */
export const TIMEOUT_OPTION = {
  timeout: {
    type: 'string',
    value: 's',
    description: `seconds each deck's work may take, every step counted (render, load, measure, print); the browser's start gets at least ${MIN_LAUNCH_MS / 1000}`,
    default: `${DEFAULT_TIMEOUT_S}`,
  },
} as const satisfies OptionTable

export const BROWSER_PATH_OPTION = {
  'browser-path': { type: 'string', value: 'path', description: 'the Chrome, Chromium or Edge to use', default: '$CHROME_PATH, else the one found' },
} as const satisfies OptionTable
