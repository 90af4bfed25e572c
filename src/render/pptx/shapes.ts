import type { Aspect } from '../../shared/types.ts'
import { measureHeight, type PptxFonts, SCALES, scaledSize, type TextSpec } from './text-fit.ts'

// What a PowerPoint slide is drawn from: text boxes, rectangles, ellipses and images at fixed
// places (inches), in the office's colours and ortug's neutrals. Layouts (layouts.ts) make them,
// package.ts writes them.

/** The only colours a deck uses besides the office's primary and accent (the theme's neutrals). */
export const NEUTRALS = { white: 'FFFFFF', ink: '1D2330', muted: '5D6473', paper: 'FBFAF6', rule: 'E6E1D6' } as const

export interface Palette {
  primary: string
  accent: string
}

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

export type Shape =
  | ({ kind: 'text'; spec: TextSpec; size: number; name: string } & Box)
  | ({ kind: 'rect' | 'ellipse'; color: string } & Box)
  | ({ kind: 'image'; data: string; name: string } & Box)

/** The slide's size in inches: Marp's 1280 × 720 or 960 × 720 pixels at 96 per inch. */
export function slideSize(aspect: Aspect): { w: number; h: number } {
  return aspect === '4:3' ? { w: 10, h: 7.5 } : { w: 13.333, h: 7.5 }
}

/** Side margin, where content starts below the top bar, and where it must end above the footer. */
export const MARGIN_X = 0.875
export const CONTENT_TOP = 0.7
export const CONTENT_BOTTOM_GAP = 0.95

/**
 * Lays text boxes one under another from `top`, each as tall as its text at `scale`; the
 * cursor's `y` is where the next one goes.
 */
export class Stack {
  readonly shapes: Shape[] = []
  y: number
  constructor(
    private readonly fonts: PptxFonts,
    private readonly scale: number,
    readonly x: number,
    readonly w: number,
    top: number,
  ) {
    this.y = top
  }

  text(name: string, spec: TextSpec, gapAfter = 0, w = this.w): Shape {
    const size = scaledSize(spec, this.scale)
    const h = measureHeight(spec, w, size, this.fonts)
    const shape: Shape = { kind: 'text', name, spec, size, x: this.x, y: this.y, w, h }
    this.shapes.push(shape)
    this.y += h + gapAfter * this.scale
    return shape
  }

  rect(color: string, w: number, h: number, gapAfter = 0): void {
    this.shapes.push({ kind: 'rect', color, x: this.x, y: this.y, w, h })
    this.y += h + gapAfter * this.scale
  }

  /** Moves every shape down by `dy` (to centre the stack in its space). */
  shift(dy: number): void {
    for (const shape of this.shapes) shape.y += dy
    this.y += dy
  }
}

export interface Drawn {
  shapes: Shape[]
  /** How far the content crosses its space, in inches (≤ 0: it fits). */
  overflow: number
}

/**
 * The largest scale (from `start`, the HTML's larger type on a sparse slide) at which `draw` fits: every text size steps down together until the slide's
 * content fits its space. Undefined when it does not fit even at the smallest sizes.
 */
export function fitSlide(draw: (scale: number) => Drawn, start = 1): Drawn | undefined {
  for (const scale of SCALES) {
    const drawn = draw(scale * start)
    if (drawn.overflow <= 0.001) return drawn
  }
  return undefined
}

/** Moves a drawn slide's shapes down by half its free space: a sparse slide sits in the middle, as the HTML's balanced slides do. */
export function centreVertically(drawn: Drawn): Drawn {
  const dy = Math.max(0, -drawn.overflow / 2)
  return { shapes: drawn.shapes.map((shape) => ({ ...shape, y: shape.y + dy })), overflow: drawn.overflow + dy }
}
