/** Why an audience cannot be read, in words an editor can act on. */
export class AudienceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AudienceError'
  }
}
