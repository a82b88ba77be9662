"""Lists the live AWS resources of the kinds the operator uses, as seen through the AWS API of a moto server.

Usage: .cache/venv/bin/python localcluster/moto/inventory.py http://127.0.0.1:<port> [region ...]
Prints one JSON object {"<service> <Kind>": ["<id>", ...]} on stdout, over the given regions (default us-east-1;
S3 buckets and IAM roles/policies/instance profiles are listed once: those namespaces are global). Defaults that
moto (like AWS) creates by itself are left out: the default VPC and its subnets/route tables/security groups, main
route tables, "default" security groups, default listener rules, AWS-managed IAM policies and service-linked roles.
Deleted-but-retained resources are left out too: KMS keys pending deletion, secrets scheduled for deletion, NAT
gateways and VPC endpoints in state deleted. hack/ack-smoke.ts uses it to check that what ACK reports as synced
exists in AWS, and that deleting the objects removed it there.

The id listed per kind is what ACK records for the object: the ARN (status.ackResourceMetadata.arn) for elbv2 kinds
and IAM policies, spec.name for IAM roles and instance profiles, ECR repositories and KMS aliases, status.id for
launch templates.

    inventory.py --details http://127.0.0.1:<port> [region ...]

prints {"<service> <Kind>": {"<id>": {<facts>}}} instead, for the application-tier kinds only: what moto's API says
about each resource (listeners and their actions, rule weights, attached policies, repository settings, ...), so a
test can assert on AWS's view of a field and not only on ACK's.
"""

from __future__ import annotations

import json
import sys
import urllib.parse

import boto3


def _client(endpoint: str, region: str, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def _pages(client, operation: str, key: str, **params) -> list:  # type: ignore[no-untyped-def]
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page.get(key, [])]


def inventory(endpoint: str, region: str = "us-east-1", global_resources: bool = True) -> dict[str, list[str]]:
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
        "ec2 VPCEndpoint": [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["VpcId"] in ours and e["State"] != "deleted"],
        "rds DBSubnetGroup": [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"] if g["DBSubnetGroupName"] != "default"],
        "rds DBCluster": [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]],
        "rds DBInstance": [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]],
        "rds DBProxy": [p["DBProxyName"] for p in rds.describe_db_proxies()["DBProxies"]],
        "elasticache CacheSubnetGroup": [
            g["CacheSubnetGroupName"] for g in ec.describe_cache_subnet_groups()["CacheSubnetGroups"] if g["CacheSubnetGroupName"] != "default"
        ],
        "elasticache ReplicationGroup": [g["ReplicationGroupId"] for g in ec.describe_replication_groups()["ReplicationGroups"]],
        "s3 Bucket": [b["Name"] for b in boto3.client("s3", **kw).list_buckets().get("Buckets", [])] if global_resources else [],
        "secretsmanager Secret": [s["Name"] for s in boto3.client("secretsmanager", **kw).list_secrets()["SecretList"] if not s.get("DeletedDate")],
    }
    kms = boto3.client("kms", **kw)
    out["kms Key"] = [
        k["KeyId"]
        for k in kms.list_keys()["Keys"]
        if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion")
    ]
    out["kms Alias"] = [a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")]
    idp = boto3.client("cognito-idp", **kw)
    out["cognitoidentityprovider UserPool"] = [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    sns = boto3.client("sns", **kw)
    out["sns Topic"] = [t["TopicArn"] for t in _pages(sns, "list_topics", "Topics")]
    out["sns Subscription"] = [x["SubscriptionArn"] for x in _pages(sns, "list_subscriptions", "Subscriptions")]
    out.update(_app_tier_ids(endpoint, region, global_resources))
    return out


def _listeners_and_rules(elb) -> tuple[list[dict], list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    lbs = _pages(elb, "describe_load_balancers", "LoadBalancers")
    listeners = [li for lb in lbs for li in _pages(elb, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"])]
    rules = [r for li in listeners for r in elb.describe_rules(ListenerArn=li["ListenerArn"])["Rules"] if not r.get("IsDefault")]
    return lbs, listeners, rules


def _customer_roles(iam) -> list[dict]:  # type: ignore[no-untyped-def]
    return [r for r in _pages(iam, "list_roles", "Roles") if not r.get("Path", "/").startswith("/aws-service-role/")]


def _app_tier_ids(endpoint: str, region: str, global_resources: bool) -> dict[str, list[str]]:
    elb = _client(endpoint, region, "elbv2")
    lbs, listeners, rules = _listeners_and_rules(elb)
    iam = _client(endpoint, region, "iam")
    ec2 = _client(endpoint, region, "ec2")
    return {
        "elbv2 LoadBalancer": [lb["LoadBalancerArn"] for lb in lbs],
        "elbv2 TargetGroup": [tg["TargetGroupArn"] for tg in _pages(elb, "describe_target_groups", "TargetGroups")],
        "elbv2 Listener": [li["ListenerArn"] for li in listeners],
        "elbv2 Rule": [r["RuleArn"] for r in rules],
        "iam Role": [r["RoleName"] for r in _customer_roles(iam)] if global_resources else [],
        "iam Policy": [p["Arn"] for p in _pages(iam, "list_policies", "Policies", Scope="Local")] if global_resources else [],
        "iam InstanceProfile": [p["InstanceProfileName"] for p in _pages(iam, "list_instance_profiles", "InstanceProfiles")] if global_resources else [],
        "ecr Repository": [r["repositoryName"] for r in _pages(_client(endpoint, region, "ecr"), "describe_repositories", "repositories")],
        "ec2 LaunchTemplate": [t["LaunchTemplateId"] for t in _pages(ec2, "describe_launch_templates", "LaunchTemplates")],
    }


def _attributes(answer: dict) -> dict[str, str]:
    """Load balancer or target group attributes as one fact each ("attribute <key>"), so a test names only its own."""
    return {f"attribute {a['Key']}": a["Value"] for a in answer.get("Attributes", [])}


def _action(action: dict, tg_names: dict[str, str]) -> dict:
    """One listener or rule action as moto reports it: type, target groups by name with weights, redirect target."""
    fact: dict = {"type": action["Type"]}
    forward = action.get("ForwardConfig", {}).get("TargetGroups") or (
        [{"TargetGroupArn": action["TargetGroupArn"]}] if action.get("TargetGroupArn") else []
    )
    if forward:
        fact["targetGroups"] = {tg_names.get(t["TargetGroupArn"], t["TargetGroupArn"]): t.get("Weight", 1) for t in forward}
    if action.get("RedirectConfig"):
        r = action["RedirectConfig"]
        fact["redirect"] = f"{r.get('Protocol')}:{r.get('Port')} {r.get('StatusCode')}"
    return fact


def details(endpoint: str, region: str = "us-east-1", global_resources: bool = True) -> dict[str, dict[str, dict]]:
    """What moto's API says about each application-tier resource, keyed like inventory() and by the same ids."""
    elb = _client(endpoint, region, "elbv2")
    lbs, listeners, rules = _listeners_and_rules(elb)
    tgs = _pages(elb, "describe_target_groups", "TargetGroups")
    tg_names = {tg["TargetGroupArn"]: tg["TargetGroupName"] for tg in tgs}
    lb_names = {lb["LoadBalancerArn"]: lb["LoadBalancerName"] for lb in lbs}
    out: dict[str, dict[str, dict]] = {
        "elbv2 LoadBalancer": {
            lb["LoadBalancerArn"]: {
                "name": lb["LoadBalancerName"],
                "scheme": lb.get("Scheme"),
                "type": lb.get("Type"),
                "state": lb.get("State", {}).get("Code"),
                "availabilityZones": len(lb.get("AvailabilityZones", [])),
                "securityGroups": len(lb.get("SecurityGroups", [])),
                "listeners": sorted(f"{li['Protocol']}:{li['Port']}" for li in listeners if li["LoadBalancerArn"] == lb["LoadBalancerArn"]),
                **_attributes(elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])),
            }
            for lb in lbs
        },
        "elbv2 TargetGroup": {
            tg["TargetGroupArn"]: {
                "name": tg["TargetGroupName"],
                "protocol": tg.get("Protocol"),
                "port": tg.get("Port"),
                "targetType": tg.get("TargetType"),
                "healthCheckPath": tg.get("HealthCheckPath"),
                "healthCheckIntervalSeconds": tg.get("HealthCheckIntervalSeconds"),
                "healthyThresholdCount": tg.get("HealthyThresholdCount"),
                "unhealthyThresholdCount": tg.get("UnhealthyThresholdCount"),
                "matcher": tg.get("Matcher", {}).get("HttpCode"),
                "loadBalancers": sorted({lb_names.get(a, a) for a in tg.get("LoadBalancerArns", [])}),
                **_attributes(elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])),
            }
            for tg in tgs
        },
        "elbv2 Listener": {
            li["ListenerArn"]: {
                "loadBalancer": lb_names.get(li["LoadBalancerArn"], li["LoadBalancerArn"]),
                "protocol": li.get("Protocol"),
                "port": li.get("Port"),
                "defaultActions": [_action(a, tg_names) for a in li.get("DefaultActions", [])],
            }
            for li in listeners
        },
        "elbv2 Rule": {
            r["RuleArn"]: {
                "priority": r.get("Priority"),
                "pathPatterns": [v for c in r.get("Conditions", []) for v in c.get("PathPatternConfig", {}).get("Values", c.get("Values", []))],
                "actions": [_action(a, tg_names) for a in r.get("Actions", [])],
            }
            for r in rules
        },
    }
    ecr = _client(endpoint, region, "ecr")
    out["ecr Repository"] = {}
    for repo in _pages(ecr, "describe_repositories", "repositories"):
        name = repo["repositoryName"]
        try:
            lifecycle = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            lifecycle = {}
        out["ecr Repository"][name] = {
            "scanOnPush": repo.get("imageScanningConfiguration", {}).get("scanOnPush"),
            "imageTagMutability": repo.get("imageTagMutability"),
            "encryptionType": repo.get("encryptionConfiguration", {}).get("encryptionType"),
            "lifecycleRules": [
                f"{r['selection'].get('tagStatus')} {r['selection'].get('countType')} {r['selection'].get('countNumber')} {r['action']['type']}"
                for r in lifecycle.get("rules", [])
            ],
        }
    ec2 = _client(endpoint, region, "ec2")
    out["ec2 LaunchTemplate"] = {}
    for lt in _pages(ec2, "describe_launch_templates", "LaunchTemplates"):
        version = ec2.describe_launch_template_versions(LaunchTemplateId=lt["LaunchTemplateId"], Versions=["$Latest"])["LaunchTemplateVersions"][0]
        data = version.get("LaunchTemplateData", {})
        out["ec2 LaunchTemplate"][lt["LaunchTemplateId"]] = {  # the data is the latest version's
            "name": lt["LaunchTemplateName"],
            "defaultVersion": lt.get("DefaultVersionNumber"),
            "latestVersion": lt.get("LatestVersionNumber"),
            "instanceType": data.get("InstanceType"),
            "imageID": data.get("ImageId"),
            "instanceProfile": data.get("IamInstanceProfile", {}).get("Name"),
            "httpTokens": data.get("MetadataOptions", {}).get("HttpTokens"),
            "userData": bool(data.get("UserData")),
        }
    if global_resources:
        out.update(_iam_details(_client(endpoint, region, "iam")))
    return out


def _iam_details(iam) -> dict[str, dict[str, dict]]:  # type: ignore[no-untyped-def]
    roles: dict[str, dict] = {}
    for role in _customer_roles(iam):
        name = role["RoleName"]
        document = role.get("AssumeRolePolicyDocument") or {}
        if isinstance(document, str):
            document = json.loads(urllib.parse.unquote(document))
        principals = [s.get("Principal", {}).get("Service") for s in document.get("Statement", [])]
        roles[name] = {
            "assumedBy": sorted(p for ps in principals for p in (ps if isinstance(ps, list) else [ps]) if p),
            "attachedPolicies": sorted(p["PolicyName"] for p in _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)),
            "inlinePolicies": sorted(_pages(iam, "list_role_policies", "PolicyNames", RoleName=name)),
        }
    policies = {
        p["Arn"]: {"name": p["PolicyName"], "attachmentCount": p.get("AttachmentCount"), "defaultVersion": p.get("DefaultVersionId")}
        for p in _pages(iam, "list_policies", "Policies", Scope="Local")
    }
    profiles = {
        p["InstanceProfileName"]: {"roles": sorted(r["RoleName"] for r in p.get("Roles", []))}
        for p in _pages(iam, "list_instance_profiles", "InstanceProfiles")
    }
    return {"iam Role": roles, "iam Policy": policies, "iam InstanceProfile": profiles}


if __name__ == "__main__":
    args = sys.argv[1:]
    want_details = bool(args) and args[0] == "--details"
    if want_details:
        args = args[1:]
    if not args or not args[0].startswith("http://127.0.0.1:"):
        sys.exit("usage: inventory.py [--details] http://127.0.0.1:<port> [region ...]")
    merged: dict = {}
    for i, region in enumerate(args[1:] or ["us-east-1"]):
        if want_details:
            for key, facts in details(args[0], region, global_resources=i == 0).items():
                merged.setdefault(key, {}).update(facts)
        else:
            for key, ids in inventory(args[0], region, global_resources=i == 0).items():
                merged.setdefault(key, []).extend(ids)
    json.dump(merged, sys.stdout, indent=1)
    sys.stdout.write("\n")
