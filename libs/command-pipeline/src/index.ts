export * from './handle-command';
export * from './to-recorded';
export * from './plans';
export * from './event-ids';
export * from './query-ids';
