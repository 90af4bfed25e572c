export interface LoggerOptions {
  quiet?: boolean
  json?: boolean
  stream?: { write(chunk: string): unknown; isTTY?: boolean }
}

/** The one place user-facing output goes: stderr, silenced by --quiet or --json. */
export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** A line that a terminal overwrites in place (progress); plain lines elsewhere. */
  progress(message: string): void
  /** Ends an in-place progress line. */
  done(): void
}

export function createLogger({ quiet = false, json = false, stream = process.stderr }: LoggerOptions = {}): Logger {
  const silent = quiet || json
  const tty = Boolean(stream.isTTY) && !process.env.CI
  let progressShown = false
  const clearProgress = () => {
    if (progressShown) stream.write('\r\x1b[2K')
    progressShown = false
  }
  const line = (text: string) => {
    clearProgress()
    stream.write(`${text}\n`)
  }
  return {
    info: (message) => silent || line(message),
    warn: (message) => json || line(`warning: ${message}`),
    error: (message) => json || line(`error: ${message}`),
    progress(message) {
      if (silent) return
      if (!tty) return line(message)
      clearProgress()
      stream.write(message.slice(0, 200))
      progressShown = true
    },
    done: clearProgress,
  }
}
