export * from './table.js';
export * from './encoding.js';
