"""What the emulated AWS (moto) holds, read through the AWS API with boto3, for the e2e assertions.

Usage: .cache/venv/bin/python test/e2e/aws_snapshot.py http://127.0.0.1:<port> REGION [REGION ...]
Prints one JSON object: {"regions": {REGION: {...}}, "buckets": [...]}, with the fields the e2e suite compares
the environments' status.outputs with (ids, endpoints, ARNs). localcluster/moto/inventory.py answers "which
resources exist"; this answers "what are they" (endpoints, encryption, states).
"""

from __future__ import annotations

import json
import sys

import boto3
from botocore.exceptions import ClientError


def client(service: str, endpoint: str, region: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def region_snapshot(endpoint: str, region: str) -> dict:
    ec2 = client("ec2", endpoint, region)
    rds = client("rds", endpoint, region)
    ec = client("elasticache", endpoint, region)
    sm = client("secretsmanager", endpoint, region)
    kms = client("kms", endpoint, region)
    elb = client("elbv2", endpoint, region)
    ecr = client("ecr", endpoint, region)
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    ours = {v["VpcId"] for v in vpcs}
    keys = []
    for k in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        keys.append({"id": meta["KeyId"], "arn": meta["Arn"], "state": meta["KeyState"]})
    return {
        "vpcs": [{"id": v["VpcId"], "cidr": v["CidrBlock"]} for v in vpcs],
        "subnets": [
            {"id": s["SubnetId"], "vpc": s["VpcId"], "cidr": s["CidrBlock"], "az": s["AvailabilityZone"]}
            for s in ec2.describe_subnets()["Subnets"]
            if s["VpcId"] in ours
        ],
        "securityGroups": [
            {"id": g["GroupId"], "vpc": g["VpcId"], "name": g["GroupName"]}
            for g in ec2.describe_security_groups()["SecurityGroups"]
            if g["VpcId"] in ours and g["GroupName"] != "default"
        ],
        "dbClusters": [
            {
                "id": c["DBClusterIdentifier"],
                "endpoint": c.get("Endpoint"),
                "readerEndpoint": c.get("ReaderEndpoint"),
                "port": c.get("Port"),
                "status": c.get("Status"),
                "masterUserSecretARN": (c.get("MasterUserSecret") or {}).get("SecretArn"),
            }
            for c in rds.describe_db_clusters()["DBClusters"]
        ],
        "dbInstances": [
            {
                "id": i["DBInstanceIdentifier"],
                "cluster": i.get("DBClusterIdentifier"),
                "address": (i.get("Endpoint") or {}).get("Address"),
                "port": (i.get("Endpoint") or {}).get("Port"),
                "status": i.get("DBInstanceStatus"),
                "masterUserSecretARN": (i.get("MasterUserSecret") or {}).get("SecretArn"),
            }
            for i in rds.describe_db_instances()["DBInstances"]
        ],
        "replicationGroups": [
            {
                "id": g["ReplicationGroupId"],
                "status": g.get("Status"),
                "configurationEndpoint": (g.get("ConfigurationEndpoint") or {}).get("Address"),
                "primaryEndpoint": ((g.get("NodeGroups") or [{}])[0].get("PrimaryEndpoint") or {}).get("Address"),
            }
            for g in ec.describe_replication_groups()["ReplicationGroups"]
        ],
        "secrets": [
            {"name": s["Name"], "arn": s["ARN"], "deleted": bool(s.get("DeletedDate"))}
            for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
        ],
        "keys": keys,
        "loadBalancers": [
            {"arn": lb["LoadBalancerArn"], "name": lb["LoadBalancerName"], "dnsName": lb.get("DNSName"), "canonicalHostedZoneID": lb.get("CanonicalHostedZoneId")}
            for lb in elb.describe_load_balancers()["LoadBalancers"]
        ],
        "targetGroups": [{"arn": tg["TargetGroupArn"], "name": tg["TargetGroupName"]} for tg in elb.describe_target_groups()["TargetGroups"]],
        "repositories": [
            {"name": r["repositoryName"], "arn": r["repositoryArn"], "uri": r["repositoryUri"]} for r in ecr.describe_repositories()["repositories"]
        ],
    }


def buckets(endpoint: str) -> list[dict]:
    s3 = client("s3", endpoint, "us-east-1")
    out = []
    for b in s3.list_buckets().get("Buckets", []):
        try:
            rules = s3.get_bucket_encryption(Bucket=b["Name"])["ServerSideEncryptionConfiguration"]["Rules"]
            default = rules[0]["ApplyServerSideEncryptionByDefault"]
        except ClientError:
            default = {}
        out.append({"name": b["Name"], "sseAlgorithm": default.get("SSEAlgorithm"), "kmsKeyID": default.get("KMSMasterKeyID")})
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3 or not sys.argv[1].startswith("http://127.0.0.1:"):
        sys.exit("usage: aws_snapshot.py http://127.0.0.1:<port> REGION [REGION ...]")
    snapshot = {"regions": {r: region_snapshot(sys.argv[1], r) for r in sys.argv[2:]}, "buckets": buckets(sys.argv[1])}
    json.dump(snapshot, sys.stdout, indent=1)
    sys.stdout.write("\n")
