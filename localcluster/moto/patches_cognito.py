"""moto patches for the Cognito user pool (cognitoidentityprovider-controller v1.3.1), kept apart from patches.py.

moto 5.2.5 has no ListTagsForResource, TagResource or UntagResource for cognito-idp. The controller lists a user
pool's tags on every read and tags it after creation (pkg/resource/user_pool/hooks.go), and returns the error, so no
UserPool could ever sync. The tags are kept where Cognito reports them too: the pool's ``UserPoolTags``.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.core.responses import ActionResult, EmptyResult
from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.responses import CognitoIdpResponse


def _pool_tags(response: CognitoIdpResponse) -> dict[str, Any]:
    """The UserPoolTags of the pool named by ResourceArn (created empty), or ResourceNotFoundException."""
    arn = response._get_param("ResourceArn")
    pool = next((p for p in response.backend.user_pools.values() if p.arn == arn), None)
    if pool is None:
        raise ResourceNotFoundError(arn)
    return pool.extended_config.setdefault("UserPoolTags", {})


def _list_tags_for_resource(self: CognitoIdpResponse) -> ActionResult:
    return ActionResult({"Tags": dict(_pool_tags(self))})


def _tag_resource(self: CognitoIdpResponse) -> ActionResult:
    _pool_tags(self).update(self._get_param("Tags") or {})
    return EmptyResult()


def _untag_resource(self: CognitoIdpResponse) -> ActionResult:
    tags = _pool_tags(self)
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return EmptyResult()


def cognito_user_pool_tags(add_action: Callable[[type, str, Callable], bool]) -> bool:
    """Adds the three tag actions; False when moto already has ListTagsForResource for cognito-idp."""
    added = [add_action(CognitoIdpResponse, name, fn) for name, fn in (
        ("list_tags_for_resource", _list_tags_for_resource),
        ("tag_resource", _tag_resource),
        ("untag_resource", _untag_resource),
    )]
    return any(added)
