import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'

import { createConfig } from '../../dev/createConfig.js'

/** Every component path the plugin puts in a config, wherever it sits. */
const componentPaths = (node: unknown, found = new Set<string>()): Set<string> => {
  if (typeof node === 'string' && node.startsWith('payload-plugin-whatsapp-campaigns/')) {
    found.add(node)
  } else if (Array.isArray(node)) {
    node.forEach((item) => componentPaths(item, found))
  } else if (node && typeof node === 'object') {
    Object.values(node).forEach((value) => componentPaths(value, found))
  }
  return found
}

// Read as text: importing them would load the admin UI's CSS, which Node cannot.
const read = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8')

describe('admin components', () => {
  test('every component the plugin references is exported and in the dev app import map', async () => {
    // Building a config connects to nothing.
    const config = await createConfig({ databaseUri: 'mongodb://127.0.0.1:9/unused' })
    const paths = [...componentPaths(config)]
    expect(paths.length).toBeGreaterThan(8)
    const importMap = read('../../dev/app/(payload)/admin/importMap.js')
    for (const path of paths) {
      const [entry, name] = path.replace('payload-plugin-whatsapp-campaigns/', '').split('#')
      expect(importMap, path).toContain(`'${path}': ${name}_`)
      expect(read(`../../src/exports/${entry}.ts`), path).toMatch(
        new RegExp(`export \\{ ${name} \\} from`),
      )
    }
  })
})
