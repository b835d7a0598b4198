/**
 * The program image format: one 64-bit word a line as 16 lower-case hex digits (what Verilog
 * `$readmemh` reads), after a `//` header naming the config and its hash so an image built for one
 * chip is not silently run on another. No dates: images are reproducible and diffable.
 */
import type { ChipConfig } from '../config/index.js';
import { wordToHex } from './encoding.js';
import type { Diagnostic } from './diagnostic.js';

export type HexParseResult =
  | {
    readonly ok: true;
    readonly words: bigint[];
    /** Config hash from the header (`config NAME HASH`), if the image names one. */
    readonly configHash?: string;
    readonly configName?: string;
  }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

const HEADER_RE = /^\/\/ accelgen program;(?: config (\S+) ([0-9a-f]{8});)? \d+ words?$/;

/**
 * Format a program image. With a config, the header records its name and hash:
 * `// accelgen program; config default 362665fe; 12 words`.
 */
export function formatHex(words: readonly bigint[], config?: ChipConfig): string {
  const cfg = config ? ` config ${config.name} ${config.derived.hash};` : '';
  const header = `// accelgen program;${cfg} ${words.length} word${words.length === 1 ? '' : 's'}`;
  return [header, ...words.map(wordToHex)].join('\n') + '\n';
}

/**
 * Parse a program image. Accepts `//` comments and blank lines, and any number of
 * whitespace-separated words a line (as $readmemh does); each word is 1..16 hex digits.
 * Errors name file:line:column.
 */
export function parseHex(text: string, file: string): HexParseResult {
  const diagnostics: Diagnostic[] = [];
  const err = (line: number, column: number, message: string): void => {
    diagnostics.push({ file, line, column, message });
  };
  if (text.includes('\0') || text.includes('\uFFFD')) {
    err(1, 1, 'not a text file (contains NUL bytes or invalid UTF-8): expected a hex program image');
    return { ok: false, diagnostics };
  }
  const words: bigint[] = [];
  let configHash: string | undefined;
  let configName: string | undefined;
  text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = i + 1;
    const cut = raw.indexOf('//');
    if (cut >= 0) {
      const m = HEADER_RE.exec(raw.slice(cut).trimEnd());
      if (m?.[2] !== undefined && configHash === undefined) {
        configName = m[1];
        configHash = m[2];
      }
    }
    const body = cut >= 0 ? raw.slice(0, cut) : raw;
    for (const tok of body.matchAll(/\S+/g)) {
      const t = tok[0];
      const col = tok.index + 1;
      const bad = /[^0-9a-fA-F]/.exec(t);
      if (bad) {
        const hint = t.startsWith('@') ? ' (address directives "@" are not supported)' : '';
        err(line, col + bad.index, `bad hex digit "${bad[0]}" in "${t}": expected 0-9 or a-f${hint}`);
      } else if (t.length > 16) {
        err(line, col, `too many digits: "${t}" has ${t.length} hex digits, a 64-bit word has at most 16`);
      } else {
        words.push(BigInt('0x' + t));
      }
    }
  });
  if (diagnostics.length === 0 && words.length === 0) err(1, 1, 'empty program image: no words');
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, words, ...(configHash !== undefined ? { configHash, configName } : {}) };
}

/**
 * Why an image does not fit a config, or undefined when it does: a different config hash in the
 * header, or more words than instruction memory holds. Images without a hash are accepted.
 */
export function hexConfigMismatch(image: { readonly words: readonly bigint[]; readonly configHash?: string; readonly configName?: string }, config: ChipConfig): string | undefined {
  if (image.configHash !== undefined && image.configHash !== config.derived.hash) {
    return `program was built for config ${image.configName ?? '?'} (hash ${image.configHash}), not config ${config.name} (hash ${config.derived.hash})`;
  }
  if (image.words.length > config.memory.imemWords) {
    return `program has ${image.words.length} words but config ${config.name} has imemWords = ${config.memory.imemWords}`;
  }
  return undefined;
}
