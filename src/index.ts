export * from './config/index.js';
export * from './isa/index.js';
export * from './host/backend.js';
export * from './numeric/arith.js';
