/**
 * Deletion waves: children are deleted wave by wave, the next wave only once the previous one is gone, in reverse
 * dependency order (ACK does not order deletion: a VPC deleted before its subnets loops on DependencyViolation).
 */

/** Kinds in deletion order; kinds on one line are deleted together. Unknown kinds go last. */
export const DELETION_WAVES: readonly (readonly string[])[] = [
  ['Distribution', 'WebACL'],
  ['OriginAccessControl', 'ReplicationGroup', 'DBInstance', 'Secret'],
  ['DBCluster'],
  ['DBSubnetGroup', 'CacheSubnetGroup', 'Bucket'],
  ['SecurityGroup'],
  // A NAT gateway holds an elastic IP and a network interface in a public subnet: it goes before both.
  ['NATGateway'],
  ['ElasticIPAddress'],
  // A route table cannot be deleted while subnets are associated with it, so subnets go first.
  ['Subnet'],
  ['RouteTable'],
  // An internet gateway cannot be detached while public addresses are mapped in the VPC (NAT, EIPs).
  ['InternetGateway'],
  ['VPC'],
  // Last: the database, cache, buckets and secrets were encrypted with it.
  ['Key'],
];

/** Wave index of a kind (lower = deleted earlier). */
export function deletionWave(kind: string): number {
  const index = DELETION_WAVES.findIndex((wave) => wave.includes(kind));
  return index === -1 ? DELETION_WAVES.length : index;
}
