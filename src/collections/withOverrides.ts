import type { CollectionConfig } from 'payload'

import type { CollectionOverride } from '../options.js'

type Hooks = NonNullable<CollectionConfig['hooks']>

/** The plugin's hooks run first, then the user's: overriding must not switch ours off. */
const mergeHooks = (ours: Hooks = {}, theirs: Hooks = {}): Hooks => {
  const merged: Record<string, unknown[]> = {}
  for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    merged[key] = [
      ...((ours[key as keyof Hooks] as undefined | unknown[]) ?? []),
      ...((theirs[key as keyof Hooks] as undefined | unknown[]) ?? []),
    ]
  }
  return merged as Hooks
}

export const withOverrides = (
  base: CollectionConfig,
  override: CollectionOverride | undefined,
): CollectionConfig => {
  if (!override) {
    return base
  }
  const { fields, ...rest } = override
  return {
    ...base,
    ...rest,
    slug: base.slug,
    access: { ...base.access, ...rest.access },
    admin: { ...base.admin, ...rest.admin },
    fields: fields ? fields({ defaultFields: base.fields }) : base.fields,
    hooks: mergeHooks(base.hooks, rest.hooks),
    upload:
      typeof base.upload === 'object' && typeof rest.upload === 'object'
        ? { ...base.upload, ...rest.upload }
        : (rest.upload ?? base.upload),
  }
}
