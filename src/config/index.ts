export * from './types.js';
export { PRESETS, PRESET_NAMES } from './presets.js';
export { resolveConfig, presetConfig, configToJson, LOCK_REGIONS, type ConfigOverrides } from './resolve.js';
export { canonicalJson, fnv1a32 } from './hash.js';
