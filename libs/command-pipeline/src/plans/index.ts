export * from './command.types';
export * from './study-command.plan';
export * from './subject-command.plan';
export * from './identity-command.plan';
export * from './signature-command.plan';
export * from './execute-command';
export * from './monitoring-command.plan';
export * from './system-queries';
