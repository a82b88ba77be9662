import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { FORCE_DELETE_ANNOTATION, keepLastImagesPolicy, Registry } from '../../../charts/constructs/registry.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import { validApplicationBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { only, renderWith } from '../helpers/render-construct.js';

/** The application base (deletionPolicy Retain, registry with defaults), edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validApplicationBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders only the Registry of `e`. */
function render(e: MarketplaceEnvironment): RenderedObject[] {
  return renderWith(e, (chart, ctx) => new Registry(chart, 'registry', { ctx, spec: e.spec.registry! }));
}

describe('Registry, defaults (scan on push, immutable tags, keep 30, deletionPolicy Retain)', () => {
  const objects = render(env());
  const repository = only(objects, 'Repository');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders one repository named <project>-app-<environmentSuffix>, labelled registry', () => {
    expect(objects).toHaveLength(1);
    expect(repository.metadata.name).toBe('shop-registry');
    expect(repository.spec?.name).toBe('shop-app-test');
    expect(repository.metadata.labels['app.kubernetes.io/component']).toBe('registry');
  });

  it('scans on push, keeps tags immutable, keeps AES256 encryption explicit', () => {
    expect(repository.spec).toMatchObject({
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it('expires all but the newest 30 images', () => {
    const policy = JSON.parse(repository.spec?.lifecyclePolicy as string) as { rules: { selection: Record<string, unknown>; action: unknown }[] };
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]).toMatchObject({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } });
  });

  it('is data-bearing: retained under deletionPolicy Retain, and never force-deleted then', () => {
    expect(repository.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
    expect(repository.metadata.annotations).not.toHaveProperty([FORCE_DELETE_ANNOTATION]);
  });

  it('declares the repository URI as an output', () => {
    expect(JSON.parse(repository.metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([{ output: '/registry/repositoryURI', fieldPath: 'status.repositoryURI' }]);
  });
});

describe('Registry, mutable tags, keep 5, deletionPolicy Delete', () => {
  const objects = render(
    env((m) => {
      m.spec.registry = { scanOnPush: false, tagImmutability: false, keepLastImages: 5 };
      m.spec.deletionPolicy = 'Delete';
    }),
  );
  const repository = only(objects, 'Repository');

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('follows the spec', () => {
    expect(repository.spec).toMatchObject({ imageScanningConfiguration: { scanOnPush: false }, imageTagMutability: 'MUTABLE', lifecyclePolicy: keepLastImagesPolicy(5) });
  });

  it('is deleted with its images (ECR refuses to delete a repository that holds images)', () => {
    expect(repository.metadata.annotations).toMatchObject({ 'services.k8s.aws/deletion-policy': 'delete', [FORCE_DELETE_ANNOTATION]: 'true' });
  });
});

describe('keepLastImagesPolicy', () => {
  it('renders the same document for the same count, with sorted keys', () => {
    expect(keepLastImagesPolicy(7)).toBe(keepLastImagesPolicy(7));
    expect(keepLastImagesPolicy(7)).toBe(
      '{"rules":[{"action":{"type":"expire"},"description":"keep the newest 7 images","rulePriority":1,"selection":{"countNumber":7,"countType":"imageCountMoreThan","tagStatus":"any"}}]}',
    );
  });
});
