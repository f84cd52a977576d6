import type { Browser, BrowserContext, Page } from 'playwright-core'

import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest'

import { demoAccount } from '../../dev/demoAccount.js'
import {
  choose,
  followNavLink,
  launchBrowser,
  logIn,
  runFromAdmin,
  save,
  screenshot,
  settle,
  sidebarDate,
  stat,
  waitForStat,
  waitForStatus,
} from './session.js'

const appUrl = inject('appUrl')
let browser: Browser
let context: BrowserContext
let page: Page

const api = async <T>(method: string, route: string, data?: unknown): Promise<T> => {
  const response = await page.request.fetch(`${appUrl}/api${route}`, { data, method })
  expect(response.status(), `${method} ${route}`).toBeLessThan(300)
  return (await response.json()) as T
}

// 30 good numbers, one invalid, one repeated, one Meta refuses (the dev simulator's 131026),
// and a name that a spreadsheet would run as a formula.
/** The Example column of a parameter-mapping row. */
const example = (variable: string) =>
  page.locator(`[data-variable="${variable}"] [data-testid="mapping-example"]`).textContent()

const csvRows = [
  'phone,name,order_id',
  '+91 98765 10000,Asha,A-0',
  'not-a-phone,Nobody,X-1',
  '098765 10000,Asha again,A-dup',
  '+91 98765 99999,Unreachable,U-1',
  '+44 7911 123459,"=HYPERLINK(""http://evil"")",F-1',
  ...Array.from(
    { length: 29 },
    (_, i) => `+91 98765 1${String(i + 1).padStart(4, '0')},Guest ${i + 1},A-${i + 1}`,
  ),
]

beforeAll(async () => {
  browser = await launchBrowser()
  context = await browser.newContext({ viewport: { height: 1000, width: 1400 } })
  page = await context.newPage()
  await settle(page)
  await logIn(page, appUrl)
})
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    await screenshot(page, `failed-${task.name.slice(0, 30).replace(/\W+/g, '-')}`)
  }
})
afterAll(async () => {
  await browser?.close()
})

describe('the admin, in Chromium, against the dev app and its simulator', () => {
  test('custom views refuse anonymous visitors', async () => {
    const anonymous = await browser.newPage()
    await anonymous.goto(`${appUrl}/admin/whatsapp/analytics`)
    await anonymous.waitForURL(/\/admin\/login/)
    expect(new URL(anonymous.url()).searchParams.get('redirect')).toBe('/admin/whatsapp/analytics')
    const response = await anonymous.request.get(`${appUrl}/api/whatsapp/analytics`)
    expect(response.status()).toBe(401)
    await anonymous.close()
  })

  test("the account's access token and app secret never reach the admin's HTML", async () => {
    const { docs } = await api<{ docs: Array<{ id: string }> }>('GET', '/whatsapp-accounts')
    const html: string[] = []
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document' || response.url().includes('/api/')) {
        void response.text().then(
          (text) => html.push(text),
          () => undefined,
        )
      }
    })
    await page.goto(`${appUrl}/admin/collections/whatsapp-accounts/${docs[0].id}`)
    await page.locator('#field-phoneNumberId').waitFor()
    await settle(page)
    html.push(await page.content())
    page.removeAllListeners('response')
    const everything = html.join('\n')
    expect(everything).toContain(demoAccount.phoneNumberId)
    expect(everything).not.toContain(demoAccount.accessToken)
    expect(everything).not.toContain(demoAccount.appSecret)
    await screenshot(page, 'account-edit')
  })

  test('the account avatar is drawn locally, not fetched from Gravatar (broken offline)', async () => {
    await page.goto(`${appUrl}/admin`)
    await page.locator('.app-header__account').waitFor()
    expect(await page.locator('.app-header__account svg').count()).toBeGreaterThan(0)
    const sources = await page
      .locator('img')
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).src))
    expect(sources.filter((source) => /gravatar\.com/.test(source))).toEqual([])
  })

  test('templates: status badges and the Sync templates button', async () => {
    await page.goto(`${appUrl}/admin/collections/whatsapp-templates`)
    await expect
      .poll(() => page.locator('[data-testid="status-badge"][data-status="APPROVED"]').count())
      .toBeGreaterThan(0)
    expect(await page.locator('[data-status="REJECTED"]').count()).toBe(1)
    await page.click('button:has-text("Sync templates")')
    await page.getByText(/Templates synced: 0 new, \d+ updated\./).waitFor()
    await screenshot(page, 'templates-list')
  })

  test('CSV campaign: upload, preview, map, run, pause, resume, watch, recipients, export', async () => {
    const { docs } = await api<{ docs: Array<{ id: string }> }>('GET', '/whatsapp-accounts')
    // A slow number, so that Pause lands mid-campaign.
    await api('PATCH', `/whatsapp-accounts/${docs[0].id}`, { messagesPerSecond: 4 })

    await page.goto(`${appUrl}/admin/collections/whatsapp-campaigns/create`)
    await page.fill('#field-name', 'Browser CSV campaign')
    await choose(page, 'account', 'Demo number')
    await choose(page, 'template', 'order_update')
    await expect
      .poll(() => page.locator('[data-testid="template-body"]').textContent())
      .toContain('{{2}}')
    await choose(page, 'audienceType', 'CSV upload')
    const file = path.join(os.tmpdir(), `browser-audience-${Date.now()}.csv`)
    writeFileSync(file, `${csvRows.join('\n')}\n`)
    await page.click('#field-csvFile button:has-text("Create New")')
    await page.setInputFiles('.drawer input[type=file]', file)
    await page.click('.drawer button:has-text("Save")')

    const summary = page.locator('[data-testid="csv-summary"]')
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toContain('34 rows')
    expect(await summary.textContent()).toContain('1 invalid phones')
    expect(await summary.textContent()).toContain('1 repeated phones')
    expect(await page.locator('[data-testid="csv-preview"] .wa-row--invalid').count()).toBe(1)

    await page.fill('input[aria-label="Audience field for 1"]', 'name')
    await page.fill('input[aria-label="Audience field for 2"]', 'order_id')
    // Each mapping row shows the mapped field's value in the audience's first row.
    await expect.poll(() => example('1')).toBe('Asha')
    await expect.poll(() => example('2')).toBe('A-0')
    await screenshot(page, 'campaign-csv-form')
    await save(page)

    const confirmation = await runFromAdmin(page)
    expect(confirmation).toContain('order_update')
    expect(confirmation).toContain('34')
    await waitForStatus(page, 'running')
    // At 4 messages/s the 31 sends take about 8 s: pause once the first are counted. A fixed
    // 2-s wait paused one CI run before the first send, leaving nothing to check.
    await expect
      .poll(() => stat(page, 'sent'), { interval: 250, timeout: 30_000 })
      .toBeGreaterThan(0)
    await page.click('[data-testid="campaign-controls"] button:has-text("Pause")')
    await waitForStatus(page, 'paused')
    await expect.poll(() => sidebarDate(page, 'pausedAt')).not.toBe('')
    // The sends already made are recorded once the worker sees the pause (within a second) and
    // their answers are in; the panel shows them at its next refresh.
    await expect.poll(() => stat(page, 'sent'), { timeout: 15_000 }).toBeGreaterThan(0)
    await page.waitForTimeout(2500)
    const sentWhenPaused = await stat(page, 'sent')
    expect(sentWhenPaused).toBeLessThan(31)
    await page.waitForTimeout(3000)
    expect(await stat(page, 'sent')).toBe(sentWhenPaused)
    await screenshot(page, 'campaign-paused')

    await page.click('[data-testid="campaign-controls"] button:has-text("Resume")')
    await waitForStatus(page, 'completed')
    // The sidebar's dates follow the live status without a reload, and leave the form unmodified.
    await expect.poll(() => sidebarDate(page, 'startedAt')).not.toBe('')
    await expect.poll(() => sidebarDate(page, 'completedAt')).not.toBe('')
    expect(await page.locator('#action-save').isDisabled()).toBe(true)
    // The simulator delivers and reads every message it accepted, through signed webhooks.
    await waitForStat(page, 'total', 33)
    await waitForStat(page, 'sent', 31)
    await waitForStat(page, 'failed', 2)
    await waitForStat(page, 'read', 31)
    const failures = await page.locator('[data-testid="failures"]').textContent()
    expect(failures).toContain('131026')

    const recipients = page.locator('[data-testid="campaign-recipients"]')
    await recipients.locator('select[aria-label="Status"]').selectOption('failed')
    await expect
      .poll(() => recipients.locator('[data-testid="recipients-count"]').textContent())
      .toContain('2 recipients')
    await recipients.locator('input[aria-label="Search by phone"]').fill('98765 99999')
    await expect
      .poll(() => recipients.locator('[data-testid="recipients-count"]').textContent())
      .toContain('1 recipients')
    await recipients.locator('select[aria-label="Status"]').selectOption('')
    await recipients.locator('input[aria-label="Search by phone"]').fill('')
    await screenshot(page, 'campaign-completed')

    const exportUrl = await recipients.locator('a:has-text("Export CSV")').getAttribute('href')
    const exported = await (await page.request.get(new URL(exportUrl ?? '', appUrl).href)).text()
    const lines = exported.trim().split(/\r?\n/)
    expect(lines).toHaveLength(34)
    expect(exported).toContain(`"'=HYPERLINK(""http://evil"")"`)

    await context.addCookies([{ name: 'payload-theme', url: appUrl, value: 'dark' }])
    await page.reload()
    await page.locator('[data-testid="campaign-controls"]').waitFor()
    await page.locator('#field-account .rs__single-value').waitFor()
    await screenshot(page, 'campaign-completed-dark')
    await context.addCookies([{ name: 'payload-theme', url: appUrl, value: 'light' }])
  })

  test('contacts with a filter row, and a named audience, run without touching JSON', async () => {
    await page.goto(`${appUrl}/admin/collections/whatsapp-campaigns/create`)
    await page.fill('#field-name', 'Browser VIP contacts')
    await choose(page, 'account', 'Demo number')
    await choose(page, 'template', 'order_update')
    await page.click('button:has-text("Add condition")')
    await page.fill('[data-testid="filter-row"] input[aria-label="Value"]', 'vip')
    await page.fill('input[aria-label="Audience field for 1"]', 'name')
    await page.fill('input[aria-label="Audience field for 2"]', 'attributes.orderId')
    await expect.poll(() => example('2')).toMatch(/^ORD-\d+$/)
    await screenshot(page, 'campaign-contacts-form')
    await save(page)
    const vip = await api<{ totalDocs: number }>(
      'GET',
      '/whatsapp-contacts?limit=1&where[labels][contains]=vip&where[optedOut][not_equals]=true',
    )
    expect(await runFromAdmin(page)).toContain(String(vip.totalDocs))
    await waitForStatus(page, 'completed', 120_000)
    await waitForStat(page, 'total', vip.totalDocs)
    await waitForStat(page, 'sent', vip.totalDocs)

    await page.goto(`${appUrl}/admin/collections/whatsapp-campaigns/create`)
    await page.fill('#field-name', 'Browser team audience')
    await choose(page, 'account', 'Demo number')
    await choose(page, 'template', 'order_update')
    await choose(page, 'audienceType', 'Team (demo named audience)')
    await page.fill('input[aria-label="Audience field for 1"]', 'name')
    await page.fill('input[aria-label="Audience field for 2"]', 'email')
    await expect.poll(() => example('1')).toBe('Asha')
    await expect.poll(() => example('2')).toBe('asha@example.com')
    await save(page)
    expect(await runFromAdmin(page)).toContain('3')
    await waitForStatus(page, 'completed')
    await waitForStat(page, 'sent', 3)
  })

  test('global analytics view: totals, sortable table, chart', async () => {
    await page.goto(`${appUrl}/admin`)
    await followNavLink(page, 'WhatsApp analytics')
    await page.waitForURL(/\/admin\/whatsapp\/analytics/)
    const table = page.locator('[data-testid="campaign-table"]')
    await expect.poll(() => table.textContent()).toContain('Browser CSV campaign')
    await table.locator('th button:has-text("Total")').click()
    await expect.poll(() => table.locator('tbody tr').first().textContent()).toContain('Browser')
    // The dev app has a rate card: actual cost per period, from Meta's pricing on the statuses.
    await expect
      .poll(() => page.locator('[data-testid="cost-per-period"] tbody tr').count())
      .toBeGreaterThan(0)
    await screenshot(page, 'global-analytics')
  })
})
