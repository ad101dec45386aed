/** Where a command writes: injectable so tests can capture it. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };
