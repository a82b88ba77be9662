"""Runtime patches that make moto usable as the backend of real ACK controllers.

Each patch fills a gap between what an ACK controller calls and what moto implements (checked against
moto 5.2.5, hack/moto/requirements.txt). moto finds an action handler with ``inspect.getmembers`` on the
response class at request time, so adding a method before the server starts is enough.

A patch that adds a missing action is skipped when the installed moto already implements that action,
so upgrading moto never silently replaces a real implementation. Every patch is documented, with the
ACK code that needs it, in docs/e2e.md ("moto patches").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from moto.core.responses import ActionResult, EmptyResult
from moto.elasticache import models as ec_models
from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
from moto.elasticache.responses import ElastiCacheResponse
from moto.s3 import models as s3_models


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
]


def apply_all() -> list[tuple[str, bool]]:
    """Apply every patch; returns (name, applied) pairs (False: moto already implements it)."""
    return [(p.name, p.apply()) for p in PATCHES]
