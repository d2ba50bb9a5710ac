export * from './kaplan-meier.estimator';
export * from './median-survival.estimator';
export * from './normal-quantile';
export * from './survival-at.estimator';
