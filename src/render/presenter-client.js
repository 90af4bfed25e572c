// Runs in every HTML deck, after marp-cli's bespoke script (src/presenter.ts puts it there), in
// each of bespoke's views: the audience view, the presenter view (`?view=presenter`, which bespoke
// opens with `p`), the next-slide frame inside it (`?view=next`) and the overview. Bespoke's labels
// are English and cannot be configured, so this script rewrites them in Indonesian, replaces the
// clock with a 24-hour one written as EYD writes time ("14.05.09"), and adds the timers: the
// presenter sees how much of the current slide's planned time is left, and a discussion slide's
// minutes pill ("10 menit") becomes its countdown, shown to the room, once the trainer starts it
// (`t`, or a click on the pill in the presenter view). In the presenter view the notes open with
// the part the slide belongs to, then the trainer's cue set apart, then the essay's sentences.
// ortug sets each timed slide's planned minutes as `data-minutes` on its section element,
// `data-source`, the storyboard slide it comes from (shared by its continuation pages), and
// `data-cue` when its notes start with a cue.
;(() => {
  const view = document.body.dataset.bespokeView || 'audience'
  const slides = [...document.querySelectorAll('svg[data-marpit-svg]')]
  if (slides.length === 0) return

  const LABELS = {
    '[data-bespoke-marp-osc="prev"]': 'Slide sebelumnya',
    '[data-bespoke-marp-osc="next"]': 'Slide berikutnya',
    '[data-bespoke-marp-osc="fullscreen"]': 'Layar penuh (f)',
    '[data-bespoke-marp-osc="overview"]': 'Semua slide (o)',
    '[data-bespoke-marp-osc="presenter"]': 'Buka tampilan penyaji (p)',
    '.bespoke-marp-presenter-info-page-prev': 'Slide sebelumnya',
    '.bespoke-marp-presenter-info-page-next': 'Slide berikutnya',
    '.bespoke-marp-presenter-note-smaller': 'Perkecil huruf catatan (-)',
    '.bespoke-marp-presenter-note-bigger': 'Perbesar huruf catatan (+)',
    '.bespoke-marp-presenter-info-page': 'Semua slide',
    '.bespoke-marp-presenter-info-timer': 'Waktu berjalan sejak dibuka; klik untuk mengulang dari nol',
    '.bespoke-marp-overview-close': 'Tutup (Esc)',
  }
  // Shown before the value (presenter-client.css); bespoke rewrites the value every 250 ms.
  const VALUE_LABELS = { '.bespoke-marp-presenter-info-timer': 'Waktu berjalan' }
  const VIEW_TITLES = { presenter: 'Tampilan penyaji', overview: 'Semua slide' }

  const pad = (number) => String(number).padStart(2, '0')
  const clockText = (ms) => {
    const time = new Date(ms)
    return `${pad(time.getHours())}.${pad(time.getMinutes())}.${pad(time.getSeconds())}`
  }
  const durationText = (ms) => {
    const seconds = Math.floor(Math.abs(ms) / 1000)
    return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`
  }
  const minutesOf = (slide) => Math.max(Number(slide.querySelector('section')?.dataset.minutes) || 0, 0)
  // The pages of one storyboard slide (its continuation pages) share one countdown.
  const timerOf = (index) => slides[index]?.querySelector('section')?.dataset.source ?? `slide-${index}`
  const isDiscussion = (slide) => Boolean(slide.querySelector('section.question, section.discussion'))
  const activeIndex = () => slides.findIndex((slide) => slide.classList.contains('bespoke-marp-active'))

  // The office's colours, from the first slide, for what bespoke draws outside the slides.
  const firstStyle = getComputedStyle(slides[0].querySelector('section') ?? document.body)
  for (const name of ['primary', 'accent']) {
    const value = firstStyle.getPropertyValue(`--${name}`).trim()
    if (value) document.documentElement.style.setProperty(`--ortug-${name}`, value)
  }

  const localiseLabels = () => {
    for (const [selector, label] of Object.entries(LABELS)) {
      for (const element of document.querySelectorAll(selector)) {
        element.title = label
        // Buttons drawn as icons keep their text for screen readers; the counter keeps its number.
        if (element.matches('button:not(.bespoke-marp-presenter-info-page)')) element.textContent = label
      }
    }
    for (const [selector, label] of Object.entries(VALUE_LABELS)) {
      for (const element of document.querySelectorAll(selector)) element.dataset.label = label
    }
    const title = VIEW_TITLES[view]
    if (title) document.title = document.title.replace(/^\[[^\]]*\]/, `[${title}]`)
  }

  // Bespoke writes "Page 8 of 18" (audience) and "8 / 18" (presenter) on every slide change.
  const counters = [...document.querySelectorAll('[data-bespoke-marp-osc="page"], .bespoke-marp-presenter-info-page')]
  const writeCounters = () => {
    const text = `Slide ${activeIndex() + 1} dari ${slides.length}`
    for (const counter of counters) if (counter.textContent !== text) counter.textContent = text
  }

  // Bespoke's clock is `toLocaleTimeString()` (12-hour in an English browser) and it holds on to
  // the element it writes, so a new element takes its place rather than fighting over the text.
  const bespokeClock = document.querySelector('.bespoke-marp-presenter-info-time')
  const clock = document.createElement('time')
  clock.className = 'bespoke-marp-presenter-info-time ortug-clock'
  clock.title = 'Jam sekarang'
  clock.dataset.label = 'Pukul'
  bespokeClock?.replaceWith(clock)

  const slideTimer = document.createElement('div')
  slideTimer.className = 'ortug-slide-timer'
  slideTimer.setAttribute('aria-live', 'off')
  document.querySelector('.bespoke-marp-presenter-info-container')?.append(slideTimer)

  // A discussion slide's minutes pill is its one timer. Started in one view, it runs in the other
  // (the audience and presenter windows share localStorage); a start older than a day is stale.
  const pills = new Map()
  for (const slide of slides) {
    const pill = [...slide.querySelectorAll('section p > em')].find((em) => /menit$/.test(em.textContent.trim()))
    if (!minutesOf(slide) || !isDiscussion(slide) || !pill) continue
    pill.classList.add('ortug-timer')
    pill.dataset.planned = pill.textContent
    pill.title = 'Mulai hitung mundur diskusi (t)'
    pills.set(slide, pill)
  }
  const STORE = `ortug-discussions:${location.pathname}`
  const readStarts = () => {
    try {
      const starts = JSON.parse(localStorage.getItem(STORE) || '{}')
      return Object.fromEntries(Object.entries(starts).filter(([, at]) => Date.now() - at < 86_400_000))
    } catch {
      return {}
    }
  }
  let starts = readStarts()
  const toggleDiscussion = (slideIndex) => {
    if (!pills.has(slides[slideIndex])) return
    const key = timerOf(slideIndex)
    starts = readStarts()
    if (starts[key] === undefined) starts[key] = Date.now()
    else delete starts[key]
    try {
      localStorage.setItem(STORE, JSON.stringify(starts))
    } catch {
      // Storage refused (a private window): the timer runs in this view only.
    }
    tick()
  }
  window.addEventListener('storage', (event) => {
    if (event.key === STORE) starts = readStarts()
  })
  document.addEventListener('keydown', (event) => {
    if (event.key === 't' && !event.ctrlKey && !event.metaKey && !event.altKey) toggleDiscussion(activeIndex())
  })
  if (view === 'presenter') {
    for (const [slide, pill] of pills) pill.addEventListener('click', () => toggleDiscussion(slides.indexOf(slide)))
  }

  // The notes' first line says where the slide sits; the info bar already shows the slide and its
  // time, so only the part stays, as a small heading. A cue that follows is set apart.
  if (view === 'presenter') {
    for (const note of document.querySelectorAll('.bespoke-marp-note')) {
      // Marp writes the notes as one pre-wrapped paragraph; blank lines part the paragraphs.
      const paragraphs = note.textContent.split(/\n{2,}/).filter((text) => text.trim())
      note.replaceChildren(
        ...paragraphs.map((text) => {
          const p = document.createElement('p')
          p.textContent = text.trim()
          return p
        }),
      )
      const where = note.firstElementChild
      if (!where || !/^Slide \d+ dari \d+/.test(where.textContent)) continue
      const part = /Bagian \d+ dari \d+(?: \(rencana [^)]*\))?/.exec(where.textContent)
      if (part) {
        where.textContent = part[0]
        where.className = 'ortug-where'
      } else where.remove()
      const section = slides[Number(note.dataset.index)]?.querySelector('section')
      const cue = part ? where.nextElementSibling : note.firstElementChild
      if (section?.hasAttribute('data-cue') && cue) cue.classList.add('ortug-cue')
    }
  }

  // Time spent on each slide, summed over every visit: going back to a slide does not restart it.
  // The next-slide frame and the overview only show the planned times.
  const spent = new Map()
  const spentOn = (index) => spent.get(timerOf(index)) ?? 0
  const counts = view === 'audience' || view === 'presenter'
  let last = Date.now()
  let index = activeIndex()

  const tick = () => {
    const now = Date.now()
    // The time since the last tick belongs to the slide shown until now.
    if (counts && index >= 0) spent.set(timerOf(index), spentOn(index) + now - last)
    last = now
    index = activeIndex()
    clock.textContent = clockText(now)

    const minutes = index >= 0 ? minutesOf(slides[index]) : 0
    const left = minutes * 60_000 - spentOn(index)
    slideTimer.hidden = !minutes
    slideTimer.classList.toggle('ortug-over', minutes > 0 && left < 0)
    slideTimer.textContent = left >= 0 ? `Sisa waktu slide: ${durationText(left)}` : `Lewat waktu slide: +${durationText(left)}`

    for (const [slide, pill] of pills) {
      const start = starts[timerOf(slides.indexOf(slide))]
      const remaining = start === undefined ? 0 : minutesOf(slide) * 60_000 - (now - start)
      pill.classList.toggle('ortug-running', start !== undefined)
      pill.classList.toggle('ortug-over', start !== undefined && remaining < 0)
      const text = start === undefined ? pill.dataset.planned : remaining >= 0 ? durationText(remaining) : 'Waktu habis'
      if (pill.textContent !== text) pill.textContent = text
    }
  }

  const update = () => {
    writeCounters()
    tick()
  }
  localiseLabels()
  update()
  setInterval(tick, 250)
  // A slide change (bespoke moves its active class) and bespoke rewriting a counter both show at once.
  const observer = new MutationObserver(update)
  for (const slide of slides) observer.observe(slide, { attributes: true, attributeFilter: ['class'] })
  for (const counter of counters) observer.observe(counter, { childList: true, characterData: true, subtree: true })
  // The overview's close button and title appear when it opens.
  new MutationObserver(localiseLabels).observe(document.body, { childList: true })
})()
