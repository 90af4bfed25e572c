// The entry of the fault build's process: commit.test.ts bundles it as bin/bundle.mjs bundles the
// CLI, so that each of its many runs starts as fast as `ortug build` does.
import { main } from './fault-build.ts'

await main()
