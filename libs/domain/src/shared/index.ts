export * from './actor';
export * from './decider';
export * from './domain-error';
export * from './iso-date';
export * from './recorded';
export * from './free-text';
export * from './spreadsheet-cell';
