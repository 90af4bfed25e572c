export const ERROR_CODES = {
  /** Invalid content, or a slide that does not fit. */
  CONTENT: 1,
  /** Wrong usage of the command line. */
  USAGE: 2,
  /** The environment: no browser, cannot write, browser crash or timeout. */
  ENVIRONMENT: 3,
} as const

export type ErrorKind = keyof typeof ERROR_CODES

export interface Location {
  file: string
  line?: number
  column?: number
}

export class OrtugError extends Error {
  readonly kind: ErrorKind
  readonly location?: Location

  constructor(kind: ErrorKind, message: string, options: { location?: Location; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'OrtugError'
    this.kind = kind
    this.location = options.location
  }

  get exitCode(): number {
    return ERROR_CODES[this.kind]
  }

  /** `file:line:col: message`, the shape editors and terminals turn into links. */
  format(): string {
    return this.location ? `${formatLocation(this.location)}: ${this.message}` : this.message
  }
}

/** Several problems found at once (ortug check, loading all offices). */
export class OrtugErrors extends OrtugError {
  readonly errors: readonly OrtugError[]

  constructor(errors: readonly OrtugError[]) {
    const worst = errors.reduce((a, b) => (ERROR_CODES[b.kind] > ERROR_CODES[a.kind] ? b : a))
    super(worst.kind, `${errors.length} problem${errors.length === 1 ? '' : 's'} found`)
    this.errors = errors
  }

  override format(): string {
    return this.errors.map((e) => e.format()).join('\n')
  }
}

export function fail(kind: ErrorKind, message: string, options?: { location?: Location; cause?: unknown }): never {
  throw new OrtugError(kind, message, options)
}

export function formatLocation({ file, line, column }: Location): string {
  if (line === undefined) return file
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`
}

/** Flattens thrown values into a list of OrtugErrors; anything else is rethrown (a bug keeps its stack). */
export function collectErrors(error: unknown): OrtugError[] {
  if (error instanceof OrtugErrors) return [...error.errors]
  if (error instanceof OrtugError) return [error]
  throw error
}
