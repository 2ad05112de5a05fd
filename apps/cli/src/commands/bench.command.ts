import { type Command } from 'commander';
import { registerScoringBench } from './scoring.bench';
import { registerIngestBench } from './ingest.bench';
import { registerAuthBench } from './auth.bench';
import { registerE2eBench } from './e2e.bench';
import { registerDashboardBench } from './dashboard.bench';
import { registerScorerBench } from './scorer.bench';

/** `vigil bench <what>`: each benchmark is a subcommand registered from <what>.bench.ts. */
export function registerBenchCommand(program: Command): void {
  const bench = program
    .command('bench')
    .description('Measure throughput of the parts that must keep up with every sample');
  registerScoringBench(bench);
  registerIngestBench(bench);
  registerAuthBench(bench);
  registerE2eBench(bench);
  registerDashboardBench(bench);
  registerScorerBench(bench);
}
