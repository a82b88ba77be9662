import { App, Chart } from 'cdk8s';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import * as k8s from '@kubernetes/client-node';

test('cdk8s, generated imports and client-node load as ESM', () => {
  const app = new App();
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  new ec2.Vpc(chart, 'v', { metadata: { name: 'x' }, spec: { cidrBlocks: ['10.0.0.0/16'] } });
  expect(chart.toJson()[0].kind).toBe('VPC');
  expect(typeof k8s.KubeConfig).toBe('function');
});
