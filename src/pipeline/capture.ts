import type { Page } from 'puppeteer-core'
import * as render from '../browser/page.ts'
import { thumbnailTryLimitMs } from '../shared/limits.ts'
import { profiler } from '../shared/profile.ts'
import { withTimeout } from '../shared/tasks.ts'
import { type Attempt, type DeckWork, inAttempt, type PrintContext, type Printed, renderDeck, toPrintable } from './deck-work.ts'

// Screenshots from the capture window, which every deck shares (pages.ts says why not from the
// deck's own tab): the catalogue's thumbnail, the slide images and the overview.

const THUMB_WIDTH = 320
export const IN_CAPTURE_WINDOW = { load: 'loading the deck for screenshots', shoot: 'taking screenshots' } as const

/** The title slide, small; a deck without a thumbnail is still built (the catalogue shows its name). */
export async function captureThumbnail(work: DeckWork, context: PrintContext): Promise<Uint8Array | undefined> {
  const { width, height } = render.SLIDE_SIZES[work.job.office.aspect]
  // Taken for this try only: a try given up on (its deck then fails, or is tried again and asks for
  // a thumbnail of its own) must not load its deck into the capture window, which may hang it.
  const { attempt } = work
  const isWanted = () => context.isWanted(work) && !attempt.abandoned
  const printable = toPrintable(work)
  const rendered = renderDeck(work, context)
  const shot = async (capturePage: Page) => {
    const { css, html } = await rendered
    const end = profiler().start('thumbnails', work.label)
    // The title slide alone, drawn at the thumbnail's size.
    const titleSlide = { css, html: `<div class="marpit">${render.splitSlides(html)[0] ?? ''}</div>` }
    await render.showForCapture(capturePage, printable, context.theme, titleSlide, `${work.label}: the title slide`, THUMB_WIDTH)
    const image = await capturePage.screenshot({
      type: 'webp',
      quality: 80,
      clip: { x: 0, y: 0, width: THUMB_WIDTH, height: Math.round((height * THUMB_WIDTH) / width) },
    })
    end()
    return image
  }
  // The timeout counts from the thumbnail's turn in the capture window, not from its place in the queue.
  const take = () =>
    context.browser.capture((capturePage) =>
      isWanted()
        ? withTimeout(
            shot(capturePage),
            thumbnailTryLimitMs(context.timeoutMs),
            (limit) => `the screenshot did not finish within ${limit}; browser: ${context.browser.describe()}`,
          )
        : Promise.resolve(undefined),
    )
  try {
    // A second try, in a new capture window: the first may have failed for another deck that hung
    // the browser, or with a browser restarted under it.
    return await take().catch(take)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (isWanted()) context.warn(`no thumbnail for ${work.label} in the catalogue: ${message.split('\n')[0]}`)
    return undefined
  }
}

/** Every slide as a PNG, and the overview, from the whole deck loaded in the capture window. */
export async function captureSlides(work: DeckWork, attempt: Attempt, context: PrintContext): Promise<Pick<Printed, 'slideImages' | 'overview'>> {
  const { job } = work
  const rendered = await renderDeck(work, context)
  attempt.steps.add('waiting for the capture window')
  return context.browser.capture(async (page) => {
    attempt.steps.delete('waiting for the capture window')
    const end = profiler().start('slide images', work.label)
    await inAttempt(attempt, IN_CAPTURE_WINDOW.load, () => render.showForCapture(page, toPrintable(work), context.theme, rendered, `${work.label}: the deck`))
    const images = await inAttempt(attempt, IN_CAPTURE_WINDOW.shoot, async () => ({
      slideImages: job.formats.includes('png') ? await render.screenshotSlides(page, work.slides.deck.slides.length, job.office.aspect) : undefined,
      overview: job.formats.includes('overview') ? await render.screenshotOverview(page, job.office.aspect) : undefined,
    }))
    end()
    return images
  })
}
