/**
 * Log level and format from the command line and the environment, over the config file's `log`
 * section: a flag beats the environment, which beats the file (so an operator can turn on debug
 * for one run, or under systemd through a drop-in, without editing the config).
 */
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../config/index.js';
import { UsageError } from './exit.js';

/** Environment variables read for the log settings. */
export const LOG_ENV = { level: 'GENESYS_ENRICHER_LOG_LEVEL', format: 'GENESYS_ENRICHER_LOG_FORMAT' } as const;

/** What overrides `log.level` and `log.format`; absent keys leave the file's value. */
export interface LogOverrides {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
}

/** Decides the overrides; an unknown value is a {@link UsageError} naming where it came from. */
export function logOverrides(flags: { level?: string | undefined; format?: string | undefined }, env: NodeJS.ProcessEnv): LogOverrides {
  const level = pick(flags.level, '--log-level', env[LOG_ENV.level], LOG_ENV.level, LOG_LEVELS);
  const format = pick(flags.format, '--log-format', env[LOG_ENV.format], LOG_ENV.format, LOG_FORMATS);
  return { ...(level !== undefined && { level }), ...(format !== undefined && { format }) };
}

function pick<T extends string>(flag: string | undefined, flagName: string, envValue: string | undefined, envName: string, allowed: readonly T[]): T | undefined {
  const [value, from] = flag !== undefined ? [flag, flagName] : envValue !== undefined && envValue !== '' ? [envValue, envName] : [undefined, ''];
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value.trim().toLowerCase());
  if (found === undefined) throw new UsageError(`${from} must be one of ${allowed.join(', ')} (got "${value.slice(0, 20)}")`);
  return found;
}
