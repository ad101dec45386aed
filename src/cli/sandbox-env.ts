/**
 * The variables that point the shipped config/sandbox.yaml at a running sandbox, as the `export`
 * lines `sandbox --serve-only` prints: paste them (or `source` the output) into another shell and
 * `run`, `check`, `inspect` and `audit` take `--config "$SANDBOX_CONFIG"` as they are.
 */

/** Where a running sandbox and its fake CRM can be reached. */
export interface SandboxEndpoints {
  readonly gatewayUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly crmUrl: string;
  readonly crmToken: string;
  readonly auditFile: string;
  /** `HOST:PORT` or `off` for the daemon's health and metrics endpoint. */
  readonly httpListen: string;
  /** The config file that reads these variables. */
  readonly configFile: string;
}

/** The environment variables config/sandbox.yaml reads, plus the config path and client id. */
export function sandboxVariables(e: SandboxEndpoints): Record<string, string> {
  return {
    SANDBOX_GATEWAY_URL: e.gatewayUrl,
    SANDBOX_CLIENT_ID: e.clientId,
    SANDBOX_CLIENT_SECRET: e.clientSecret,
    SANDBOX_CRM_URL: e.crmUrl,
    SANDBOX_CRM_TOKEN: e.crmToken,
    SANDBOX_AUDIT_FILE: e.auditFile,
    SANDBOX_HTTP_LISTEN: e.httpListen,
    SANDBOX_CONFIG: e.configFile,
  };
}

/** `export NAME='value'` lines for a POSIX shell (single quotes; a quote inside becomes '\''). */
export function exportLines(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'\n`)
    .join('');
}
