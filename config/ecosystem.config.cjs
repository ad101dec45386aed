// pm2 process file for genesys-enricher (CommonJS: pm2 loads it with require(), and the package
// itself is ESM). Start with `pm2 start config/ecosystem.config.cjs` from the installed package;
// docs/operations.md covers the user, directories, credentials and log rotation.
'use strict';

/** pm2 waits this long after SIGINT before SIGKILL: above pipeline.drainTimeoutMs (default 10 s). */
const STOP_TIMEOUT_MS = 30_000;

module.exports = {
  apps: [
    {
      name: 'genesys-enricher',
      // The CLI of the package this file ships in; use an absolute path if you copy the file away.
      script: `${__dirname}/../dist/src/cli.js`,
      args: ['run', '--config', '/etc/genesys-enricher/config.yaml'],
      // One process only: a second copy would open its own websockets and spend the same API budget.
      exec_mode: 'fork',
      instances: 1,
      watch: false,
      env: {
        NODE_ENV: 'production',
        // `${credential:NAME}` in the config reads $CREDENTIALS_DIRECTORY/NAME. Without systemd's
        // LoadCredential= these files must be readable by the pm2 user (0400, see the docs).
        CREDENTIALS_DIRECTORY: '/etc/genesys-enricher/credentials',
        // Where each config reload's outcome goes. Reload (not `pm2 reload`, which restarts) with
        //   genesys-enricher reload --pid "$(pm2 pid genesys-enricher)" \
        //     --status-file /var/lib/genesys-enricher/reload-status.json
        // which exits 1 when the new config was rejected. Logrotate sends SIGUSR1 (reopen the audit
        // file only): `pm2 sendSignal SIGUSR1 genesys-enricher`.
        GENESYS_ENRICHER_STATUS_FILE: '/var/lib/genesys-enricher/reload-status.json',
      },

      // Stop: pm2 sends SIGINT, the daemon drains in-flight work and exits 0.
      kill_timeout: STOP_TIMEOUT_MS,
      // Restart after crashes and runtime failures (exit 1); not after a config error (exit 2),
      // which a restart cannot fix, nor after a clean exit 0 (someone stopped it on purpose).
      autorestart: true,
      stop_exit_codes: [0, 2],
      // Waits 1 s, then 1.5 times longer each time up to 15 s (pm2's cap); back to 1 s after a stable run.
      exp_backoff_restart_delay: 1_000,
      // A run shorter than min_uptime is "unstable"; after max_restarts of those pm2 gives up
      // (status "errored") instead of looping.
      min_uptime: 30_000,
      max_restarts: 10,

      // Operational log (stderr, JSON lines with their own timestamps). The audit trail is a
      // separate file (audit.file in the config), rotated by logrotate, not by pm2-logrotate.
      error_file: '/var/log/genesys-enricher/pm2-error.log',
      out_file: '/var/log/genesys-enricher/pm2-out.log',
      merge_logs: true,
      time: false,
    },
  ],
};
