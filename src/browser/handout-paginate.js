// The handout's page script, evaluated in the page by src/browser/handout.ts once fonts have
// loaded; what it returns ({ titles, overflowing }) is checked there with zod (Pagination).
//
// Sheets (`.sheet`) are fixed pages; a `[data-flow]` box whose content does not fit continues on
// a copy of its sheet inserted after it (without the `[data-first-only]` parts, with class
// `continued`), splitting a plain-text paragraph between words and a list between items; a sheet
// may hold several such boxes (the agenda, then the reading text), and what follows the first
// that overflows moves with it. Boxes left empty are hidden. Then every `[data-page-number]` /
// `[data-page-count]` is filled in.
//
// A file of its own, read as text, rather than a function in handout.ts: tsx/esbuild's keepNames
// would wrap its inner functions in `__name()`, which does not exist in the page
// (https://github.com/privatenumber/tsx/issues/113).
;(() => {
  // Print and screen layout can differ by a fraction of a pixel: keep a little room.
  const SLACK = 2
  const bottomOf = (el) => el.getBoundingClientRect().bottom
  const isPlainText = (el) => el.childNodes.length === 1 && el.firstChild.nodeType === Node.TEXT_NODE
  const isHeading = (el) => /^H[1-6]$/.test(el.tagName)
  // A heading's own lines, not its box: an office's handout template may set it in a grid row
  // beside its text (as the reading text's hanging headings are), where its box stretches to the
  // text's height and would be taken for what overflows (the shipped template sets align-self: start).
  const textBottomOf = (el) => {
    if (!isHeading(el)) return bottomOf(el)
    const range = document.createRange()
    range.selectNodeContents(el)
    return range.getBoundingClientRect().bottom
  }

  // Keeps in el the words that end above limit; returns a copy holding the rest, or null if none fits.
  const splitWords = (el, limit) => {
    const text = el.textContent
    const words = text.match(/\S+\s*/g) || []
    let lo = 0
    let hi = words.length - 1
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      el.textContent = words.slice(0, mid).join('').trimEnd()
      if (bottomOf(el) <= limit) lo = mid
      else hi = mid - 1
    }
    if (lo === 0) {
      el.textContent = text
      return null
    }
    el.textContent = words.slice(0, lo).join('').trimEnd()
    el.classList.add('split')
    const rest = el.cloneNode(false)
    rest.classList.remove('split')
    rest.classList.add('split-rest')
    rest.textContent = words.slice(lo).join('')
    return rest
  }

  // Keeps in a list the items that fit above limit; returns a list holding the rest (numbered on), or null if none fits.
  const splitList = (el, limit) => {
    const items = Array.from(el.children)
    let lo = 0
    let hi = items.length - 1
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      el.replaceChildren(...items.slice(0, mid))
      if (bottomOf(el) <= limit) lo = mid
      else hi = mid - 1
    }
    el.replaceChildren(...items.slice(0, lo))
    if (lo === 0) {
      el.replaceChildren(...items)
      return null
    }
    el.classList.add('split')
    const rest = el.cloneNode(false)
    rest.classList.remove('split')
    rest.classList.add('split-rest')
    if (el.tagName === 'OL') rest.setAttribute('start', String(el.start + lo))
    rest.replaceChildren(...items.slice(lo))
    return rest
  }
  const isList = (el) => el.tagName === 'OL' || el.tagName === 'UL'

  // What of a [data-flow] box goes to the next sheet: its children from the first that does not fit
  // (that one split between words or list items when it can), or null when everything fits.
  const overflowOf = (flow) => {
    const limit = bottomOf(flow) - SLACK
    const children = Array.from(flow.children)
    let first = children.findIndex((child) => textBottomOf(child) > limit)
    if (first < 0) return null
    const straddling = children[first]
    // A heading is never split: it goes with the text it introduces (below).
    const starts = straddling.getBoundingClientRect().top < limit && !isHeading(straddling)
    const rest = starts && isPlainText(straddling) ? splitWords(straddling, limit) : starts && isList(straddling) ? splitList(straddling, limit) : null
    if (rest) return { moving: [rest, ...children.slice(first + 1)], whole: false }
    // A heading goes with the text it introduces.
    while (first > 0 && isHeading(children[first - 1])) first--
    return { moving: children.slice(first), whole: first === 0 }
  }

  const overflowing = []
  for (let sheet = document.querySelector('.sheet'); sheet; sheet = sheet.nextElementSibling) {
    if (!sheet.classList.contains('sheet')) continue
    // A sheet may have several boxes (the first page: the agenda, then the reading text): the first
    // that overflows continues on a copy of the sheet, followed by all of every later box.
    const flows = Array.from(sheet.querySelectorAll('[data-flow]'))
    let cut = -1
    let overflow = null
    for (const [index, flow] of flows.entries()) {
      if (flow.hidden || flow.children.length === 0) continue
      overflow = overflowOf(flow)
      if (overflow) {
        cut = index
        break
      }
    }
    if (!overflow) continue
    // Something that fits no page even alone and cannot be split stays (and is reported below).
    const before = flows.slice(0, cut).some((flow) => !flow.hidden && flow.children.length > 0)
    if (overflow.whole && !before && sheet.classList.contains('continued')) continue
    const next = sheet.cloneNode(true)
    next.classList.add('continued')
    for (const el of next.querySelectorAll('[data-first-only]')) el.remove()
    if (next.dataset.continuedTitle) next.dataset.title = next.dataset.continuedTitle
    Array.from(next.querySelectorAll('[data-flow]')).forEach((box, index) => {
      box.replaceChildren(...(index < cut ? [] : index === cut ? overflow.moving : Array.from(flows[index].children)))
      box.hidden = box.children.length === 0
    })
    for (const flow of flows) flow.hidden = flow.children.length === 0
    sheet.after(next)
  }

  const sheets = Array.from(document.querySelectorAll('.sheet'))
  sheets.forEach((sheet, index) => {
    for (const el of sheet.querySelectorAll('[data-page-number]')) el.textContent = String(index + 1)
    for (const el of sheet.querySelectorAll('[data-page-count]')) el.textContent = String(sheets.length)
  })
  // Every element must lie inside the nearest box that clips it (or the page).
  const clipOf = (el, sheet) => {
    for (let box = el.parentElement; box && box !== sheet; box = box.parentElement) {
      const style = getComputedStyle(box)
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') return box
    }
    return sheet
  }
  sheets.forEach((sheet, index) => {
    for (const el of sheet.querySelectorAll('*')) {
      // Slides are scaled into their box; ruled lines are cut off on purpose.
      if (el.closest('.marpit, [data-fill]')) continue
      const rect = el.getBoundingClientRect()
      if (rect.width === 0 && rect.height === 0) continue
      const box = clipOf(el, sheet).getBoundingClientRect()
      if (rect.bottom > box.bottom + 0.5 || rect.right > box.right + 0.5 || rect.top < box.top - 0.5 || rect.left < box.left - 0.5) {
        overflowing.push(index + 1)
        break
      }
    }
  })
  return { titles: sheets.map((sheet, index) => sheet.dataset.title || String(index + 1)), overflowing }
})()
