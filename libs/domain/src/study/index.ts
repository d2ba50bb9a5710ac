export * from './require-role';
export * from './study.state';
export * from './study.decider';
