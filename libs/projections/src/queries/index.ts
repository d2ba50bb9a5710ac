export * from './monitoring.types';
export * from './monitoring.projection';
export * from './open-query-counts';
