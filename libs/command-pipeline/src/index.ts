export * from './handle-command';
export * from './to-recorded';
export * from './plans';
export * from './event-ids';
export * from './query-ids';
export * from './recorded-outcome';
export * from './envelope-rules';
