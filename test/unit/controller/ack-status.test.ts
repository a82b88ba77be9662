import { childState } from '../../../controllers/marketplace-environment/ack-status.js';

const cond = (type: string, status: string, extra: Record<string, string> = {}) => ({ type, status, ...extra });
const synced = [cond('ACK.ResourceSynced', 'True'), cond('Ready', 'True')];

describe('childState', () => {
  it.each([
    ['no status yet', { kind: 'VPC' }, 'Progressing', 'NotReconciledByACK'],
    ['synced VPC', { kind: 'VPC', status: { conditions: synced } }, 'Ready', undefined],
    ['terminal wins over synced', { kind: 'DBCluster', status: { status: 'available', conditions: [...synced, cond('ACK.Terminal', 'True', { reason: 'InvalidParameter', message: 'bad version' })] } }, 'Failed', 'InvalidParameter'],
    ['recoverable error', { kind: 'Subnet', status: { conditions: [cond('ACK.ResourceSynced', 'Unknown'), cond('ACK.Recoverable', 'True', { message: 'throttled' })] } }, 'Progressing', 'ACKRecoverable'],
    ['unresolved references', { kind: 'Subnet', status: { conditions: [cond('ACK.ReferencesResolved', 'Unknown', { reason: 'referenced resource is not synced yet' })] } }, 'Progressing', 'ReferencesUnresolved'],
    ['synced but NAT not available', { kind: 'NATGateway', status: { state: 'pending', conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['NAT available', { kind: 'NATGateway', status: { state: 'available', conditions: synced } }, 'Ready', undefined],
    ['NAT failed', { kind: 'NATGateway', status: { state: 'failed', conditions: [cond('ACK.ResourceSynced', 'False')] } }, 'Failed', 'AWSStatusFailed'],
    ['DB instance creating', { kind: 'DBInstance', status: { dbInstanceStatus: 'creating', conditions: [cond('ACK.ResourceSynced', 'False', { message: 'creating' })] } }, 'Progressing', 'NotSynced'],
    ['replication group create-failed (ACK marks it synced)', { kind: 'ReplicationGroup', status: { status: 'create-failed', conditions: synced } }, 'Failed', 'AWSStatusFailed'],
    ['distribution still in progress', { kind: 'Distribution', status: { status: 'InProgress', conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['distribution deployed', { kind: 'Distribution', status: { status: 'Deployed', conditions: synced } }, 'Ready', undefined],
    ['load balancer provisioning (a nested state field)', { kind: 'LoadBalancer', status: { state: { code: 'provisioning' }, conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['load balancer active', { kind: 'LoadBalancer', status: { state: { code: 'active' }, conditions: synced } }, 'Ready', undefined],
    ['load balancer failed', { kind: 'LoadBalancer', status: { state: { code: 'failed' }, conditions: synced } }, 'Failed', 'AWSStatusFailed'],
    ['certificate waiting for DNS validation', { kind: 'Certificate', status: { status: 'PENDING_VALIDATION', conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['certificate issued', { kind: 'Certificate', status: { status: 'ISSUED', conditions: synced } }, 'Ready', undefined],
    ['certificate validation timed out', { kind: 'Certificate', status: { status: 'VALIDATION_TIMED_OUT', conditions: synced } }, 'Failed', 'AWSStatusFailed'],
  ])('%s', (_name, obj, state, reason) => {
    const s = childState(obj);
    expect(s.state).toBe(state);
    expect(s.reason).toBe(reason);
  });

  it.each([
    ['a terminal error without a reason', cond('ACK.Terminal', 'True', { reason: '', message: 'bad version' }), { state: 'Failed', reason: 'ACKTerminal', message: 'bad version' }],
    ['a terminal error without reason or message', cond('ACK.Terminal', 'True'), { state: 'Failed', reason: 'ACKTerminal', message: 'ACK reports a terminal error' }],
    ['a terminal error with ACK\'s reason', cond('ACK.Terminal', 'True', { reason: 'InvalidParameter', message: 'bad' }), { state: 'Failed', reason: 'InvalidParameter', message: 'bad' }],
    ['not synced, with a blank reason and message', cond('ACK.ResourceSynced', 'False', { reason: ' ', message: '' }), { state: 'Progressing', reason: 'NotSynced' }],
    ['not synced, with ACK\'s reason', cond('ACK.ResourceSynced', 'False', { reason: 'Throttling', message: 'Rate exceeded' }), { state: 'Progressing', reason: 'Throttling', message: 'Rate exceeded' }],
  ])('handles %s', (_name, condition, expected) => {
    expect(childState({ kind: 'VPC', status: { conditions: [condition] } })).toEqual(expected);
  });

  it('truncates very long ACK messages', () => {
    const s = childState({ kind: 'VPC', status: { conditions: [cond('ACK.Terminal', 'True', { message: 'x'.repeat(5000) })] } });
    expect(s.message!.length).toBeLessThanOrEqual(1024);
  });
});
