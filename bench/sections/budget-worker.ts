/**
 * One process of the budget row's Redis pair (bench/sections/budget.ts): a guard with the options
 * given as JSON fires its calls at the simulator and prints what it served, refused and clamped.
 */
import { burstThrough } from './budget.js';

const [options, baseURL, calls] = process.argv.slice(2);
const result = await burstThrough(JSON.parse(options ?? '{}') as object, baseURL as string, Number(calls));
process.stdout.write(JSON.stringify(result));
