export * from './pfs.types';
export * from './derive-subject-pfs';
export * from './analyse-pfs';
export * from './adtte.export';
export * from './km-svg.renderer';
export * from './diff/pfs-diff.types';
export * from './diff/pfs-diff-causes';
export * from './diff/pfs-diff';
