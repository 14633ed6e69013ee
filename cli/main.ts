/**
 * cnisim command line. Every command lives in cli/commands/<name>.ts and exports
 * `register(program)`; this file discovers them, so adding a command means adding a file.
 * Exit codes: see cli/errors.ts and the README.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, exitCodeOf } from './errors.ts';
import { VERSION } from './version.ts';

export interface CommandModule {
  register(program: Command): void;
}

/**
 * Builds the program. With `only`, loads just the command file of that name (a command's file is
 * named after it), so `cnisim simulate ...` does not pay for the imports of every other command;
 * without it (top-level help, unknown names) loads them all.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('cnisim')
    .description(
      'Predicts latency percentiles, throughput, drops and per-core load of Kubernetes network options ' +
        'by simulating every packet through the Linux kernel paths each option uses.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim start                                   # the default study (seed comparison)
  $ cnisim simulate --option flannel-vxlan --rate 150000 --response-bytes 350
  $ cnisim sweep --options all --rates 50000:450000:100000 --json > sweep.json

Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input.`,
    );
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const files = only === '' ? [] : only !== undefined && all.includes(`${only}.ts`) ? [`${only}.ts`] : all;
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Partial<CommandModule>;
    if (typeof mod.register !== 'function') throw new Error(`cli/commands/${f} exports no register()`);
    mod.register(program);
  }
  // Sub-commands inherit the parent's error handling.
  for (const c of program.commands) applyRecursively(c);
  return program;
}

function applyRecursively(cmd: Command): void {
  cmd.exitOverride();
  cmd.showHelpAfterError('(run with --help for usage)');
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const c of cmd.commands) applyRecursively(c);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const first = argv[2];
    const versionOnly = first === '--version' || first === '-V';
    const program = await buildProgram(
      versionOnly ? '' : first !== undefined && /^[a-z][a-z-]*$/.test(first) ? first : undefined,
    );
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
      if (err.code === 'commander.help') return EXIT_OK;
      // commander already printed its message on stderr.
      return EXIT_USAGE;
    }
    const code = exitCodeOf(err);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`cnisim: ${code === EXIT_INTERNAL ? 'internal error: ' : ''}${message}\n`);
    if (code === EXIT_INTERNAL && err instanceof Error && process.env.CNISIM_DEBUG) {
      process.stderr.write(`${err.stack ?? ''}\n`);
    } else if (code === EXIT_INTERNAL) {
      process.stderr.write('cnisim: set CNISIM_DEBUG=1 for the stack trace\n');
    }
    return code;
  }
}

// `cnisim ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const isEntry = process.argv[1] !== undefined && /cnisim(\.mjs)?$|cli[/\\]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  const code = await main(process.argv);
  // A command that finished but failed in part (harness run with steps that wrote no record) set
  // its own exit code; an ok return keeps it.
  if (code !== EXIT_OK || process.exitCode === undefined) process.exitCode = code;
}
