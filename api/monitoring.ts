/**
 * `spec.monitoring`: who is told when something is wrong (an SNS topic and its subscriptions), the metric alarms
 * derived from what the environment contains (thresholds here, seed-like defaults), the CloudWatch dashboard generated
 * from the same components, and an optional billing alarm. Which alarms exist follows the other sections (a load
 * balancer brings its alarms, each function its own): this section only tunes them.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Obj, StringEnum, type CelRule } from './schema-kit.js';

/** SNS protocols a subscription may use (plain http is left out: alarm notifications would travel unencrypted). */
export const SUBSCRIPTION_PROTOCOLS = ['email', 'email-json', 'https', 'sms', 'sqs', 'lambda'] as const;

/** What one alarm watches and its defaults. Every alarm fires when the value is above its threshold. */
export interface AlarmDefaults {
  /** What the alarm watches (its setting's description). */
  readonly watches: string;
  /** Unit and statistic of the threshold. */
  readonly unit: string;
  readonly threshold: number;
  readonly minimum: number;
  /** @default none */
  readonly maximum?: number;
  readonly evaluationPeriods: number;
  readonly periodSeconds: number;
}

const FIVE_MINUTES = 300;
const percent = (what: string): Pick<AlarmDefaults, 'minimum' | 'maximum' | 'unit'> => ({ minimum: 0, maximum: 100, unit: `percent (${what})` });

/**
 * The alarms the catalog may render (charts/constructs/alarm-catalog.ts), each only when the environment has what it
 * watches. Defaults: 80 % for utilisation (above the autoscaling targets the seeds use, 70-80 %), seed 001's "Lambda
 * errors > 10 over 2 evaluation periods" and "API latency > 5 s", and 10 errors per 5 minutes twice in a row elsewhere.
 */
export const ALARM_DEFAULTS = {
  loadBalancer5xx: { watches: '5xx responses the load balancer returns itself (no healthy or reachable target)', unit: 'responses per period (sum of HTTPCode_ELB_5XX_Count)', threshold: 10, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  target5xx: { watches: '5xx responses of the application behind the load balancer', unit: 'responses per period (sum of HTTPCode_Target_5XX_Count)', threshold: 10, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  targetResponseTime: { watches: 'time the application behind the load balancer takes to answer', unit: 'seconds (average TargetResponseTime)', threshold: 1, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  unhealthyTargets: { watches: 'targets failing the health check, per target group', unit: 'targets (maximum UnHealthyHostCount)', threshold: 0, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  containerCpu: { watches: 'CPU of each ECS service', ...percent('average CPUUtilization of the tasks'), threshold: 80, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  containerMemory: { watches: 'memory of each ECS service', ...percent('average MemoryUtilization of the tasks'), threshold: 80, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  instanceCpu: { watches: 'CPU of the Auto Scaling group\'s instances', ...percent('average CPUUtilization'), threshold: 80, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  databaseCpu: { watches: 'CPU of the database (Aurora: the writer and the readers apart)', ...percent('average CPUUtilization'), threshold: 80, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  databaseConnections: {
    watches: 'open database connections (Aurora: the writer and the readers apart); set it below the max_connections of the engine and instance class',
    unit: 'connections (maximum DatabaseConnections)',
    threshold: 100,
    minimum: 1,
    evaluationPeriods: 2,
    periodSeconds: FIVE_MINUTES,
  },
  cacheCpu: { watches: 'CPU of the cache engine, per shard (its busiest node)', ...percent('maximum EngineCPUUtilization'), threshold: 80, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  cacheEvictions: { watches: 'keys the cache evicted for lack of memory, per shard', unit: 'keys per period (sum of Evictions over the shard\'s nodes)', threshold: 100, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  functionErrors: { watches: 'invocations ending in an error, per function', unit: 'errors per period (sum of Errors)', threshold: 10, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  functionDuration: {
    watches: 'run time of the invocations, per function',
    unit: 'percent of the function\'s timeoutSeconds (average Duration)',
    threshold: 80,
    minimum: 1,
    maximum: 100,
    evaluationPeriods: 2,
    periodSeconds: FIVE_MINUTES,
  },
  api5xx: { watches: '5xx responses of the API', unit: 'responses per period (sum of 5xx for an HTTP API, 5XXError for a REST API)', threshold: 10, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  apiLatency: { watches: 'time the API takes to answer', unit: 'milliseconds (average Latency)', threshold: 5000, minimum: 1, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
  tableThrottles: { watches: 'throttled reads and writes, per table', unit: 'events per period (sum of ReadThrottleEvents and WriteThrottleEvents)', threshold: 0, minimum: 0, evaluationPeriods: 2, periodSeconds: FIVE_MINUTES },
} as const satisfies Record<string, AlarmDefaults>;

/** Name of one alarm setting of `spec.monitoring.alarms`. */
export type AlarmKey = keyof typeof ALARM_DEFAULTS;

// CloudWatch: a period is a multiple of 60 s (10-30 s only for high-resolution custom metrics), and an alarm looks back
// at most one day with periods under an hour, seven days otherwise. The guards are for the API server, which checks
// the rules against `default: {}` before filling in its fields.
const ALARM_SETTING_RULES: readonly CelRule[] = [
  { rule: '!has(self.periodSeconds) || int(self.periodSeconds) % 60 == 0', message: 'periodSeconds must be a multiple of 60', fieldPath: '.periodSeconds' },
  {
    rule: '!has(self.periodSeconds) || !has(self.evaluationPeriods) || int(self.periodSeconds) * int(self.evaluationPeriods) <= (int(self.periodSeconds) < 3600 ? 86400 : 604800)',
    message: 'periodSeconds × evaluationPeriods must be at most one day (seven days with periods of an hour or more)',
    fieldPath: '.evaluationPeriods',
  },
  {
    rule: '!has(self.datapointsToAlarm) || !has(self.evaluationPeriods) || self.datapointsToAlarm <= self.evaluationPeriods',
    message: 'datapointsToAlarm must be at most evaluationPeriods',
    fieldPath: '.datapointsToAlarm',
  },
];

/** Schema of one alarm setting, with `defaults`. */
function AlarmSettingSchema(defaults: AlarmDefaults) {
  const { threshold, minimum, maximum, unit, evaluationPeriods, periodSeconds } = defaults;
  return Obj(
    {
      enabled: Type.Boolean({ description: 'Render the alarm. false: no alarm (the dashboard still shows the metric).', default: true }),
      threshold: Type.Number({
        description: `The alarm fires above this value, in ${unit}. Default ${threshold}.`,
        minimum,
        ...(maximum !== undefined ? { maximum } : {}),
        default: threshold,
      }),
      evaluationPeriods: Type.Integer({ description: `Periods compared with the threshold (1 to 1440). Default ${evaluationPeriods}.`, minimum: 1, maximum: 1440, default: evaluationPeriods }),
      datapointsToAlarm: Type.Optional(
        Type.Integer({ description: 'Breaching periods among evaluationPeriods that fire the alarm ("M out of N"). Default: all of them.', minimum: 1, maximum: 1440 }),
      ),
      periodSeconds: Type.Integer({ description: `Length of one period in seconds, a multiple of 60 (60 to 86400). Default ${periodSeconds}.`, minimum: 60, maximum: 86400, default: periodSeconds }),
    },
    { description: `Alarm on ${defaults.watches}.`, default: {}, 'x-kubernetes-validations': ALARM_SETTING_RULES },
  );
}

/** One schema per alarm of ALARM_DEFAULTS, keeping the keys in the static type. */
function alarmSettings(): TObject<Record<AlarmKey, ReturnType<typeof AlarmSettingSchema>>> {
  const entries = Object.entries(ALARM_DEFAULTS).map(([key, defaults]) => [key, AlarmSettingSchema(defaults)]);
  return Obj(Object.fromEntries(entries) as Record<AlarmKey, ReturnType<typeof AlarmSettingSchema>>, {
    description: 'Thresholds and periods of the alarms. An alarm exists only when the environment has what it watches (e.g. functionErrors once per spec.functions entry); all notify the topic.',
    default: {},
  });
}

// Per protocol, what SNS accepts as an endpoint. Standard topics cannot deliver to FIFO queues, hence no .fifo.
const ENDPOINT_RULES: readonly CelRule[] = [
  ["['email', 'email-json']", "self.endpoint.matches('^[^@ ]+@[^@ ]+[.][^@ ]+$')", 'an email endpoint must be an e-mail address'],
  ["['https']", "self.endpoint.startsWith('https://')", 'an https endpoint must be an https:// URL'],
  ["['sms']", "self.endpoint.matches('^[+][1-9][0-9]{6,14}$')", 'an sms endpoint must be a phone number in E.164 form (+ and up to 15 digits)'],
  ["['sqs']", "self.endpoint.matches('^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$')", 'an sqs endpoint must be the ARN of a standard (not FIFO) SQS queue'],
  ["['lambda']", "self.endpoint.matches('^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$')", 'a lambda endpoint must be the ARN of a Lambda function'],
].map(([protocols, check, message]) => ({ rule: `!(self.protocol in ${protocols}) || ${check}`, message: message!, fieldPath: '.endpoint' }));

const SubscriptionSchema = Obj(
  {
    protocol: StringEnum(SUBSCRIPTION_PROTOCOLS, { description: `How SNS delivers: ${SUBSCRIPTION_PROTOCOLS.join(', ')}.`, maxLength: 10 }),
    endpoint: Type.String({
      description: 'Where: an e-mail address (email, email-json: the recipient must confirm the subscription from the message SNS sends), an https:// URL, a phone number in E.164 form (sms), or the ARN of an SQS queue or a Lambda function, whose own policy must let this topic deliver to it.',
      minLength: 1,
      maxLength: 2048,
    }),
  },
  { description: 'A subscription of the alarm topic.', 'x-kubernetes-validations': ENDPOINT_RULES },
);

const DashboardSchema = Obj(
  {
    enabled: Type.Boolean({ description: 'Render the dashboard.', default: true }),
    name: Type.Optional(
      Type.String({ description: 'Dashboard name (A-Z a-z 0-9 - _). Default <project>-<environmentSuffix>, e.g. marketplace-dev.', pattern: '^[A-Za-z0-9_-]{1,255}$', maxLength: 255 }),
    ),
  },
  { description: 'A CloudWatch dashboard with one graph per metric of the environment\'s components (the alarms\' metrics and their traffic).', default: {} },
);

const BillingSchema = Obj(
  {
    thresholdUSD: Type.Number({ description: 'The alarm fires when the month\'s estimated charges exceed this many US dollars.', minimum: 1, maximum: 1000000 }),
  },
  {
    description:
      'A billing alarm on the account\'s estimated charges (AWS/Billing EstimatedCharges: the whole account, not this environment alone). AWS publishes that metric in us-east-1 only, so the alarm, and the topic it notifies, live there whatever spec.region is. The account must have "Receive CloudWatch billing alerts" turned on in its billing preferences. Omit for none.',
  },
);

/** Schema of `spec.monitoring`. */
export const MonitoringSchema = Obj(
  {
    subscriptions: Type.Array(SubscriptionSchema, {
      description: 'Who the alarm topic notifies (at most 10). Empty: the topic exists, and anyone may subscribe to it outside the environment.',
      default: [],
      maxItems: 10,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['protocol', 'endpoint'],
    }),
    alarms: alarmSettings(),
    dashboard: DashboardSchema,
    billing: Type.Optional(BillingSchema),
  },
  {
    description: 'Monitoring: an SNS topic every alarm notifies, with its subscriptions; metric alarms derived from the environment\'s components; a CloudWatch dashboard; a billing alarm. Omit for none.',
    'x-kubernetes-validations': [
      {
        rule: 'self.subscriptions.all(s, self.subscriptions.exists_one(t, t.protocol == s.protocol && t.endpoint == s.endpoint))',
        message: 'subscriptions must be unique (protocol and endpoint)',
        fieldPath: '.subscriptions',
        reason: 'FieldValueDuplicate',
      },
    ],
  },
);

/** `spec.monitoring`, defaulted. */
export type MonitoringSpec = Static<typeof MonitoringSchema>;
/** One alarm setting of `spec.monitoring.alarms`, defaulted. */
export type AlarmSettingSpec = MonitoringSpec['alarms'][AlarmKey];
/** One entry of `spec.monitoring.subscriptions`. */
export type SubscriptionSpec = MonitoringSpec['subscriptions'][number];
