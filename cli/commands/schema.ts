/** `cnisim schema`: the JSON Schema of the model files, generated from the zod schemas. */
import type { Command } from 'commander';
import { z } from 'zod';
import { HostProfile } from '../../model/schema/host.ts';
import { NetworkOption } from '../../model/schema/option.ts';
import { ScenarioInput } from '../../model/schema/scenario.ts';
import { Wire } from '../../model/schema/wire.ts';
import { Workload } from '../../model/schema/workload.ts';
import { UsageError } from '../errors.ts';
import { printJson } from '../output.ts';

export const SCHEMAS = {
  host: HostProfile,
  option: NetworkOption,
  workload: Workload,
  wire: Wire,
  scenario: ScenarioInput,
} as const;

export function jsonSchemas(which?: string): unknown {
  if (which === undefined) {
    return Object.fromEntries(
      Object.entries(SCHEMAS).map(([k, s]) => [k, z.toJSONSchema(s, { io: 'input' })]),
    );
  }
  const s = SCHEMAS[which as keyof typeof SCHEMAS];
  if (!s)
    throw new UsageError(
      `schema: unknown schema ${JSON.stringify(which)} (one of ${Object.keys(SCHEMAS).join(', ')})`,
    );
  return z.toJSONSchema(s, { io: 'input' });
}

export function register(program: Command): void {
  program
    .command('schema [name]')
    .description('Print the JSON Schema of model files (host, option, workload, wire, scenario; default all)')
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim schema
  $ cnisim schema option > option.schema.json

A host or option file with \`extends\` holds only what differs from its base: the schema applies to
the merged result (\`cnisim hosts --show <file>\` prints it), not to the file as written.`,
    )
    .action((name?: string) => {
      printJson(jsonSchemas(name));
    });
}
