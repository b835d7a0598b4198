import { locateTool, toolSpec, type ToolId } from '../fpga/tools.js';

/**
 * Fail (never skip) when a system tool a test needs is missing, saying how to install it: a test
 * that silently passes without its tool would report a check that never ran.
 */
export function requireTools(ids: readonly ToolId[]): void {
  const missing = ids.map((id) => locateTool(toolSpec(id))).filter((l) => !l.found);
  if (missing.length > 0) {
    throw new Error(`missing system tools — ${missing.map((m) => `${m.id}: ${m.found ? '' : m.install}`).join('; ')} (bash .ci/run installs all of them)`);
  }
}
