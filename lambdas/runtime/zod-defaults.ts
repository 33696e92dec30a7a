/**
 * zod's settings for the workflow's functions, loaded before any of their schemas is built (each task
 * entry imports this first: zod reads the setting when a schema is made). zod compiles a parser for
 * each object schema with `new Function` at its first parse, which pays back over many parses of one
 * shape; a task parses each shape a handful of times in its life, and on a cold grant the compiling
 * cost some 30 ms of CPU (npm run bench, cold start). Interpreted parsing gives the same results.
 */
import { z } from 'zod';

z.config({ jitless: true });
