export * from './require-role';
export * from './study.state';
export * from './study.decider';
export * from './study-setup-view';
export * from './study-id';
