import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type MonitorSnapshot } from '@vigil/detection';
import { CONFIG, RedisConnection } from '@vigil/infra';

const failures = new Counter({
  name: 'vigil_scorer_checkpoint_failures_total',
  help: 'Baseline checkpoint reads or writes that failed (patients then relearn their normal from priors)',
  labelNames: ['op'],
});
const written = new Counter({
  name: 'vigil_scorer_checkpoints_written_total',
  help: 'Patient baselines checkpointed',
});

/** A patient's learned normal outlives its scorer for this long without new data. */
const TTL_SECONDS = 7 * 86_400;

/**
 * The Redis edge for the patients' learned normals. A restarted or rebalanced scorer restores a
 * patient's checkpoint before its first sample, then re-reads its last minutes from Kafka (warm-up),
 * so a restart neither relearns nor re-alarms. Losing Redis loses only this: the patient's normal is
 * relearned from population priors (counted, and logged), never a sample or an alert.
 */
@Injectable()
export class BaselineCheckpoints {
  private readonly logger = new Logger(BaselineCheckpoints.name);
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(CONFIG) config: Settings,
  ) {
    this.prefix = `${config.topicPrefix}vigil:scorer:baseline:`;
  }

  async load(patientIds: readonly string[]): Promise<Map<string, MonitorSnapshot>> {
    const out = new Map<string, MonitorSnapshot>();
    if (patientIds.length === 0) return out;
    try {
      const values = await this.redis.client.mget(...patientIds.map((id) => this.prefix + id));
      values.forEach((v, i) => {
        if (v) out.set(patientIds[i], JSON.parse(v) as MonitorSnapshot);
      });
    } catch (e) {
      failures.inc({ op: 'load' });
      this.logger.warn(
        `could not read baseline checkpoints (${String(e)}): those patients start from priors`,
      );
    }
    return out;
  }

  async save(snapshots: readonly (readonly [string, MonitorSnapshot])[]): Promise<void> {
    if (snapshots.length === 0) return;
    try {
      const multi = this.redis.client.multi();
      for (const [id, s] of snapshots) multi.set(this.prefix + id, JSON.stringify(s), 'EX', TTL_SECONDS);
      await multi.exec();
      written.inc(snapshots.length);
    } catch (e) {
      failures.inc({ op: 'save' });
      this.logger.warn(`could not write ${snapshots.length} baseline checkpoints: ${String(e)}`);
    }
  }
}
