import { ALARM_DEFAULTS, MonitoringSchema, SUBSCRIPTION_PROTOCOLS, type MonitoringSpec } from '../../../api/monitoring.js';
import { toStructural } from '../../../api/crd.js';
import { validateEnvironment } from '../../../api/index.js';
import { INVALID_CASES, invalidManifest, validBase, validMonitoringBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { fieldsOf } from '../helpers/spec-fields.js';

/** The base of the invalid table with `section` as spec.monitoring. */
function withMonitoring(section: unknown): Manifest {
  const m = validBase();
  m.spec.monitoring = section;
  return m;
}

/** `section` validated and defaulted by validateEnvironment, as spec.monitoring of the base. */
function monitoring(section: unknown): MonitoringSpec {
  return validateEnvironment(withMonitoring(section)).spec.monitoring!;
}

describe('spec.monitoring: defaults', () => {
  it('defaults an empty section: no subscriptions, every alarm on with its defaults, a dashboard, no billing alarm', () => {
    const spec = monitoring({});
    expect(spec.subscriptions).toEqual([]);
    expect(spec.dashboard).toEqual({ enabled: true });
    expect(spec.billing).toBeUndefined();
    expect(Object.keys(spec.alarms).sort()).toEqual(Object.keys(ALARM_DEFAULTS).sort());
    for (const [key, d] of Object.entries(ALARM_DEFAULTS)) {
      expect([key, spec.alarms[key as keyof typeof ALARM_DEFAULTS]]).toEqual([key, { enabled: true, threshold: d.threshold, evaluationPeriods: d.evaluationPeriods, periodSeconds: d.periodSeconds }]);
    }
  });

  it('defaults to seed 001\'s alarms: Lambda errors > 10 over 2 periods, API latency > 5 s', () => {
    const { alarms } = monitoring({});
    expect(alarms.functionErrors).toMatchObject({ threshold: 10, evaluationPeriods: 2 });
    expect(alarms.apiLatency.threshold).toBe(5000);
  });

  it('keeps what the spec sets and defaults the rest of a setting', () => {
    const spec = validateEnvironment(validMonitoringBase()).spec.monitoring!;
    expect(spec.alarms.functionErrors).toEqual({ enabled: true, threshold: 5, evaluationPeriods: 3, datapointsToAlarm: 2, periodSeconds: 300 });
    expect(spec.alarms.databaseCpu).toEqual({ enabled: false, threshold: 80, evaluationPeriods: 2, periodSeconds: 300 });
    expect(spec.dashboard).toEqual({ enabled: true, name: 'marketplace-dev' });
    expect(spec.subscriptions.map((s) => s.protocol)).toEqual([...SUBSCRIPTION_PROTOCOLS]);
  });

  it('accepts the longest windows CloudWatch allows: a day of minutes, seven days of hours', () => {
    expect(fieldsOf(withMonitoring({ alarms: { apiLatency: { periodSeconds: 60, evaluationPeriods: 1440 } } }))).toEqual([]);
    expect(fieldsOf(withMonitoring({ alarms: { apiLatency: { periodSeconds: 3600, evaluationPeriods: 168 } } }))).toEqual([]);
  });
});

describe('spec.monitoring: invalid input names the field (the cases of test/fixtures/invalid-specs.ts)', () => {
  const cases = INVALID_CASES.filter((c) => c.monitoring);

  it('starts from a valid section', () => {
    expect(fieldsOf(validMonitoringBase())).toEqual([]);
  });

  it('has at least 18 cases of the section, each naming a field of it', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
    for (const c of cases) expect(c.field).toMatch(/^spec\.monitoring\./);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(fieldsOf(invalidManifest(c))).toContain(c.field);
  });
});

describe('spec.monitoring in the CRD', () => {
  const structural = toStructural(JSON.parse(JSON.stringify(MonitoringSchema))) as Manifest;

  it('keys the subscriptions by protocol and endpoint, both required (a list-map key must be)', () => {
    const list = structural.properties.subscriptions;
    expect(list['x-kubernetes-list-map-keys']).toEqual(['protocol', 'endpoint']);
    expect(list.items.required).toEqual(['protocol', 'endpoint']);
  });

  it('lets the API server default every alarm setting (no required field under a defaulted object)', () => {
    for (const key of Object.keys(ALARM_DEFAULTS)) {
      const setting = structural.properties.alarms.properties[key];
      expect([key, setting.default, setting.required]).toEqual([key, {}, undefined]);
    }
  });
});
