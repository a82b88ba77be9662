/** Compute and registry sections of the MarketplaceEnvironment spec: where the application runs, and its images. */
import { Type, type Static } from '@sinclair/typebox';
import { ContainersSchema } from './containers.js';
import { InstancesSchema } from './instances.js';
import { Obj } from './schema-kit.js';

/** Schema of `spec.compute`. */
export const ComputeSchema = Obj(
  {
    containers: Type.Optional(ContainersSchema),
    instances: Type.Optional(InstancesSchema),
  },
  {
    description: 'The application tier, in the app security group: containers (ECS Fargate) or instances (EC2 Auto Scaling), exactly one. Behind spec.loadBalancer when there is one. Omit for none.',
    'x-kubernetes-validations': [
      { rule: 'has(self.containers) != has(self.instances)', message: 'set exactly one of containers and instances', fieldPath: '.containers' },
    ],
  },
);

/** Schema of `spec.registry`. */
export const RegistrySchema = Obj(
  {
    scanOnPush: Type.Boolean({ description: 'Scan every pushed image for known vulnerabilities.', default: true }),
    tagImmutability: Type.Boolean({ description: 'true: a pushed tag can never point at another image (IMMUTABLE); false: tags can be overwritten (MUTABLE).', default: true }),
    keepLastImages: Type.Integer({ description: 'Lifecycle policy: keep the newest N images and expire older ones (1 to 1000).', minimum: 1, maximum: 1000, default: 30 }),
  },
  {
    description: 'An ECR repository for the environment\'s images (compute.containers image repository environment). Images are data: kept on deletion unless deletionPolicy is Delete. Omit for none.',
  },
);

/** `spec.compute` as TypeScript. */
export type ComputeSpec = Static<typeof ComputeSchema>;
/** `spec.registry` as TypeScript. */
export type RegistrySpec = Static<typeof RegistrySchema>;
