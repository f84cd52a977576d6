import type { Browser, Page } from 'playwright-core'

import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest'

import {
  choose,
  launchBrowser,
  logIn,
  runFromAdmin,
  save,
  screenshot,
  settle,
  waitForStat,
  waitForStatus,
} from './session.js'

const appUrl = inject('appUrl')
let browser: Browser
let page: Page

const api = async <T>(method: string, route: string, data?: unknown): Promise<T> => {
  const response = await page.request.fetch(`${appUrl}/api${route}`, { data, method })
  expect(response.status(), `${method} ${route}`).toBeLessThan(300)
  return (await response.json()) as T
}

beforeAll(async () => {
  browser = await launchBrowser()
  page = await (await browser.newContext({ viewport: { height: 1000, width: 1400 } })).newPage()
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

describe('retargeting form, in Chromium, against the dev app and its simulator', () => {
  test('a follow-up to the readers of an earlier campaign: pick it, map its fields, see the cost, run', async () => {
    const { docs: accounts } = await api<{ docs: Array<{ id: string }> }>(
      'GET',
      '/whatsapp-accounts',
    )
    await api('PATCH', `/whatsapp-accounts/${accounts[0].id}`, { messagesPerSecond: 80 })
    const { docs: templates } = await api<{ docs: Array<{ id: string }> }>(
      'GET',
      '/whatsapp-templates?where[name][equals]=order_update',
    )
    const { doc: earlier } = await api<{ doc: { id: string } }>('POST', '/whatsapp-campaigns', {
      name: 'Browser earlier campaign',
      account: accounts[0].id,
      audienceFilters: { labels: { contains: 'vip' } },
      audienceType: 'contacts',
      parameterMappings: { '1': 'name', '2': 'attributes.orderId' },
      template: templates[0].id,
    })
    await api('POST', `/whatsapp-campaigns/${earlier.id}/run`)
    type Live = { counts: { read: number; sent: number }; status: string }
    const live = () => api<Live>('GET', `/whatsapp-campaigns/${earlier.id}/analytics`)
    // The simulator reads every message it accepted.
    await expect
      .poll(
        async () => {
          const { counts, status } = await live()
          return status === 'completed' && counts.sent > 0 && counts.read === counts.sent
        },
        { interval: 500, timeout: 90_000 },
      )
      .toBe(true)
    const readers = (await live()).counts.read

    await page.goto(`${appUrl}/admin/collections/whatsapp-campaigns/create`)
    await page.fill('#field-name', 'Browser follow-up to readers')
    await choose(page, 'account', 'Demo number')
    await choose(page, 'template', 'order_update')
    await choose(page, 'audienceType', 'Earlier campaign (retarget)')
    await choose(page, 'retargetCampaign', 'Browser earlier campaign')
    // "Read" is also in "Delivered but not read": pick the option whose whole text it is.
    await page.click('#field-retargetOutcome .rs__control')
    await page.locator('.rs__option', { hasText: /^Read$/ }).click()
    await expect
      .poll(() => page.locator('#field-retargetOutcome .rs__value-container').textContent())
      .toBe('Read')
    await settle(page)
    // The earlier rows' fields, swapped: its order number as {{1}}, its name as {{2}}.
    await page.fill('input[aria-label="Audience field for 1"]', 'parameters.2')
    await page.fill('input[aria-label="Audience field for 2"]', 'name')
    const example = (variable: string) =>
      page.locator(`[data-variable="${variable}"] [data-testid="mapping-example"]`).textContent()
    await expect.poll(() => example('1')).toMatch(/^ORD-\d+$/)
    await expect.poll(() => example('2')).toMatch(/\w+ [A-Z]\.$/)
    await screenshot(page, 'campaign-retarget-form')
    await save(page)

    await page.click('[data-testid="campaign-controls"] button:has-text("Run now")')
    const summary = page.locator('[data-testid="run-summary"]')
    await summary.waitFor()
    expect(await summary.textContent()).toContain(String(readers))
    const cost = (await page.locator('[data-testid="run-cost-estimate"]').textContent()) ?? ''
    // The dev app's placeholder card: UTILITY to Indian numbers at 0.002 each.
    expect(cost).toContain('UTILITY')
    expect(cost).toContain(`for ${readers} messages`)
    await screenshot(page, 'campaign-retarget-confirm')
    await page.click('.confirmation-modal button:has-text("Send")')
    await waitForStatus(page, 'completed')
    await waitForStat(page, 'sent', readers)
    await expect
      .poll(() => page.locator('[data-testid="cost-estimate"]').textContent())
      .toContain(`for ${readers} messages`)
  })

  test('replies, taps and cost show as they arrive; a follow-up to those who tapped a button in three clicks', async () => {
    const { docs: accounts } = await api<{ docs: Array<{ id: string }> }>(
      'GET',
      '/whatsapp-accounts',
    )
    const { docs: templates } = await api<{ docs: Array<{ id: string }> }>(
      'GET',
      '/whatsapp-templates?where[name][equals]=order_update',
    )
    // Every contact: the dev simulator answers about 30% of messages, half of them with a tap.
    const { doc: asked } = await api<{ doc: { id: string } }>('POST', '/whatsapp-campaigns', {
      name: 'Browser asked campaign',
      account: accounts[0].id,
      audienceFilters: {},
      audienceType: 'contacts',
      parameterMappings: { '1': 'name', '2': 'attributes.orderId' },
      template: templates[0].id,
    })
    await page.goto(`${appUrl}/admin/collections/whatsapp-campaigns/${asked.id}`)
    await runFromAdmin(page)
    await waitForStatus(page, 'completed')
    type Live = {
      actualCost: { messages: number } | null
      buttons: Array<{ button: string; count: number }>
      counts: { read: number; replied: number; sent: number }
    }
    const live = () => api<Live>('GET', `/whatsapp-campaigns/${asked.id}/analytics`)
    // Answers come just after the reads; settled when two looks a second apart agree.
    let last = ''
    await expect
      .poll(
        async () => {
          const { buttons, counts } = await live()
          const now = JSON.stringify({ buttons, counts })
          const settled = counts.read === counts.sent && now === last
          last = now
          return settled
        },
        { interval: 1000, timeout: 60_000 },
      )
      .toBe(true)
    const { actualCost, buttons, counts } = await live()
    expect(counts.replied).toBeGreaterThan(0)
    expect(buttons.length).toBeGreaterThan(0)
    await waitForStat(page, 'replied', counts.replied)
    const rows = page.locator('[data-testid="reply-buttons"] tbody tr')
    await expect.poll(() => rows.count()).toBe(buttons.length)
    for (const { button, count } of buttons) {
      await expect
        .poll(() => rows.filter({ hasText: button }).first().textContent())
        .toContain(`${button}${count}`)
    }
    // Meta's pricing on each status: every message the simulator sent is billable.
    expect(actualCost?.messages).toBe(counts.sent)
    await expect
      .poll(() => page.locator('[data-testid="actual-cost"]').textContent())
      .toContain(`for ${actualCost?.messages} messages`)
    await screenshot(page, 'campaign-replies-analytics')

    // Click 1: the follow-up to the most tapped button; 2 and 3: Run now, Send.
    const top = [...buttons].sort((a, b) => b.count - a.count)[0]
    await page
      .locator('[data-testid="follow-up"] button', { hasText: `Tapped “${top.button}”` })
      .click()
    await page.waitForURL((url) => !url.pathname.endsWith(`/${asked.id}`))
    const summary = await runFromAdmin(page)
    expect(summary).toContain(String(top.count))
    await waitForStatus(page, 'completed')
    await waitForStat(page, 'sent', top.count)
  })
})
