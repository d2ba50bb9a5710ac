export * from './monitoring.types';
export * from './monitoring.projection';
