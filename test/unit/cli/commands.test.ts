import { describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, commandSpec, parseCommand } from '../../../src/cli/commands.js';
import { UsageError } from '../../../src/cli/exit.js';
import { fatalIsJson, fatalLine } from '../../../src/cli/fatal.js';
import { logOverrides } from '../../../src/cli/log-options.js';

describe('command help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s names every option and gives an example', (_name, spec) => {
    const text = commandHelp(spec);
    for (const o of spec.options) expect(text).toContain(`--${o.name}`);
    expect(text).toMatch(/^Examples?:\n {2}genesys-enricher /m);
    expect(text).toContain('--help');
  });
});

describe('parseCommand', () => {
  const run = commandSpec('run')!;
  it('reads the options of the spec', () => {
    expect(parseCommand(run, ['-c', 'x.yaml', '--dry-run']).values).toEqual({ config: 'x.yaml', 'dry-run': true });
  });
  it('--help wins over options that would not parse', () => {
    expect(parseCommand(run, ['--nonsense', '--help']).help).toBe(true);
  });
  it.each([
    [['--nonsense'], /Unknown option '--nonsense'/],
    [['--config'], /argument missing/],
    [['stray'], /positional/],
  ])('%j is a usage error naming the command', (args, message) => {
    expect(() => parseCommand(run, args)).toThrow(UsageError);
    expect(() => parseCommand(run, args)).toThrow(message);
    expect(() => parseCommand(run, args)).toThrow(/see genesys-enricher run --help/);
  });
  it('audit takes one FILE, not two', () => {
    const audit = commandSpec('audit')!;
    expect(parseCommand(audit, ['a.jsonl', '-f']).positionals).toEqual(['a.jsonl']);
    expect(() => parseCommand(audit, ['a', 'b'])).toThrow(/expected one FILE/);
  });
});

describe('logOverrides', () => {
  it.each([
    [{}, {}, {}],
    [{ level: 'debug' }, {}, { level: 'debug' }],
    [{}, { GENESYS_ENRICHER_LOG_LEVEL: 'WARN' }, { level: 'warn' }],
    [{ level: 'error' }, { GENESYS_ENRICHER_LOG_LEVEL: 'debug' }, { level: 'error' }],
    [{ format: 'json' }, { GENESYS_ENRICHER_LOG_FORMAT: 'pretty' }, { format: 'json' }],
    [{}, { GENESYS_ENRICHER_LOG_LEVEL: '' }, {}],
  ])('flags %j, env %j -> %j', (flags, env, expected) => {
    expect(logOverrides(flags, env)).toEqual(expected);
  });
  it.each([
    [{ level: 'loud' }, {}, /--log-level must be one of error, warn, info, debug/],
    [{}, { GENESYS_ENRICHER_LOG_LEVEL: 'verbose' }, /GENESYS_ENRICHER_LOG_LEVEL must be one of/],
    [{ format: 'xml' }, {}, /--log-format must be one of auto, json, pretty/],
  ])('flags %j, env %j is a usage error', (flags, env, message) => {
    expect(() => logOverrides(flags, env)).toThrow(UsageError);
    expect(() => logOverrides(flags, env)).toThrow(message);
  });
});

describe('fatal line', () => {
  it.each([
    ['json', true, true],
    ['pretty', false, false],
    ['auto', false, true],
    ['auto', true, false],
    [undefined, false, true],
  ] as const)('format %s on a tty=%s -> json %s', (format, tty, json) => {
    expect(fatalIsJson(format, tty)).toBe(json);
  });
  it('is one JSON line in JSON mode', () => {
    const line = fatalLine('config: x.yaml: queues: required', 2, true, new Date(0));
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ level: 'error', message: 'fatal', component: 'cli', error: 'config: x.yaml: queues: required', exitCode: 2, timestamp: '1970-01-01T00:00:00.000Z' });
  });
});
