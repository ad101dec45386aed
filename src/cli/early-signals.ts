/**
 * Imported first by cli.ts, for its side effect: a command that runs until a signal takes over
 * SIGTERM, SIGINT and SIGHUP before any other module is even evaluated (the config loader, and
 * later the Genesys SDK, take a good half-second to load). ES modules evaluate in import order,
 * so this runs before the rest of the CLI.
 */
import { processStopSignals } from './stop-signals.js';

/** The commands that run until a signal. */
export const LONG_RUNNING_COMMANDS: ReadonlySet<string> = new Set(['run', 'sandbox']);

if (LONG_RUNNING_COMMANDS.has(process.argv[2] ?? '')) processStopSignals();
