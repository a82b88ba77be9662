/**
 * The controller's ordered teardown (controllers/marketplace-environment/deletion.ts) reads the deletion waves the
 * charts declare: on the shared in-memory fake, with every rendered child of an example present, each pass deletes
 * exactly the earliest wave still present, and a wave waits while an earlier one is still being deleted.
 */
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import { deletionWave, kindsOfWave } from '../../../charts/deletion-order.js';
import { renderEnvironment } from '../../../charts/index.js';
import { deleteNextWave, listChildren } from '../../../controllers/marketplace-environment/deletion.js';
import { FakeKubeClient } from '../../helpers/fake-kube-client.js';
import { example } from '../helpers/render-construct.js';

const NAMESPACE = 'team-a';

/** A fake API server holding every child of example `prefix`, each with `finalizers`. */
function cluster(prefix: string, finalizers: string[] = []) {
  const env = example(prefix, { namespace: NAMESPACE });
  const children = renderEnvironment(env);
  const kube = new FakeKubeClient({ objects: children.map((o) => ({ ...o, metadata: { ...o.metadata, finalizers } })) });
  return { kube, name: env.metadata.name, children };
}

describe.each(['000', '002', '004'])('example %s', (prefix) => {
  it('deletes wave by wave in the declared order, each pass the earliest wave still present', async () => {
    const { kube, name, children } = cluster(prefix);
    const expected = [...new Set(children.map((o) => deletionWave(o)))].sort((a, b) => a - b);
    const passes: { deleted: string[]; reported: readonly string[] }[] = [];
    for (let pass = 0; pass < 20; pass++) {
      const remaining = await listChildren(kube, NAMESPACE, name, new Set());
      const before = kube.callsTo('delete').length;
      const progress = await deleteNextWave(kube, NAMESPACE, remaining);
      if (progress.remaining === 0) break;
      passes.push({ deleted: [...new Set(kube.callsTo('delete').slice(before).map((c) => c.ref.kind))].sort(), reported: progress.kinds });
    }
    expect(passes).toEqual(expected.map((wave) => ({ deleted: [...new Set(children.filter((o) => deletionWave(o) === wave).map((o) => o.kind))].sort(), reported: kindsOfWave(wave) })));
    expect(kube.objects()).toEqual([]);
  });
});

it('waits for a wave held by finalizers (as ACK holds them while AWS deletes) before deleting the next', async () => {
  const { kube, name, children } = cluster('000', ['services.k8s.aws/resource-protection']);
  const first = await deleteNextWave(kube, NAMESPACE, await listChildren(kube, NAMESPACE, name, new Set()));
  expect(first.kinds).toEqual(kindsOfWave(Math.min(...children.map((o) => deletionWave(o)))));
  const deleted = kube.callsTo('delete').length;
  const again = await deleteNextWave(kube, NAMESPACE, await listChildren(kube, NAMESPACE, name, new Set()));
  // Still deleting: the same wave, and no delete call (the children already have a deletionTimestamp).
  expect(again.kinds).toEqual(first.kinds);
  expect(kube.callsTo('delete')).toHaveLength(deleted);
});

it('lists only the kinds the API server serves (an unserved kind has no objects to wait for)', async () => {
  const { kube, name, children } = cluster('000');
  const unserved = new Set(CHILD_KINDS.filter((k) => k.kind === 'Distribution').map((k) => `${k.apiVersion}/${k.kind}`));
  const listed = await listChildren(kube, NAMESPACE, name, unserved);
  expect(listed).toHaveLength(children.length - 1);
  // The earliest wave among the listed children, whatever the unserved Distribution's wave holds.
  const wave = Math.min(...listed.map((o) => deletionWave(o)));
  expect((await deleteNextWave(kube, NAMESPACE, listed)).kinds).toEqual(kindsOfWave(wave));
  const inWave = [...new Set(listed.filter((o) => deletionWave(o) === wave).map((o) => o.kind))].sort();
  expect([...new Set(kube.callsTo('delete').map((c) => c.ref.kind))].sort()).toEqual(inWave);
  expect(inWave).not.toContain('Distribution');
});
