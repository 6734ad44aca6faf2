import { prepareJobDir, runSweepJobHere, markStarted, type Launcher } from '../sweep.js';
import { AffectlabError } from '../../core/errors.js';

/** Jobs one after another in this process. */
export const basicLauncher: Launcher = {
  name: 'basic',
  async launch(ctx) {
    for (const job of ctx.todo) {
      if (ctx.signal.aborted) break;
      prepareJobDir(ctx.dir, job.num);
      markStarted(job);
      ctx.save();
      try {
        await runSweepJobHere({ dir: ctx.dir, manifest: ctx.manifest, num: job.num, settings: ctx.settings, log: ctx.log, signal: ctx.signal });
        job.state = 'completed';
      } catch (err) {
        job.state = 'failed';
        job.error = (err as Error).message.split('\n')[0];
        if (!(err instanceof AffectlabError)) ctx.log.error((err as Error).stack ?? String(err));
      }
      job.finished = new Date().toISOString();
      ctx.save();
      ctx.log.info(`job ${job.num} [${job.overrides.join(' ')}]: ${job.state}${job.error ? ` (${job.error})` : ''}`);
    }
  },
};
