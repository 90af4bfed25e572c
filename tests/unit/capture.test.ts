import type { Page } from 'puppeteer-core'
import { describe, expect, it } from 'vitest'
import { captureThumbnail } from '../../src/pipeline/capture.ts'
import { type DeckWork, newAttempt, type PrintContext } from '../../src/pipeline/deck-work.ts'
import { deferred } from '../../src/shared/tasks.ts'

// The catalogue's thumbnail waits for its turn in the capture window, which every deck shares. A
// try given up on meanwhile (its deck timed out: it fails, or is tried again with a thumbnail of
// its own) must not take it: its title slide may be what hung the browser, and hanging the capture
// window of a fresh browser replaced that browser under the deck printing alone in it.

/** A deck's try, and a capture window whose turn comes when the test says; it counts what a thumbnail asked of its page. */
function thumbnailAtTurn() {
  const turn = deferred()
  let pageUses = 0
  const page = new Proxy(
    {},
    {
      get() {
        pageUses++
        throw new Error('the fake capture page does nothing')
      },
    },
  ) as Page
  const work = {
    job: { office: { id: 'kota-bogor', aspect: '16:9' }, essay: { meta: { lang: 'id' } } },
    label: 'kota-bogor / ortug',
    slides: { markdown: '# Judul', deck: { slides: [] } },
    attempt: newAttempt(),
  } as unknown as DeckWork
  const warnings: string[] = []
  const context = {
    browser: {
      capture: <T>(shoot: (page: Page) => Promise<T>) => turn.promise.then(() => shoot(page)),
      describe: () => 'a fake browser',
    },
    marp: { render: async () => ({ html: '<div class="marpit"><svg data-marpit-svg=""></svg></div>', css: '' }) },
    theme: { css: '', fonts: '' },
    timeoutMs: 1000,
    warn: (message: string) => void warnings.push(message),
    isWanted: () => true,
  } as unknown as PrintContext
  return { work, context, turn, warnings, pageUses: () => pageUses }
}

describe("the catalogue's thumbnail", () => {
  it('is taken for a try still under way: the capture page is used (here it fails, and the deck gets a warning)', async () => {
    const { work, context, turn, warnings, pageUses } = thumbnailAtTurn()
    const thumbnail = captureThumbnail(work, context)
    turn.resolve()
    expect(await thumbnail).toBeUndefined()
    expect(pageUses()).toBeGreaterThan(0)
    expect(warnings).toEqual([expect.stringMatching(/^no thumbnail for kota-bogor \/ ortug in the catalogue: /)])
  })

  it('is not taken for a try given up on before its turn: the capture page is never touched', async () => {
    const { work, context, turn, warnings, pageUses } = thumbnailAtTurn()
    const thumbnail = captureThumbnail(work, context)
    work.attempt.abandoned = true
    turn.resolve()
    expect(await thumbnail).toBeUndefined()
    expect(pageUses()).toBe(0)
    expect(warnings).toEqual([])
  })
})
