/** The planner: what a deployment will do, when, and what it costs. */
export type * from './model';
export { planDeployment, type PlanOptions } from './planner';
export { estimateCost, PRICES } from './cost';
export { expandTrafficSteps } from '../spec/traffic';
export { PlanError } from './errors';
