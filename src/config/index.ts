export * from './types.js';
export { PRESETS, PRESET_NAMES } from './presets.js';
export { resolveConfig, presetConfig, configToJson, type ConfigOverrides } from './resolve.js';
export { LOCK_REGIONS, RES_BITS, resBank, resWritePort, resReadPort } from './resources.js';
export { canonicalJson, fnv1a32 } from './hash.js';
