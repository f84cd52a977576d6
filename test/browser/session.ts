import { mkdirSync } from 'node:fs'
import { type Browser, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'

export const screenshotsDir = 'test-results/screenshots'

/** Debian's Chromium (CHROMIUM_PATH to use another build). */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    args: ['--no-sandbox'],
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  })

export const logIn = async (page: Page, appUrl: string) => {
  await page.goto(`${appUrl}/admin/login`)
  await page.fill('#field-email', 'dev@payloadcms.com')
  await page.fill('#field-password', 'test')
  await page.click('button[type=submit]')
  await page.waitForURL(`${appUrl}/admin`)
}

/** A full-page screenshot kept as a test artifact. */
export const screenshot = async (page: Page, name: string) => {
  mkdirSync(screenshotsDir, { recursive: true })
  await page.screenshot({ fullPage: true, path: `${screenshotsDir}/${name}.png` })
}

const inFlight = new WeakMap<Page, Set<unknown>>()

/**
 * Resolves once the page has had no request in flight for `quietMs`: Payload drops a field
 * change made while the previous change's form-state request is still running.
 */
export const settle = async (page: Page, quietMs = 500) => {
  if (!inFlight.has(page)) {
    const pending = new Set<unknown>()
    inFlight.set(page, pending)
    page.on('request', (request) => pending.add(request))
    page.on('requestfinished', (request) => pending.delete(request))
    page.on('requestfailed', (request) => pending.delete(request))
  }
  const pending = inFlight.get(page) ?? new Set()
  let quietSince = Date.now()
  while (Date.now() - quietSince < quietMs) {
    await page.waitForTimeout(100)
    if (pending.size > 0) {
      quietSince = Date.now()
    }
  }
}

/** Picks an option of a Payload select or relationship field (react-select). */
export const choose = async (page: Page, field: string, option: string) => {
  const value = page.locator(`#field-${field} .rs__value-container`)
  // A click before React has hydrated the field opens nothing: try again.
  for (
    let attempt = 0;
    attempt < 5 && !((await value.textContent()) ?? '').includes(option);
    attempt++
  ) {
    await page.click(`#field-${field} .rs__control`)
    await page
      .locator(`.rs__option:has-text("${option}")`)
      .click({ timeout: 5000 })
      .catch(() => page.keyboard.press('Escape'))
  }
  expect(await value.textContent()).toContain(option)
  await settle(page)
}

/** Opens the admin's nav when it is closed, and follows one of its links. */
export const followNavLink = async (page: Page, text: string) => {
  await page.locator('.nav--nav-hydrated').waitFor()
  if ((await page.locator('.nav--nav-open').count()) === 0) {
    await page.click('.nav-toggler')
  }
  await page.locator(`nav a:has-text("${text}")`).click()
}

/** The number shown by one of the campaign's live counters. */
export const stat = async (page: Page, name: string) =>
  Number(await page.locator(`[data-testid="stat-${name}"] strong`).textContent())

export const waitForStat = (page: Page, name: string, value: number, timeout = 90_000) =>
  expect.poll(() => stat(page, name), { interval: 500, timeout }).toBe(value)

export const campaignStatus = (page: Page) =>
  page
    .locator('[data-testid="campaign-controls"] [data-testid="status-badge"]')
    .getAttribute('data-status')

/** What a read-only date field of the sidebar shows ('' while empty). */
export const sidebarDate = (page: Page, name: string) => page.inputValue(`#field-${name} input`)

export const waitForStatus = (page: Page, status: string, timeout = 90_000) =>
  expect.poll(() => campaignStatus(page), { interval: 300, timeout }).toBe(status)

/** Saves the open document and waits until the edit view has its id in the URL. */
export const save = async (page: Page) => {
  await page.click('#action-save')
  await page.waitForURL(/\/collections\/[^/]+\/(?!create)[^/?]+$/)
}

/** Run now (or Schedule), then Send in the confirmation; returns the confirmation's text. */
export const runFromAdmin = async (page: Page) => {
  await page.click('[data-testid="campaign-controls"] button:has-text("Run now")')
  const summary = page.locator('[data-testid="run-summary"]')
  await summary.waitFor()
  const text = (await summary.textContent()) ?? ''
  await page.click('.confirmation-modal button:has-text("Send")')
  return text
}
