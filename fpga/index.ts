/**
 * accelgen FPGA library: targets and boards as data, constraint files, PLL planning, the fit
 * estimator, tool discovery, the board-top RTL (UART bridge, reset, demo core), the flow runner and
 * the host side of the UART protocol. Never prints, never exits: the CLI does that.
 */
export { BOARDS, BOARD_NAMES, getBoard, type BoardRecord, type BoardLeds, type PinRecord, type TiePin, type Family } from './boards/index.js';
export { boardPorts, type BoardPort, type BoardPortRole } from './board-ports.js';
export { TARGETS, TARGET_NAMES, getTarget, targetBoard, type TargetRecord, type ResourceBudget, type ReportCells, type ConstraintFormat, type PllPrimitive } from './targets.js';
export { generatePcf, generateLpf, generateConstraints } from './constraints.js';
export { planPll, planIce40Pll, planEcp5Pll, describePll, pllVerilog, DEFAULT_PLL_TOLERANCE, type PllPlan, type Ice40PllPlan, type Ecp5PllPlan, type NoPllPlan } from './pll.js';
export { estimateFit, estimateDemoFit, compareFit, chipMemories, blocksFor, LUT_WARN_SHARE, LUT_REFUSE_SHARE, type FitReport, type ResourceLine, type MemoryPlacement, type FitComparison } from './fit.js';
export { rtlInventory, type RtlInventory, type RamUse } from './rtl-inventory.js';
export { synthesizeForSimulation, netlistSimScript, NETLIST_SIM, type NetlistOptions, type NetlistSources } from './netlist.js';
export { mult18x18dModel } from './rtl/mult18x18d-model.js';
export { TOOL_SPECS, toolSpec, locateTool, locateTools, probeTool, toolReports, projectRoot, defaultToolContext, type ToolId, type ToolSpec, type ToolLocation, type ToolContext, type ToolReport, type ToolSource } from './tools.js';
export { runCommand, type CommandSpec, type CommandResult, type CommandRunner } from './run.js';
export { boardDesign, DEFAULT_BAUD, type BoardDesign, type CoreSource, type DesignOptions } from './design.js';
export { runFlow, flowCommands, synthScript, PNR_ROUTERS, type PnrOptions, type PnrRouter, type FlowOptions, type FlowResult, type FlowProgress, type StageCommand, type StageName } from './flow.js';
export { parsePnrReport, resourceUse, designFmax, type PnrReport, type CriticalPath, type Utilization, type ResourceUse } from './report.js';
export * from './uart-protocol.js';
export { BoardClient, type ByteLink, type BoardClientOptions } from './board-client.js';
export { TtyLink } from './tty-link.js';
export { buildUartSim, UartSimLink, uartSimBuildArgv, type UartSimBinary, type UartSimBuildOptions } from './sim/uart-sim.js';
export { FpgaError, type FpgaErrorCode } from './errors.js';
export { BoardBackend, checkBoardChip, toChipStatus, type BoardBackendOptions } from './board-backend.js';
export { SyncBoardLink, type SyncBoardTransport, type SyncBoardLinkOptions, type LinkSpec } from './board-sync.js';
export { openBoardSim, openBoard, buildBoardSim, boardSimDesign, serveBoardSimOnPty, BOARD_SIM_TARGET, BOARD_SIM_BAUD, type BoardSimOptions, type BoardPortOptions, type BoardSimBinary, type PtyBoard } from './board-open.js';
