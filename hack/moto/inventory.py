"""Lists the live AWS resources of the kinds the operator uses, as seen through the AWS API of a moto server.

Usage: .cache/venv/bin/python hack/moto/inventory.py http://127.0.0.1:<port> [region ...]
Prints one JSON object {"<service> <Kind>": ["<id>", ...]} on stdout, over the given regions (default us-east-1;
S3 buckets are listed once: the bucket namespace is global). Defaults that moto (like AWS) creates
by itself are left out: the default VPC and its subnets/route tables/security groups, main route tables,
"default" security groups. Deleted-but-retained resources are left out too: KMS keys pending deletion,
secrets scheduled for deletion, NAT gateways in state deleted. hack/ack-smoke.ts uses it to check that
what ACK reports as synced exists in AWS, and that deleting the objects removed it there.
"""

from __future__ import annotations

import json
import sys

import boto3


def inventory(endpoint: str, region: str = "us-east-1", buckets: bool = True) -> dict[str, list[str]]:
    kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
    ec2 = boto3.client("ec2", **kw)
    rds = boto3.client("rds", **kw)
    ec = boto3.client("elasticache", **kw)
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    ours = {v["VpcId"] for v in vpcs}
    out: dict[str, list[str]] = {
        "ec2 VPC": [v["VpcId"] for v in vpcs],
        "ec2 Subnet": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] in ours],
        "ec2 InternetGateway": [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]],
        "ec2 ElasticIPAddress": [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]],
        "ec2 NATGateway": [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted", "deleting")],
        "ec2 RouteTable": [
            r["RouteTableId"]
            for r in ec2.describe_route_tables()["RouteTables"]
            if r["VpcId"] in ours and not any(a.get("Main") for a in r.get("Associations", []))
        ],
        "ec2 SecurityGroup": [
            g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["VpcId"] in ours and g["GroupName"] != "default"
        ],
        "rds DBSubnetGroup": [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"] if g["DBSubnetGroupName"] != "default"],
        "rds DBCluster": [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]],
        "rds DBInstance": [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]],
        "elasticache CacheSubnetGroup": [
            g["CacheSubnetGroupName"] for g in ec.describe_cache_subnet_groups()["CacheSubnetGroups"] if g["CacheSubnetGroupName"] != "default"
        ],
        "elasticache ReplicationGroup": [g["ReplicationGroupId"] for g in ec.describe_replication_groups()["ReplicationGroups"]],
        "s3 Bucket": [b["Name"] for b in boto3.client("s3", **kw).list_buckets().get("Buckets", [])] if buckets else [],
        "secretsmanager Secret": [s["Name"] for s in boto3.client("secretsmanager", **kw).list_secrets()["SecretList"] if not s.get("DeletedDate")],
    }
    kms = boto3.client("kms", **kw)
    out["kms Key"] = [
        k["KeyId"]
        for k in kms.list_keys()["Keys"]
        if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion")
    ]
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("http://127.0.0.1:"):
        sys.exit("usage: inventory.py http://127.0.0.1:<port> [region ...]")
    merged: dict[str, list[str]] = {}
    for i, region in enumerate(sys.argv[2:] or ["us-east-1"]):
        for key, ids in inventory(sys.argv[1], region, buckets=i == 0).items():
            merged.setdefault(key, []).extend(ids)
    json.dump(merged, sys.stdout, indent=1)
    sys.stdout.write("\n")
