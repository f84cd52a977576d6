import type { CloudApiSimulator } from '../dev/simulator/index.js'
import type { BenchApp } from './boot.js'

import { demoAccount } from '../dev/demoAccount.js'
import { runCampaign } from '../src/index.js'
import { commandCounter, cpuMsSince } from './measure.js'

export type SendScenario = { cap: number; latencyMs: number; recipients: number }

export type SendResult = {
  achieved: number
  commandsPerMessage: number
  cpuMsPerMessage: number
  maxInOneSecond: number
  sent: number
} & SendScenario

/** One campaign of a named audience through the engine, against the simulator's cap and latency. */
export const benchSend = async (
  app: BenchApp,
  simulator: CloudApiSimulator,
  audience: { count: number },
  scenario: SendScenario,
): Promise<SendResult> => {
  const { payload } = app
  simulator.reset()
  simulator.configure({ latencyMs: scenario.latencyMs, throughputCap: scenario.cap })
  await payload.update({
    id: app.accountId,
    collection: 'whatsapp-accounts',
    data: { messagesPerSecond: scenario.cap },
  })
  audience.count = scenario.recipients
  const campaign = await payload.create({
    collection: 'whatsapp-campaigns',
    data: {
      name: `send ${scenario.cap}/s ${scenario.latencyMs} ms`,
      account: app.accountId,
      audienceType: 'bench',
      parameterMappings: { '1': 'name', '2': 'code' },
      template: app.templateId,
    },
  })
  // The send phase starts with the first message the simulator accepts (materializing is before).
  const counter = commandCounter(payload)
  let cpuStart: NodeJS.CpuUsage | undefined
  const watch = setInterval(() => {
    if (!cpuStart && simulator.sent.length > 0) {
      cpuStart = process.cpuUsage()
      counter.on = true
    }
  }, 2)
  await runCampaign(payload, campaign.id, { wait: true })
  clearInterval(watch)
  counter.on = false
  const cpuMs = cpuStart ? cpuMsSince(cpuStart) : 0
  const sent = simulator.sent.length
  const times = simulator.sent.map((m) => m.receivedAt)
  const spanSeconds = (Math.max(...times) - Math.min(...times)) / 1000
  return {
    ...scenario,
    achieved: sent > 1 && spanSeconds > 0 ? (sent - 1) / spanSeconds : 0,
    commandsPerMessage: counter.commands / Math.max(sent, 1),
    cpuMsPerMessage: cpuMs / Math.max(sent, 1),
    maxInOneSecond: simulator.maxInAnyWindow(demoAccount.phoneNumberId, 1000),
    sent,
  }
}
