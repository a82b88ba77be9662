"""What the emulated AWS (moto) holds, read through the AWS API with boto3, for the e2e assertions.

Usage: .cache/venv/bin/python test/e2e/aws_snapshot.py http://127.0.0.1:<port> REGION [REGION ...]
Prints one JSON object: {"regions": {REGION: {...}}, "buckets": [...]}, with the fields the e2e suite compares
the environments' status.outputs with (ids, endpoints, ARNs), and the network facts of the serverless tier (VPC
endpoints, the route tables they route from, security group rules, KMS aliases). localcluster/moto/inventory.py
answers "which resources exist"; this answers "what are they" (endpoints, encryption, states, wiring).
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


def _ingress(group: dict) -> list[str]:
    """A security group's ingress rules as `<protocol> <from>-<to> <source>`, one per source, sorted."""
    rules = []
    for p in group.get("IpPermissions", []):
        proto = f"{p.get('IpProtocol')} {p.get('FromPort')}-{p.get('ToPort')}"
        rules += [f"{proto} {r['CidrIp']}" for r in p.get("IpRanges", [])]
        rules += [f"{proto} {g['GroupId']}" for g in p.get("UserIdGroupPairs", [])]
    return sorted(rules)


def _route(route: dict) -> dict:
    """A route as destination (CIDR or prefix list id) and target (gateway, NAT gateway or VPC endpoint id)."""
    destination = route.get("DestinationCidrBlock") or route.get("DestinationPrefixListId")
    target = route.get("GatewayId") or route.get("NatGatewayId") or route.get("VpcEndpointId")
    return {"destination": destination, "target": target}


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
    # AWS-managed prefix lists by name (com.amazonaws.<region>.s3): the destination of a gateway endpoint's routes.
    prefix_lists = {p["PrefixListName"]: p["PrefixListId"] for p in ec2.describe_managed_prefix_lists()["PrefixLists"] if p.get("OwnerId") == "AWS"}
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
            {"id": g["GroupId"], "vpc": g["VpcId"], "name": g["GroupName"], "ingress": _ingress(g)}
            for g in ec2.describe_security_groups()["SecurityGroups"]
            if g["VpcId"] in ours and g["GroupName"] != "default"
        ],
        "routeTables": [
            {
                "id": r["RouteTableId"],
                "vpc": r["VpcId"],
                "subnets": sorted(a["SubnetId"] for a in r.get("Associations", []) if a.get("SubnetId")),
                "routes": [_route(x) for x in r.get("Routes", [])],
            }
            for r in ec2.describe_route_tables()["RouteTables"]
            if r["VpcId"] in ours and not any(a.get("Main") for a in r.get("Associations", []))
        ],
        "prefixLists": prefix_lists,
        # moto keeps a deleted endpoint, in state "deleted" (AWS lists it for a while too).
        "vpcEndpoints": [
            {
                "id": e["VpcEndpointId"],
                "vpc": e["VpcId"],
                "type": e["VpcEndpointType"],
                "serviceName": e["ServiceName"],
                "state": e["State"],
                "routeTables": sorted(e.get("RouteTableIds", [])),
                "subnets": sorted(e.get("SubnetIds", [])),
                "securityGroups": sorted(g["GroupId"] for g in e.get("Groups", [])),
                "privateDNSEnabled": e.get("PrivateDnsEnabled"),
            }
            for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
            if e["VpcId"] in ours
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
        "aliases": [
            {"name": a["AliasName"], "arn": a["AliasArn"], "targetKeyID": a.get("TargetKeyId")}
            for a in kms.list_aliases()["Aliases"]
            if not a["AliasName"].startswith("alias/aws/")
        ],
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
