import { loadProject } from '../src/pipeline/project.ts'
import { planDeck } from '../src/plan/plan.ts'
import { loadPptxFonts, loadPptxImages } from '../src/render/pptx/assets.ts'
import { renderPptx } from '../src/render/pptx/package.ts'
import { REPO } from './ortug.ts'

// `npm run bench:pptx`: what the PowerPoint deck costs per office, in the build's process (no
// browser takes part): every office × essay of the repository, planned as written (without the
// fit check's tuning), made into a PPTX three times; the median and the slowest deck.

const RUNS = 3

async function main(): Promise<void> {
  const project = await loadProject(REPO)
  const started = performance.now()
  const fonts = await loadPptxFonts()
  const fontMs = performance.now() - started
  const times: number[] = []
  let bytes = 0
  for (let run = 0; run < RUNS; run++) {
    for (const { office } of project.offices) {
      for (const { essay, storyboard } of project.essays) {
        const deck = planDeck(essay, storyboard, office)
        const start = performance.now()
        const pptx = await renderPptx({ deck, fonts, images: await loadPptxImages(deck), date: new Date(0) })
        times.push(performance.now() - start)
        if (run === 0) bytes += pptx.byteLength
      }
    }
  }
  times.sort((a, b) => a - b)
  const decks = times.length / RUNS
  const median = times[Math.floor(times.length / 2)] as number
  process.stdout.write(
    `${decks} decks × ${RUNS} runs: median ${median.toFixed(0)} ms a deck, slowest ${(times.at(-1) as number).toFixed(0)} ms; ` +
      `fonts read once in ${fontMs.toFixed(0)} ms; ${(bytes / decks / 1024).toFixed(0)} KB a deck\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:pptx] FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
