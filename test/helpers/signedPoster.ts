import { createHmac } from 'node:crypto'
import http from 'node:http'

/**
 * Meta's side of the webhook benches and tests: posts webhook bodies signed with `appSecret` to
 * `url` over kept-alive connections (at most `senders`), resolving with the status code.
 * node:http, far cheaper than fetch: on these 2 cores, what Meta's simulated senders spend is taken from the
 * site. With `floor`, each post is instead Meta's subscription check with a wrong mode, which
 * the site answers 403 at once.
 */
export const signedPoster = (
  url: URL,
  { appSecret, floor = false, senders }: { appSecret: string; floor?: boolean; senders: number },
) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: senders })
  const check = new URL(url)
  check.searchParams.set('hub.mode', 'none')
  return (body: unknown) =>
    new Promise<number>((resolve, reject) => {
      const raw = floor ? '' : JSON.stringify(body)
      const signature = createHmac('sha256', appSecret).update(raw).digest('hex')
      const request = http.request(
        floor ? check : url,
        {
          agent,
          headers: floor
            ? {}
            : {
                'content-length': Buffer.byteLength(raw),
                'content-type': 'application/json',
                'x-hub-signature-256': `sha256=${signature}`,
              },
          method: floor ? 'GET' : 'POST',
        },
        (response) => {
          response.resume()
          response.once('end', () => resolve(response.statusCode ?? 0))
        },
      )
      request.once('error', reject)
      request.end(raw)
    })
}
