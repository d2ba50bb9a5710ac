export * from './monitoring.types';
export * from './monitoring.validate';
export * from './target-entry';
export * from './query.decider';
export * from './source-verification.decider';
