export * from './pfs.types';
export * from './derive-subject-pfs';
