import { type ProjectInput, readProject, readText, type Selection } from '../content/project.ts'
import { deriveDeck, type WeakSpot } from '../plan/derive.ts'
import { createTheme, loadFontFaceCss, type Theme } from '../render/theme.ts'
import { sha256 } from '../shared/hash.ts'
import type { Storyboard } from '../shared/types.ts'

/** The project as the pipeline uses it: each essay with its authored storyboard, or one derived from its sections. */
export interface Project extends ProjectInput {
  essays: (ProjectInput['essays'][number] & { storyboard: Storyboard; weakSpots: WeakSpot[] })[]
}

export async function loadProject(root: string, selection: Selection = {}): Promise<Project> {
  const project = await readProject(root, selection)
  return {
    ...project,
    essays: project.essays.map((entry) => {
      if (entry.storyboard) return { ...entry, storyboard: entry.storyboard, weakSpots: [] }
      const { storyboard, weakSpots } = deriveDeck(entry.essay)
      return { ...entry, storyboard, weakSpots }
    }),
  }
}

/** The theme file with the fonts from the font packages. */
export async function loadTheme(project: Pick<Project, 'themeFile'>): Promise<Theme> {
  return createTheme(await readText(project.themeFile), await loadFontFaceCss(), sha256)
}
