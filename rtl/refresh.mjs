// Regenerate rtl/<preset>/ for every preset (run `npx tsc -p .` first):
//   npx tsc -p . && node rtl/refresh.mjs
// Same as `accelgen generate --config <preset> --out rtl/<preset>` for each preset.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESET_NAMES, presetConfig } from '../dist/src/config/index.js';
import { writeRtl } from '../dist/src/cli/commands/generate.js';

const here = dirname(fileURLToPath(import.meta.url));
for (const name of PRESET_NAMES) {
  const r = writeRtl(presetConfig(name), join(here, name));
  process.stdout.write(`rtl/${name}: ${r.files.length} files (hash ${r.config.derived.hash})\n`);
}
