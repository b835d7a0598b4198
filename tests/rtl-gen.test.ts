import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig, resolveConfig } from '../src/config/index.js';
import { ISA, OPCODE_LSB, OPCODE_WIDTH } from '../src/isa/index.js';
import { generateRtl } from '../src/hdl-gen/index.js';
import { add, cat, lit, mulS, ref, slice, sext, WidthError } from '../src/hdl-gen/ir/expr.js';
import { ModuleBuilder, iff, set, setNow } from '../src/hdl-gen/ir/module.js';
import { checkDesign, DesignError } from '../src/hdl-gen/ir/check.js';
import { printModule } from '../src/hdl-gen/ir/print.js';
import { latchOnFresh } from '../src/hdl-gen/ir/latch.js';
import { divConstParams } from '../src/hdl-gen/blocks/divconst.js';

describe('expression builders check widths', () => {
  test('mismatched operands, bad slices and over-wide literals are refused', () => {
    const a = ref('a', 8);
    const b = ref('b', 9);
    expect(() => add(a, b)).toThrow(WidthError);
    expect(() => slice(a, 8, 0)).toThrow(WidthError);
    expect(() => slice(add(a, a), 3, 0)).toThrow(/non-identifier/);
    expect(() => lit(4, 16)).toThrow(WidthError);
    expect(lit(8, -1).text).toBe("8'd255");
    expect(sext(a, 12).text).toBe('{{4{a[7]}}, a}');
    expect(mulS(a, ref('c', 4)).width).toBe(12);
    expect(cat(a, slice(b, 3, 0)).width).toBe(12);
  });

  test('divide by a constant: multiply-shift exact over the whole input range', () => {
    for (const d of [3, 5, 6, 7, 12]) {
      const { mul, shift } = divConstParams(d, 13);
      for (let x = 0; x < 1 << 13; x++) expect(Math.floor((x * mul) / 2 ** shift)).toBe(Math.floor(x / d));
    }
  });
});

describe('design checker', () => {
  const build = (f: (m: ModuleBuilder) => void) => {
    const m = new ModuleBuilder('ag_t', ['test']);
    f(m);
    return m.build();
  };
  test('two drivers, undeclared reads, latches and unread nets are reported', () => {
    const two = build((m) => {
      const x = m.input('x', 4);
      const y = m.output('y', 4);
      m.assign(y, x);
      m.comb([set(y, x)]);
    });
    expect(() => checkDesign([two])).toThrow(/several drivers/);
    const undeclared = build((m) => m.assign(m.output('y', 4), ref('ghost', 4)));
    expect(() => checkDesign([undeclared])).toThrow(/reads undeclared ghost/);
    const latch = build((m) => {
      const c = m.input('c', 1);
      const y = m.output('y', 1);
      m.comb([iff(c, [set(y, c)])]);
    });
    expect(() => checkDesign([latch])).toThrow(/latch/);
    const unread = build((m) => {
      m.input('x', 1);
      m.assign(m.output('y', 1), lit(1, 0));
    });
    expect(() => checkDesign([unread])).toThrow(DesignError);
  });

  test('block temporaries: set now, read after on every path, only in their block', () => {
    const design = (f: (m: ModuleBuilder, x: ReturnType<typeof ref>, c: ReturnType<typeof ref>, t: ReturnType<typeof ref>, q: ReturnType<typeof ref>) => void) => build((m) => {
      m.input('clk', 1);
      const x = m.input('x', 4);
      const c = m.input('c', 1);
      const t = m.temp('t', 4);
      const q = m.output('q', 4);
      f(m, x, c, t, q);
    });
    const ok = design((m, x, c, t, q) => m.ff([iff(c, [setNow(t, add(x, x)), set(q, add(t, x))])]));
    expect(() => checkDesign([ok])).not.toThrow();
    const text = printModule(ok, ['hdr']);
    expect(text).toMatch(/reg\s+\[3:0\] t;/);
    expect(text).toContain('t = x + x;');
    expect(text).toContain('q <= t + x;');
    // Read before set on one path: last cycle's value, a hidden register.
    const early = design((m, x, c, t, q) => m.ff([iff(c, [setNow(t, x)]), set(q, t)]));
    expect(() => checkDesign([early])).toThrow(/t read before it is set/);
    const outside = design((m, x, c, t, q) => {
      m.ff([setNow(t, x), set(q, t)]);
      m.assign(m.output('z', 4), t);
    });
    expect(() => checkDesign([outside])).toThrow(/t read outside its block/);
    const nonblocking = design((m, x, c, t, q) => m.ff([set(t, x), set(q, t)]));
    expect(() => checkDesign([nonblocking])).toThrow(/temporary t assigned with <=/);
    const notTemp = build((m) => {
      m.input('clk', 1);
      const x = m.input('x', 4);
      const q = m.output('q', 4);
      m.ff([setNow(q, x)]);
    });
    expect(() => checkDesign([notTemp])).toThrow(/setNow of q, which is not a temporary/);
  });

  test('latchOnFresh: logic evaluated on fresh cycles in dependency order, outputs latched, X only as a default', () => {
    const m = new ModuleBuilder('ag_t', ['test']);
    const x = m.input('x', 4);
    const y = m.output('y', 4);
    const t = m.net('t', 4);
    m.assign(y, add(t, x)); // reads t before t's assignment: must be reordered
    m.assign(t, add(x, x));
    const lz = latchOnFresh(m.build(), 'new input');
    expect(() => checkDesign([lz])).not.toThrow();
    const text = printModule(lz, ['hdr']);
    expect(text).toMatch(/input  wire\s+fresh, \/\/ new input/);
    expect(text).toMatch(/output reg\s+\[3:0\]\s+y/);
    const body = text.slice(text.indexOf('always @*'));
    expect(body.indexOf('y = y_q;')).toBeLessThan(body.indexOf("t = 4'bx;"));
    expect(body.indexOf('t = x + x;')).toBeLessThan(body.indexOf('y = t + x;'));
    expect(text).toMatch(/if \(fresh\) begin\s+y_q <= y;/);
    const withState = build((mm) => {
      mm.input('clk', 1);
      const q = mm.output('q', 1);
      mm.ff([set(q, lit(1, 0))]);
    });
    expect(() => latchOnFresh(withState, '')).toThrow(/continuous assignments only/);
  });

  test('disjoint slice drivers that cover a net are fine; the printer owns reg/wire', () => {
    const ok = build((m) => {
      m.input('clk', 1);
      const x = m.input('x', 4);
      const y = m.output('y', 8);
      const q = m.output('q', 4);
      m.assign(slice(y, 3, 0), x);
      m.assign(slice(y, 7, 4), x);
      m.ff([set(q, x)]);
    });
    expect(() => checkDesign([ok])).not.toThrow();
    const text = printModule(ok, ['hdr']);
    expect(text).toContain('output reg  [3:0] q');
    expect(text).toContain('output wire [7:0] y');
    expect(text).toContain('q <= x;');
    expect(text.startsWith('// hdr\n\n`default_nettype none')).toBe(true);
  });
});

describe('generateRtl', () => {
  test('deterministic: the same config gives byte-identical files, headed by name and hash', () => {
    const c = presetConfig('ecp5-25f');
    const a = generateRtl(c);
    const b = generateRtl(presetConfig('ecp5-25f'));
    expect(a).toEqual(b);
    expect(a.top).toBe('ag_top');
    for (const f of a.files) {
      expect(f.name).toMatch(/^ag_[a-z0-9_]+\.v$/);
      expect(f.text).toContain(`config "ecp5-25f" (hash ${c.derived.hash})`);
      expect(f.text).toContain('`default_nettype none');
      expect(f.text.match(/^module /gm)).toHaveLength(1);
      expect(f.text).not.toMatch(/20\d\d-\d\d-\d\d/);
    }
  });

  test('the decoder is derived from the ISA table: every opcode appears, nothing else', () => {
    const dec = generateRtl(presetConfig('default')).files.find((f) => f.name === 'ag_decode.v')!.text;
    expect(dec).toContain(`assign opcode = ir[${OPCODE_LSB + OPCODE_WIDTH - 1}:${OPCODE_LSB}];`);
    const ops = new Set(ISA.map((s) => s.opcode));
    const seen = new Set([...dec.matchAll(/opcode == 6'd(\d+)/g)].map((m) => Number(m[1])));
    expect(seen).toEqual(ops);
  });

  test('multiplier choice per PE: DSP for the first n in row-major order, LUT after', () => {
    const c = resolveConfig({ base: 'default', name: 'mixed', array: { rows: 3, cols: 3, mult: 4, peLatency: 2 } });
    const top = generateRtl(c).files.find((f) => f.name === 'ag_array.v')!.text;
    expect(top.match(/ag_pe_dsp u_pe_/g)).toHaveLength(4);
    expect(top.match(/ag_pe_lut u_pe_/g)).toHaveLength(5);
  });
});

function haveYosys(): boolean {
  try {
    execFileSync('yosys', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('what yosys makes of the PE multipliers', () => {
  test('dsp PE → one SB_MAC16 / MULT18X18D; lut PE → none', () => {
    if (!haveYosys()) throw new Error('yosys not found: install it with `apt-get install yosys`');
    const dir = mkdtempSync(join(tmpdir(), 'accelgen-dsp-'));
    try {
      const c = resolveConfig({ base: 'default', name: 'mixed', array: { rows: 1, cols: 2, mult: 1, peLatency: 1 } });
      for (const f of generateRtl(c).files) writeFileSync(join(dir, f.name), f.text);
      const count = (mod: string, synth: string, cell: string): number => {
        const log = execFileSync('yosys', ['-p', `read_verilog ${mod}.v; ${synth} -top ${mod}; stat`], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
        const m = log.match(new RegExp(`\\s${cell}\\s+(\\d+)`, 'g'));
        return m ? Number(m[m.length - 1]!.trim().split(/\s+/)[1]) : 0;
      };
      expect(count('ag_pe_dsp', 'synth_ice40 -dsp', 'SB_MAC16')).toBe(1);
      expect(count('ag_pe_lut', 'synth_ice40 -dsp', 'SB_MAC16')).toBe(0);
      expect(count('ag_pe_dsp', 'synth_ecp5', 'MULT18X18D')).toBe(1);
      expect(count('ag_pe_lut', 'synth_ecp5', 'MULT18X18D')).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
