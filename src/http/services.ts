export type { Services } from '../services/index.ts';
