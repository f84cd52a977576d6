import { createHmac } from 'node:crypto'

import { keptAliveClient } from './keptAliveClient.js'

/**
 * Meta's side of the webhook benches and tests: posts webhook bodies signed with `appSecret` to
 * `url` over kept-alive connections (at most `senders`), resolving with the status code. With
 * `floor`, each post is instead Meta's subscription check with a wrong mode, which the site
 * answers 403 at once.
 */
export const signedPoster = (
  url: URL,
  { appSecret, floor = false, senders }: { appSecret: string; floor?: boolean; senders: number },
) => {
  const send = keptAliveClient(url, senders)
  const check = new URL(url)
  check.searchParams.set('hub.mode', 'none')
  const checkRequest = Buffer.from(
    `GET ${check.pathname}${check.search} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`,
    'latin1',
  )
  return (body: unknown) => {
    if (floor) {
      return send(checkRequest)
    }
    const raw = Buffer.from(JSON.stringify(body))
    const signature = createHmac('sha256', appSecret).update(raw).digest('hex')
    const head =
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n` +
      `content-type: application/json\r\ncontent-length: ${raw.length}\r\n` +
      `x-hub-signature-256: sha256=${signature}\r\n\r\n`
    return send(Buffer.concat([Buffer.from(head, 'latin1'), raw]))
  }
}
