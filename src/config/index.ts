/**
 * The daemon's config file: loading (YAML or JSON), validation with defaults, `${ENV}` and
 * systemd credential references, and a log-safe summary. Other modules import from here only.
 */
export { ConfigError, formatPath, type ConfigProblem } from './config-error.js';
export {
  AUDIT_STDOUT,
  CONFIG_DEFAULTS,
  CRM_URL_PLACEHOLDERS,
  LISTEN_OFF,
  LOG_FORMATS,
  LOG_LEVELS,
  MEDIA_TYPES,
  TARGETS,
  TRIGGERS,
  type CrmUrlPlaceholder,
  type GenesysRegion,
  type LogFormat,
  type LogLevel,
  type MediaType,
  type Target,
  type Trigger,
} from './constants.js';
export { describeConfig } from './describe.js';
export { configFormatOf, loadConfig, parseConfigText, type ConfigFormat, type LoadConfigOptions } from './load.js';
export { parseConfig, type ParseContext } from './parse.js';
export type * from './types.js';
export { GENESYS_REGIONS, isLoopbackHost, parseListen, templatePlaceholders } from './urls.js';
export { attributeKey, parseJsonPointer } from './values.js';
