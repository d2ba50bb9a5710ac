export * from './pfs.types';
export * from './derive-subject-pfs';
export * from './analyse-pfs';
export * from './adtte.export';
export * from './km-svg.renderer';
