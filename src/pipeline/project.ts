import { type ProjectInput, readProject, type Selection } from '../content/project.ts'
import { deriveStoryboard } from '../plan/derive.ts'
import type { Storyboard } from '../shared/types.ts'

/** The project as the pipeline uses it: each essay with its authored storyboard, or one derived from its sections. */
export interface Project extends ProjectInput {
  essays: (ProjectInput['essays'][number] & { storyboard: Storyboard })[]
}

export async function loadProject(root: string, selection: Selection = {}): Promise<Project> {
  const project = await readProject(root, selection)
  return { ...project, essays: project.essays.map((entry) => ({ ...entry, storyboard: entry.storyboard ?? deriveStoryboard(entry.essay) })) }
}
