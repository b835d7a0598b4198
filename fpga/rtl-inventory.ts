/**
 * What the generated chip RTL actually instantiates, read from its text: every module, the
 * modules it instantiates, and so how many copies of each RAM the top contains. src/hdl-gen names
 * its RAMs `ag_ram_<words>x<lanes>x<bits>` (one write port with lane enables, one registered read
 * port), which is exactly what the synthesizer maps to block RAM, so the fit check counts blocks
 * from this instead of guessing the memory organisation.
 */
export interface RamUse {
  readonly module: string;
  readonly words: number;
  readonly lanes: number;
  readonly bits: number;
  /** Copies in the whole design (instances × instances of their parents …). */
  readonly count: number;
}

export interface RtlInventory {
  readonly top: string;
  /** Copies of every module under the top (the top counts once). */
  readonly modules: ReadonlyMap<string, number>;
  readonly rams: readonly RamUse[];
}

const RAM_NAME = /^ag_ram_(\d+)x(\d+)x(\d+)$/;

/** Parse module definitions and instantiations (`type [#(...)] name (`) from generated Verilog. */
export function rtlInventory(files: ReadonlyArray<{ readonly text: string }>, top: string): RtlInventory {
  const children = new Map<string, Map<string, number>>();
  for (const f of files) {
    // Split at module boundaries; generated files hold one module each, but be general.
    const parts = f.text.split(/^\s*module\s+/m).slice(1);
    for (const part of parts) {
      const name = /^([A-Za-z_][\w$]*)/.exec(part)?.[1];
      if (!name) continue;
      const body = part.slice(0, part.search(/^\s*endmodule\b/m) >>> 0);
      const inst = new Map<string, number>();
      for (const m of body.matchAll(/^\s*([A-Za-z_][\w$]*)\s+(?:#\s*\([^;]*?\)\s*)?([A-Za-z_][\w$]*)\s*\(/gm)) {
        const type = m[1]!;
        if (['module', 'input', 'output', 'inout', 'wire', 'reg', 'assign', 'always', 'function', 'task', 'if', 'case', 'for', 'localparam', 'parameter'].includes(type)) continue;
        inst.set(type, (inst.get(type) ?? 0) + 1);
      }
      children.set(name, inst);
    }
  }
  const counts = new Map<string, number>();
  const visit = (mod: string, times: number, depth: number): void => {
    if (depth > 64) return; // a cycle would be a generator bug; do not loop forever
    counts.set(mod, (counts.get(mod) ?? 0) + times);
    for (const [child, n] of children.get(mod) ?? []) if (children.has(child)) visit(child, times * n, depth + 1);
  };
  visit(top, 1, 0);
  const rams: RamUse[] = [];
  for (const [mod, count] of counts) {
    const m = RAM_NAME.exec(mod);
    if (m) rams.push({ module: mod, words: Number(m[1]), lanes: Number(m[2]), bits: Number(m[3]), count });
  }
  rams.sort((a, b) => a.module.localeCompare(b.module));
  return { top, modules: counts, rams };
}
