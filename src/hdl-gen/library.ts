/**
 * The set of modules one generated design consists of. Generators ask for shared modules (a RAM of a
 * given shape, a PE variant) by name; the first request builds it, later requests reuse it, so each
 * module is defined once and its file is written once.
 */
import type { Module } from './ir/module.js';

export class Library {
  private readonly mods = new Map<string, Module>();

  /** Return the module `name`, building it with `make` the first time. */
  once(name: string, make: () => Module): Module {
    const have = this.mods.get(name);
    if (have) return have;
    const m = make();
    if (m.name !== name) throw new Error(`internal: module built as ${m.name}, requested as ${name}`);
    this.mods.set(name, m);
    return m;
  }

  /** Every module, in a stable (name) order. */
  modules(): Module[] {
    return [...this.mods.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
