/**
 * npm run release:check: the release steps, rehearsed. Builds, then in a temporary copy of the
 * repository runs `npm version` and `npm publish --dry-run`, and checks the listed files:
 * the built package only (no sources, no tests), every export target among them, and a
 * CHANGELOG with an Unreleased section. The repository is left unchanged.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

type PublishReport = { files: { path: string }[]; name: string; version: string }
type Exports = Record<string, Record<string, string> | string>

const root = fileURLToPath(new URL('..', import.meta.url))
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

const bumpPatch = (version: string) => {
  const [major, minor, patch] = version.split('.').map(Number)
  return `${major}.${minor}.${patch + 1}`
}

const problems: string[] = []
const verify = (ok: boolean, problem: string) => {
  process.stdout.write(`${ok ? '✓' : '✗'} ${problem}\n`)
  if (!ok) {
    problems.push(problem)
  }
}

npm(['run', 'build'], root)
const work = mkdtempSync(path.join(tmpdir(), 'whatsapp-release-'))
try {
  // The repository as a clone has it (tracked and new files, not ignored ones) plus the build,
  // so `files` in package.json picks what is published, as it does in the real run.
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
  for (const entry of [...tracked.split('\n').filter(Boolean), 'dist']) {
    if (existsSync(path.join(root, entry))) {
      cpSync(path.join(root, entry), path.join(work, entry), { recursive: true })
    }
  }
  const before = JSON.parse(readFileSync(path.join(work, 'package.json'), 'utf8')) as {
    exports: Exports
    name: string
    version: string
  }
  const version = npm(['version', 'patch', '--no-git-tag-version'], work).trim()
  // The build is done above; the copy has no sources to rebuild from.
  const output = npm(['publish', '--dry-run', '--json', '--ignore-scripts', '--tag', 'next'], work)
  const parsed = JSON.parse(output.slice(output.indexOf('{'))) as
    PublishReport | Record<string, PublishReport>
  // npm 11 keys the report by package name; npm 10 prints it bare.
  const report = 'files' in parsed ? (parsed as PublishReport) : parsed[before.name]
  const files = report.files.map((file) => file.path)

  verify(version === `v${bumpPatch(before.version)}`, `npm version bumps to ${version}`)
  verify(report.version === version.slice(1), `npm publish --dry-run publishes ${report.version}`)
  const strays = files.filter(
    (file) =>
      !/^dist\/.+\.(?:js|js\.map|d\.ts|css)$/.test(file) &&
      !['CHANGELOG.md', 'LICENSE', 'package.json', 'README.md'].includes(file),
  )
  verify(
    strays.length === 0,
    `only built files are published${strays.length ? `: ${strays.join(', ')}` : ''}`,
  )
  const tests = files.filter((file) => /(?:^|\/)(?:test|tests|__tests__)\/|\.test\./.test(file))
  verify(tests.length === 0, 'no test files are published')
  const targets = Object.values(before.exports).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.values(target),
  )
  const missing = targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.includes(t))
  verify(
    missing.length === 0,
    `every export target is published${missing.length ? `; missing ${missing.join(', ')}` : ''}`,
  )
  verify(files.includes('dist/components/shared/styles.css'), 'the admin CSS is published')
  verify(
    /^## \[Unreleased\]/m.test(readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8')),
    'CHANGELOG.md has an Unreleased section',
  )
  process.stdout.write(
    `${files.length} files would be published as ${report.name}@${report.version}\n`,
  )
} finally {
  rmSync(work, { force: true, recursive: true })
}

if (problems.length > 0) {
  process.stderr.write(`release check failed: ${problems.length} problem(s)\n`)
  process.exitCode = 1
}
