// `--timeout` has one meaning: the seconds each deck's work may take, every step counted (Marp's
// render, loading, measuring, printing the PDF and the handout), from the moment its work starts.
// The few limits of work that is not one deck's are derived from it, here and only here; README
// ("--timeout") and the commands' help say the same.

/** --timeout when none is given: each deck's work, in seconds. */
export const DEFAULT_TIMEOUT_S = 120

/** The longest --timeout: Node's timers hold at most 2^31-1 ms (about 24.8 days); a day is plenty for one deck. */
export const MAX_TIMEOUT_S = 86_400

/** The least time a browser gets to start, whatever --timeout says. */
export const MIN_LAUNCH_MS = 60_000

/**
 * The browser's start-up, and each DevTools call of its life: --timeout, but at least
 * MIN_LAUNCH_MS. Starting Chromium cold (unpacking the npm-shipped one, a cold disk) is slower
 * than any page step, and is no deck's work: a deck's --timeout counts once the browser is up.
 */
export function launchLimitMs(timeoutMs: number): number {
  return Math.max(timeoutMs, MIN_LAUNCH_MS)
}

/**
 * One try of a catalogue thumbnail: --timeout from its turn in the capture window, not from its
 * place in the queue. A thumbnail is not part of its deck's deadline (a deck without one is
 * still built); it has two tries, each in a new capture window (the first may fail for a deck
 * that hung the browser), so at worst it takes twice --timeout.
 */
export function thumbnailTryLimitMs(timeoutMs: number): number {
  return timeoutMs
}

/**
 * marp-cli converts a batch of decks in one call: the batch gets --timeout once every deck's
 * slides are final (the decks' own work is behind them by then).
 */
export function marpBatchLimitMs(timeoutMs: number): number {
  return timeoutMs
}

/** Past the batch's limit, Marp's process is restarted and each office is converted alone within this. */
export function marpOfficeLimitMs(timeoutMs: number): number {
  return timeoutMs
}
