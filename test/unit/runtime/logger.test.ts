import { describe, expect, it } from '@jest/globals';
import { createLogger, reconcileLogger } from '../../../controllers/runtime/logger.js';

function collector() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, destination: { write: (msg: string) => void lines.push(JSON.parse(msg)) } };
}

describe('logger', () => {
  it('writes JSON lines with ISO time, filtered by level', () => {
    const { lines, destination } = collector();
    const logger = createLogger({ level: 'info', destination, base: { component: 'test' } });
    logger.debug('hidden');
    logger.info({ step: 'apply' }, 'applied');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'applied', step: 'apply', component: 'test' });
    expect(String(lines[0].time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('binds kind, namespace, name and generation for a reconcile', () => {
    const { lines, destination } = collector();
    const root = createLogger({ level: 'debug', destination });
    const subject = { metadata: { name: 'shop', namespace: 'team-a', generation: 4 } };
    const log = reconcileLogger(root, subject, 'MarketplaceEnvironment');
    log.error({ err: new Error('boom') }, 'reconcile failed');

    expect(lines[0]).toMatchObject({
      kind: 'MarketplaceEnvironment',
      namespace: 'team-a',
      name: 'shop',
      generation: 4,
      msg: 'reconcile failed',
      err: { message: 'boom', type: 'Error' },
    });
  });
});
