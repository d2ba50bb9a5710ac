export * from './shared';
export * from './commands/command.types';
export * from './events/event.types';
export * from './protocol/protocol.types';
export * from './events/upcasters';
export * from './subject/recist';
export * from './identity';
