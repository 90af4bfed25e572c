import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { renderTranscript, TRANSCRIPT } from '../../scripts/transcript.ts'

// docs/first-hour.md is what ortug says to a newcomer: generated again here (real commands,
// real browser) and compared, so the document cannot drift from the tool.

describe('docs/first-hour.md', () => {
  it('is what the commands print today (regenerate: node --import tsx scripts/transcript.ts)', async () => {
    const expected = await readFile(TRANSCRIPT, 'utf8')
    expect(await renderTranscript()).toBe(expected)
  })
})
