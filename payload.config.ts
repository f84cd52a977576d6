// The dev app's config, for Payload's CLI run from the repository root.
export { default } from './dev/payload.config.js'
