"""Runtime patches that make moto usable as the backend of real ACK controllers.

Each patch fills a gap between what an ACK controller calls and what moto implements (checked against
moto 5.2.5, localcluster/moto/requirements.txt). moto finds an action handler with ``inspect.getmembers`` on the
response class at request time, so adding a method before the server starts is enough.

A patch that adds a missing action is skipped when the installed moto already implements that action,
so upgrading moto never silently replaces a real implementation. Every patch is documented, with the
ACK code that needs it, in docs/e2e.md ("moto patches").
"""

from __future__ import annotations

import inspect
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.launch_templates import LaunchTemplateBackend
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.models.subnets import SubnetBackend
from moto.elasticache import models as ec_models
from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
from moto.elasticache.responses import ElastiCacheResponse
from moto.elbv2.responses import ELBV2Response
from moto.iam.exceptions import DeleteConflictException
from moto.iam.models import IAMBackend
from moto.rds import utils as rds_utils
from moto.s3 import models as s3_models

from patches_cognito import cognito_user_pool_tags


@dataclass
class Patch:
    """One runtime patch: ``apply`` returns False when it was not needed (moto has it natively)."""

    name: str
    why: str
    apply: Callable[[], bool]


class CacheSubnetGroupInUse(ElastiCacheException):
    """AWS refuses to delete a cache subnet group that a cluster or replication group still uses."""

    code = "CacheSubnetGroupInUse"

    def __init__(self, name: str):
        super().__init__(f"Cache subnet group {name} is currently in use by a cache cluster.")


def _add_action(cls: type, action: str, fn: Callable) -> bool:
    if hasattr(cls, action):
        return False
    setattr(cls, action, fn)
    return True


def _elasticache_describe_events() -> bool:
    # moto 5.2.5 has no DescribeEvents; ACK's elasticache controller calls it on every read of a
    # ReplicationGroup and a CacheSubnetGroup (pkg/resource/*/hooks.go provideEvents) and returns the
    # error, so neither kind could ever sync. moto records no ElastiCache events: answer an empty list.
    def describe_events(self: ElastiCacheResponse) -> ActionResult:
        return ActionResult({"Events": []})

    return _add_action(ElastiCacheResponse, "describe_events", describe_events)


def _subnet_group_users(backend: ec_models.ElastiCacheBackend, name: str) -> list[str]:
    users = [rid for rid, rg in backend.replication_groups.items() if getattr(rg, "cache_subnet_group_name", None) == name]
    users += [cid for cid, cc in backend.cache_clusters.items() if getattr(cc, "cache_subnet_group_name", None) == name]
    return users


def _elasticache_delete_cache_subnet_group() -> bool:
    # moto 5.2.5 has no DeleteCacheSubnetGroup; ACK calls it when a CacheSubnetGroup is deleted and keeps
    # the finalizer until it succeeds. Same semantics as AWS: NotFound for an unknown name, InUse while a
    # replication group or cluster still references it.
    def delete_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
        name = self._get_param("CacheSubnetGroupName")
        backend = self.elasticache_backend
        if name not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(name)
        if _subnet_group_users(backend, name):
            raise CacheSubnetGroupInUse(name)
        group = backend.cache_subnet_groups.pop(name)
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()

    return _add_action(ElastiCacheResponse, "delete_cache_subnet_group", delete_cache_subnet_group)


def _elasticache_modify_cache_subnet_group() -> bool:
    # moto 5.2.5 has no ModifyCacheSubnetGroup; ACK calls it when spec.description or spec.subnetIDs of a
    # CacheSubnetGroup change. Rebuild the group with moto's own model (which resolves the subnets).
    def modify_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
        name = self._get_param("CacheSubnetGroupName")
        backend = self.elasticache_backend
        if name not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(name)
        old = backend.cache_subnet_groups[name]
        description = self._get_param("CacheSubnetGroupDescription") or old.cache_subnet_group_description
        subnet_ids = self._get_param("SubnetIds") or old.subnet_ids
        new = ec_models.CacheSubnetGroup(
            account_id=backend.account_id,
            region_name=backend.region_name,
            cache_subnet_group_name=name,
            cache_subnet_group_description=description,
            subnet_ids=subnet_ids,
            tags=old.tags,
        )
        backend.cache_subnet_groups[name] = new
        return ActionResult({"CacheSubnetGroup": new})

    return _add_action(ElastiCacheResponse, "modify_cache_subnet_group", modify_cache_subnet_group)


# How long a deleted replication group stays visible with status "deleting" before it is gone.
REPLICATION_GROUP_DELETE_SECONDS = 2.0


def _elasticache_delete_replication_group_finishes() -> bool:
    # moto 5.2.5 DeleteReplicationGroup only sets status "deleting" and never removes the group, so
    # DescribeReplicationGroups never answers ReplicationGroupNotFoundFault and ACK keeps the finalizer
    # (and the CacheSubnetGroup stays in use) forever. On AWS the group disappears once deleted: remove it
    # (and its member clusters, if moto created any) a short time after the delete call.
    original = ec_models.ElastiCacheBackend.delete_replication_group
    if getattr(original, "_ack_patched", False):
        return False

    def delete_replication_group(self, replication_group_id, retain_primary_cluster):  # type: ignore[no-untyped-def]
        group = original(self, replication_group_id, retain_primary_cluster)
        members = list(getattr(group, "member_clusters", []) or [])

        def finish() -> None:
            current = self.replication_groups.get(replication_group_id)
            if current is group and current.status == "deleting":
                self.replication_groups.pop(replication_group_id, None)
                for cid in members:
                    self.cache_clusters.pop(cid, None)

        timer = threading.Timer(REPLICATION_GROUP_DELETE_SECONDS, finish)
        timer.daemon = True
        timer.start()
        return group

    delete_replication_group._ack_patched = True  # type: ignore[attr-defined]
    ec_models.ElastiCacheBackend.delete_replication_group = delete_replication_group  # type: ignore[method-assign]
    return True


# What AWS reports for a bucket without an explicit encryption configuration (since 2023-01-05 every bucket
# is encrypted with SSE-S3 by default, and DeleteBucketEncryption returns a bucket to that default).
S3_DEFAULT_ENCRYPTION = {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": "false"}}


def _s3_default_bucket_encryption() -> bool:
    # moto 5.2.5 answers GetBucketEncryption on a bucket without a configuration with 404
    # ServerSideEncryptionConfigurationNotFoundError, the pre-2023 AWS behaviour. ACK's s3-controller
    # (v1.3.2 pkg/resource/bucket/hook.go addPutFieldsToSpec) tolerates that error code but then reads
    # getEncryptionResponse.ServerSideEncryptionConfiguration from a nil response and panics, so a Bucket
    # never syncs (and cannot be deleted: the panic is on the read path). Answer what AWS answers today.
    original = s3_models.S3Backend.get_bucket_encryption
    if getattr(original, "_ack_patched", False):
        return False

    def get_bucket_encryption(self, bucket_name):  # type: ignore[no-untyped-def]
        return original(self, bucket_name) or S3_DEFAULT_ENCRYPTION

    get_bucket_encryption._ack_patched = True  # type: ignore[attr-defined]
    s3_models.S3Backend.get_bucket_encryption = get_bucket_encryption  # type: ignore[method-assign]
    return True


def _rds_adjacent_windows_do_not_overlap() -> bool:
    # moto 5.2.5 (rds/utils.py valid_preferred_maintenance_window) treats a backup window that ends when the
    # maintenance window starts ("03:00-04:00" and "sun:04:00-sun:05:00") as overlapping: it compares the
    # overlap in seconds with ">= 0", and two touching windows overlap by 0 s. AWS accepts touching windows
    # (terraform-aws-modules/rds's own examples use "Mon:00:00-Mon:03:00" with "03:00-06:00"), and rejects
    # windows that really overlap with the same InvalidParameterValue. Report a 0 s overlap as none.
    if rds_utils.valid_preferred_maintenance_window("sun:04:00-sun:05:00", "03:00-04:00") is None:
        return False
    original = rds_utils.get_overlap_between_two_date_ranges

    def get_overlap_between_two_date_ranges(start_1, end_1, start_2, end_2):  # type: ignore[no-untyped-def]
        seconds = original(start_1, end_1, start_2, end_2)
        return -1 if seconds == 0 else seconds

    # valid_preferred_maintenance_window looks the helper up in its module at call time.
    rds_utils.get_overlap_between_two_date_ranges = get_overlap_between_two_date_ranges
    return True


def _ec2_referenced_security_group_is_not_deleted() -> bool:
    # moto 5.2.5 deletes a security group that another group's rule still references. AWS refuses with
    # DependencyViolation ("resource sg-... has a dependent object") until the referencing rule is revoked. The
    # difference stops the ec2-controller: it deletes a group by first revoking all of its rules (sdkDelete ->
    # syncSGRules), and moto answers a revoke that names an already deleted source group with InvalidGroup.NotFound,
    # forever. With AWS's rule, the referenced group's delete is retried until the referencing group is gone.
    original = SecurityGroupBackend.delete_security_group
    if getattr(original, "_ack_patched", False) or "DependencyViolation" in inspect.getsource(original):
        return False

    def delete_security_group(self, name=None, group_id=None):  # type: ignore[no-untyped-def]
        target = group_id
        if not target and name:
            group = self.get_security_group_by_name_or_id(name)
            target = group.id if group else None
        if target:
            for groups in self.groups.values():
                for group in groups.values():
                    if group.id == target:
                        continue  # a group may reference itself (the default group does)
                    for rule in list(group.ingress_rules) + list(group.egress_rules):
                        if (rule.source_group or {}).get("GroupId") == target:
                            raise DependencyViolationError(f"resource {target} has a dependent object")
        return original(self, name=name, group_id=group_id)

    delete_security_group._ack_patched = True  # type: ignore[attr-defined]
    SecurityGroupBackend.delete_security_group = delete_security_group  # type: ignore[method-assign]
    return True


def _ec2_delete_subnet_drops_route_table_association() -> bool:
    # moto 5.2.5 DeleteSubnet leaves the subnet's association in its route table, so DeleteRouteTable answers
    # DependencyViolation ("has dependencies and cannot be deleted") forever. On AWS deleting a subnet removes its
    # association. The ec2-controller deletes a Subnet with a plain DeleteSubnet (it does not disassociate first),
    # and the operator deletes Subnets before RouteTables, so every route table with subnets stayed stuck.
    original = SubnetBackend.delete_subnet
    if getattr(original, "_ack_patched", False) or "route_table" in inspect.getsource(original):
        return False

    def delete_subnet(self, subnet_id):  # type: ignore[no-untyped-def]
        subnet = original(self, subnet_id)
        for route_table in getattr(self, "route_tables", {}).values():
            for association_id, target in list(route_table._associations.items()):
                if target == subnet_id:
                    route_table._associations.pop(association_id, None)
        return subnet

    delete_subnet._ack_patched = True  # type: ignore[attr-defined]
    SubnetBackend.delete_subnet = delete_subnet  # type: ignore[method-assign]
    return True


def _ec2_launch_template_tags_stay_out_of_the_data() -> bool:
    # moto 5.2.5 CreateLaunchTemplate copies the request's TagSpecifications (on AWS they tag the launch template
    # itself, ResourceType "launch-template") into the version's LaunchTemplateData, where AWS only has the tags for
    # what the template launches (instances, volumes, ...). ec2-controller (v1.19.0) reads the data back after the
    # create, sees Spec.Data.TagSpecifications it did not ask for (its own services.k8s.aws/* tags), and creates a
    # second version to "remove" them: every LaunchTemplate started at version 2 with version 1 as default. Keep the
    # launch template's own tags out of its data, as AWS does.
    original = LaunchTemplateBackend.create_launch_template
    if getattr(original, "_ack_patched", False):
        return False

    def create_launch_template(self, name, description, template_data, tag_spec):  # type: ignore[no-untyped-def]
        specs = [s for s in template_data.get("TagSpecifications") or [] if s.get("ResourceType") != "launch-template"]
        if specs:
            template_data["TagSpecifications"] = specs
        else:
            template_data.pop("TagSpecifications", None)
        return original(self, name, description, template_data, tag_spec)

    create_launch_template._ack_patched = True  # type: ignore[attr-defined]
    LaunchTemplateBackend.create_launch_template = create_launch_template  # type: ignore[method-assign]
    return True


def _elbv2_load_balancer_keeps_prefix_for_ipv6_source_nat() -> bool:
    # moto 5.2.5 CreateLoadBalancer ignores EnablePrefixForIpv6SourceNat and never returns it. elbv2-controller
    # (>= v1.3.0; v1.5.1 here) copies the create and describe answers into the spec, then waits for that field in its
    # late initialization (pkg/resource/load_balancer/manager.go incompleteLateInitialization): without it a
    # LoadBalancer stays ACK.LateInitialized=False / ResourceSynced=False forever, and no Listener referencing it can
    # resolve. AWS answers the setting the load balancer was created with; so does moto with this patch (a load
    # balancer created without it still reports none: that case is the chart's to avoid, see docs/e2e.md).
    original = ELBV2Response.create_load_balancer
    if getattr(original, "_ack_patched", False) or "EnablePrefixForIpv6SourceNat" in inspect.getsource(original):
        return False

    def create_load_balancer(self: ELBV2Response) -> ActionResult:
        result = original(self)
        value = self._get_param("EnablePrefixForIpv6SourceNat")
        if value:
            name = self._get_param("Name")
            for balancer in self.elbv2_backend.load_balancers.values():
                if balancer.name == name:
                    balancer.enable_prefix_for_ipv6_source_nat = value
        return result

    create_load_balancer._ack_patched = True  # type: ignore[attr-defined]
    ELBV2Response.create_load_balancer = create_load_balancer  # type: ignore[method-assign]
    return True


def _iam_attached_policy_is_not_deleted() -> bool:
    # moto 5.2.5 deletes a managed policy that is still attached to a role (and leaves the attachment in the role).
    # AWS refuses with DeleteConflict ("Cannot delete a policy attached to entities.") until it is detached. The
    # difference stops the iam-controller: it deletes a Role by detaching each of its policies first, and moto
    # answers the detach of an already deleted policy with NoSuchEntity, forever, so the Role keeps its finalizer.
    # With AWS's rule the Policy's delete is retried until the Role is gone.
    original = IAMBackend.delete_policy
    if getattr(original, "_ack_patched", False) or "attachment_count" in inspect.getsource(original):
        return False

    def delete_policy(self, policy_arn):  # type: ignore[no-untyped-def]
        if self.get_policy(policy_arn).attachment_count > 0:
            raise DeleteConflictException("Cannot delete a policy attached to entities.")
        return original(self, policy_arn)

    delete_policy._ack_patched = True  # type: ignore[attr-defined]
    IAMBackend.delete_policy = delete_policy  # type: ignore[method-assign]
    return True


# How long the response of an SDK invocation is kept for a retried attempt of the same invocation.
REPLAY_TTL_SECONDS = 300.0


def _server_sdk_retry_gets_first_response() -> bool:
    # Under load, an ACK controller (aws-sdk-go-v2) now and then does not get the response of a request that moto has
    # already executed, and the SDK sends the request again (same amz-sdk-invocation-id, amz-sdk-request: attempt=2).
    # Seen in the e2e suite: CreateRoute executed, the retry answered RouteAlreadyExists, the create failed and the
    # RouteTable was orphaned in the VPC (whose deletion then failed forever); DeleteSecurityGroup executed, the retry
    # answered InvalidGroup.NotFound, which ec2-controller v1.19.0 never treats as "gone" (its sdkFind maps only
    # "UNKNOWN" to NotFound), so the finalizer stayed forever. A 1:1 replay of moto's own answer to the first attempt
    # gives the client what it missed, and makes every SDK invocation execute at most once, as a reachable AWS
    # endpoint would. Not replayed: answers the SDK itself retries on (5xx, 429), and requests without SDK headers.
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, "_ack_patched", False):
        return False
    lock = threading.Lock()
    answers: dict[str, tuple[float, str, list, bytes]] = {}

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation:
            return original(self, environ, start_response)
        attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "")
        if not attempt.startswith("attempt=1;"):
            with lock:
                first = answers.get(invocation)
            if first is not None:
                _, status, headers, body = first
                print(f"[moto] replayed the answer ({status}) to {invocation} for {attempt.split(';')[0]}", file=sys.stderr, flush=True)
                start_response(status, headers)
                return [body]
        captured: dict = {}

        def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            captured["status"], captured["headers"] = status, list(headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = original(self, environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        code = int(str(captured.get("status", "500")).split()[0])
        if code < 500 and code != 429:
            now = time.monotonic()
            with lock:
                answers[invocation] = (now, captured["status"], captured["headers"], body)
                if len(answers) > 2000:
                    for key in [k for k, v in answers.items() if now - v[0] > REPLAY_TTL_SECONDS]:
                        del answers[key]
        return [body]

    __call__._ack_patched = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
    return True


PATCHES: list[Patch] = [
    Patch("elasticache:DescribeEvents", "missing action; read path of ReplicationGroup and CacheSubnetGroup", _elasticache_describe_events),
    Patch("elasticache:DeleteCacheSubnetGroup", "missing action; CacheSubnetGroup deletion", _elasticache_delete_cache_subnet_group),
    Patch("elasticache:ModifyCacheSubnetGroup", "missing action; CacheSubnetGroup update", _elasticache_modify_cache_subnet_group),
    Patch(
        "elasticache:DeleteReplicationGroup-completes",
        "moto leaves a deleted group in status deleting forever",
        _elasticache_delete_replication_group_finishes,
    ),
    Patch("s3:GetBucketEncryption-default", "AWS reports SSE-S3 for every bucket without a configuration", _s3_default_bucket_encryption),
    Patch(
        "rds:touching-backup-and-maintenance-windows",
        "moto rejects a backup window that ends when the maintenance window starts; AWS accepts it",
        _rds_adjacent_windows_do_not_overlap,
    ),
    Patch(
        "ec2:DeleteSecurityGroup-referenced",
        "moto deletes a group another group's rule references; AWS answers DependencyViolation",
        _ec2_referenced_security_group_is_not_deleted,
    ),
    Patch(
        "ec2:DeleteSubnet-drops-route-table-association",
        "moto keeps a deleted subnet's route table association, so the route table can never be deleted",
        _ec2_delete_subnet_drops_route_table_association,
    ),
    Patch(
        "ec2:CreateLaunchTemplate-tags-not-in-data",
        "moto puts the launch template's own tags into its data; ec2-controller then creates a second version",
        _ec2_launch_template_tags_stay_out_of_the_data,
    ),
    Patch(
        "elbv2:CreateLoadBalancer-keeps-EnablePrefixForIpv6SourceNat",
        "moto drops the setting; elbv2-controller waits for it in late initialization, so no LoadBalancer syncs",
        _elbv2_load_balancer_keeps_prefix_for_ipv6_source_nat,
    ),
    Patch(
        "iam:DeletePolicy-attached",
        "moto deletes a policy a role still has attached; AWS answers DeleteConflict",
        _iam_attached_policy_is_not_deleted,
    ),
    Patch(
        "cognito-idp:ListTagsForResource,TagResource,UntagResource",
        "moto has no tag actions for user pools; cognitoidentityprovider-controller lists tags on every read (patches_cognito.py)",
        lambda: cognito_user_pool_tags(_add_action),
    ),
    Patch(
        "server:sdk-retry-gets-first-response",
        "a retried SDK attempt of an executed request gets the first answer instead of executing again",
        _server_sdk_retry_gets_first_response,
    ),
]


def apply_all() -> list[tuple[str, bool]]:
    """Apply every patch; returns (name, applied) pairs (False: moto already implements it)."""
    return [(p.name, p.apply()) for p in PATCHES]
