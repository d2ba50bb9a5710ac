export * from './rfc9162';
export * from './compact-range';
export * from './stored-tree';
export * from './checkpoint-note';
