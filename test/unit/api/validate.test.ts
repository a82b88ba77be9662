import { basename } from 'node:path';
import { SpecValidationError, validateEnvironment } from '../../../api/index.js';
import { exampleEnvironments, exampleFiles } from '../../../cli/examples.js';
import { INVALID_CASES, invalidManifest, validApplicationBase, validBase, validDnsBase, validIdentityBase, validMonitoringBase, withInstances } from '../../fixtures/invalid-specs.js';

const examples = exampleFiles().map((f) => basename(f));

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecValidationError) return err.errors.map((e) => e.field);
    throw err;
  }
  return [];
}

describe('validateEnvironment', () => {
  it('has one example per seed', () => {
    expect(examples.map((f) => f.slice(0, 3))).toEqual(['000', '001', '002', '003', '004']);
  });

  it.each(exampleEnvironments().map((e) => [e.file, e.manifest.metadata.name, e.manifest] as const))('accepts example %s (environment %s)', (_file, _name, manifest) => {
    expect(() => validateEnvironment(structuredClone(manifest))).not.toThrow();
  });

  it.each([
    ['the base', () => validBase()],
    ['the application base (containers)', () => validApplicationBase()],
    ['the application base with instances', () => withInstances(validApplicationBase())],
    ['the DNS base', () => validDnsBase()],
    ['the monitoring base', () => validMonitoringBase()],
    ['the identity base', () => validIdentityBase()],
  ] as const)('accepts %s of the invalid table', (_name, base) => {
    expect(fieldsOf(() => validateEnvironment(base()))).toEqual([]);
  });

  it.each(INVALID_CASES.map((c) => [c.name, c] as const))('rejects %s, naming the field', (_name, c) => {
    expect(fieldsOf(() => validateEnvironment(invalidManifest(c)))).toContain(c.field);
  });

  it('rejects a second item with the keys of an earlier one in a list-type map, naming the list as the API server does', () => {
    const buckets = validBase();
    buckets.spec.storage.buckets.push({ ...buckets.spec.storage.buckets[0] });
    expect(fieldsOf(() => validateEnvironment(buckets))).toEqual(['spec.storage.buckets']);
    const variables = validApplicationBase();
    variables.spec.compute.containers.environment.push({ ...variables.spec.compute.containers.environment[0] });
    expect(fieldsOf(() => validateEnvironment(variables))).toContain('spec.compute.containers.environment');
  });

  it('judges every spec by its own values: a CEL rule parsed once gives each spec its own verdict', () => {
    const minAboveMax = invalidManifest(INVALID_CASES.find((c) => c.name === 'min ACU above max ACU')!);
    // Valid, invalid, valid again: one process, one parsed rule, three verdicts.
    expect(fieldsOf(() => validateEnvironment(validBase()))).toEqual([]);
    expect(fieldsOf(() => validateEnvironment(minAboveMax))).toEqual(['spec.database.serverless.minACU']);
    expect(fieldsOf(() => validateEnvironment(validBase()))).toEqual([]);
  });

  it('applies schema defaults without modifying its input', () => {
    const input = validBase();
    const before = JSON.stringify(input);
    const env = validateEnvironment(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(env.spec.deletionPolicy).toBe('Retain');
    expect(env.spec.database?.credentials).toBe('AWSManaged');
    expect(env.spec.database?.deletionProtection).toBe(true);
    expect(env.spec.network.subnets.public.prefixLength).toBe(24);
    expect(env.spec.firewall?.rateLimit).toBe(2000);
    expect(env.spec.firewall?.rateLimitWindowSeconds).toBe(300);
    expect(env.spec.firewall?.managedRuleGroups).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    expect(env.spec.encryption).toEqual({ keyRotation: true, pendingWindowDays: 30, alias: false, logs: false });
  });

  it('defaults the isolated tier to no subnets', () => {
    const m = validBase();
    delete m.spec.network.subnets.isolated;
    m.spec.database.subnetTier = 'private';
    m.spec.cache.subnetTier = 'private';
    expect(validateEnvironment(m).spec.network.subnets.isolated).toEqual({ countPerAZ: 0, prefixLength: 24 });
  });

  it.each([
    [{ kind: 'Other' }, 'kind'],
    [{ apiVersion: 'v1' }, 'apiVersion'],
    [{ metadata: { name: 'Not_A_Label' } }, 'metadata.name'],
    [{ metadata: { name: 'x'.repeat(41) } }, 'metadata.name'],
  ])('rejects a malformed envelope %j', (patch, field) => {
    expect(fieldsOf(() => validateEnvironment({ ...validBase(), ...patch }))).toContain(field);
  });
});
