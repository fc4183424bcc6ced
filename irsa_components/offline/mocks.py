"""SDK mocks that answer like AWS accounts whose unknown values are clear placeholders.

The default AWS provider answers as the stack's account (``aws:allowedAccountIds`` with one entry, else
``<account-id>``); an explicit provider that assumes a role answers as that role's account, so the
roles and OIDC providers a stack creates in its other accounts carry those accounts' ARNs.
"""

import asyncio
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
from pulumi.runtime import mocks as sdk_mocks
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import SETTINGS, set_root_resource
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from .. import gc_policy
from ..core.arns import ACCOUNT_RE, partition_for_region
from ..core.errors import InputError, Problem
from ..core.names import stable_hash
from ..core.trust import issuer_host

PLACEHOLDER_ACCOUNT = "<account-id>"
"""Account ID shown when the config does not give one (as many characters as a real one)."""

PLACEHOLDER_PATTERN = re.compile(r"<account-id>|<issuer-id:[^>]*>|<endpoint-of-[^>]*>|\[secret\]")
"""Matches every placeholder the offline run shows for a value only the cloud (or a secret) knows."""


def placeholder_issuer_url(region: str, cluster_name: str) -> str:
    """Issuer URL shown for an EKS cluster whose issuer was not given in config."""
    return f"https://oidc.eks.{region}.amazonaws.com/id/<issuer-id:{cluster_name}>"


@dataclass(frozen=True)
class Registration:
    """One resource registration as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    state: dict[str, Any]
    id: Optional[str]
    protect: bool
    retain_on_delete: bool
    provider: str
    providers: dict[str, str]
    aliases: tuple[str, ...]
    dependencies: tuple[str, ...]
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Invoke:
    token: str
    args: dict[str, Any]
    provider: str


@dataclass
class Simulation:
    """What a program registered, invoked and exported under the mocks."""

    resources: list[Registration] = field(default_factory=list)
    invokes: list[Invoke] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def by_urn(self, urn: str) -> Registration:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def named(self, type_: str, name: str) -> Registration:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        raise KeyError(f"{type_} {name}")

    def children(self, parent_urn: str) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent_urn]


class CloudMocks(sdk_mocks.Mocks):
    """Answers invokes and computes resource outputs like AWS would, with placeholders for the unknown."""

    def __init__(self, config: Mapping[str, str]) -> None:
        self.region = config.get("aws:region") or "us-east-1"
        allowed = _json_list(config.get("aws:allowedAccountIds"))
        self.account = allowed[0] if len(allowed) == 1 else PLACEHOLDER_ACCOUNT
        self.provider_regions: dict[str, str] = {}
        self.provider_accounts: dict[str, str] = {}
        """The account each explicit AWS provider answers as, by provider URN (see ``register_provider``)."""
        # The SDK registers resources from a thread pool; each thread hands its inputs to the monitor.
        self.last_inputs = threading.local()
        self.invokes: list[Invoke] = []

    def _provider_region(self, provider: Optional[str]) -> str:
        if not provider:
            return self.region
        urn = provider.rsplit("::", 1)[0]
        return self.provider_regions.get(urn, self.region)

    def _provider_account(self, provider: Optional[str]) -> str:
        """The account a resource or invoke of ``provider`` (``<urn>::<id>``) lands in: the stack's by default."""
        if not provider:
            return self.account
        return self.provider_accounts.get(provider.rsplit("::", 1)[0], self.account)

    def register_provider(self, urn: str, state: Mapping[str, Any]) -> None:
        """Remember an explicit AWS provider's region and account (called once it is registered).

        A provider that assumes a role answers as that role's account (``assumeRoles[0].roleArn``); one
        that names exactly one ``allowedAccountIds`` as that account; any other as the stack's account.
        A role ARN whose account cannot be read gives the placeholder: the account is then unknown.
        """
        self.provider_regions[urn] = str(state.get("region") or self.region)
        account = _assumed_account(state.get("assumeRoles"))
        if account is None:
            allowed = _json_list(_as_text(state.get("allowedAccountIds")))
            account = allowed[0] if len(allowed) == 1 else None
        if account is not None:
            self.provider_accounts[urn] = account

    def call(self, args: sdk_mocks.MockCallArgs) -> tuple[dict[str, Any], Optional[list[tuple[str, str]]]]:
        self.invokes.append(Invoke(args.token, dict(args.args), args.provider))
        region = self._provider_region(args.provider)
        partition = partition_for_region(region)
        account = self._provider_account(args.provider)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": account,
                "arn": f"arn:{partition}:iam::{account}:user/offline",
                "userId": "OFFLINE",
                "id": account,
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
            return {
                "partition": partition,
                "dnsSuffix": suffix,
                "id": partition,
                "reverseDnsPrefix": "cn.com.amazonaws" if partition == "aws-cn" else "com.amazonaws",
            }, []
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "region": region,
                "name": region,
                "id": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            }, []
        if args.token == "aws:eks/getCluster:getCluster":
            name = str(args.args.get("name"))
            return {
                "name": name,
                "id": name,
                "arn": f"arn:{partition}:eks:{region}:{account}:cluster/{name}",
                "endpoint": f"https://<endpoint-of-{name}>.eks.amazonaws.com",
                "certificateAuthorities": [{"data": "PENBLWRhdGEtb2YtY2x1c3Rlcj4="}],
                "identities": [{"oidcs": [{"issuer": placeholder_issuer_url(region, name)}]}],
                "version": "1.33",
                "status": "ACTIVE",
            }, []
        return {}, []

    def new_resource(self, args: sdk_mocks.MockResourceArgs) -> tuple[Optional[str], dict[str, Any]]:
        self.last_inputs.value = args.inputs
        inputs = dict(args.inputs)
        region = self._provider_region(args.provider)
        partition = partition_for_region(region)
        account = self._provider_account(args.provider)
        t = args.typ
        if t.startswith("pulumi:providers:"):
            if t == "pulumi:providers:aws":
                inputs.setdefault("region", self.region)
            return f"{args.name}-provider-id", inputs
        if t == "aws:iam/role:Role":
            name = inputs.get("name") or args.name
            path = inputs.get("path") or "/"
            return name, {
                **inputs,
                "name": name,
                "arn": f"arn:{partition}:iam::{account}:role{path}{name}",
                "uniqueId": "AROA" + stable_hash(name, 17).upper(),
            }
        if t == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            arn = f"arn:{partition}:iam::{account}:oidc-provider/{issuer_host(str(inputs.get('url', '')))}"
            return arn, {**inputs, "arn": arn}
        if t == "aws:iam/policy:Policy":
            name = inputs.get("name") or args.name
            arn = f"arn:{partition}:iam::{account}:policy{inputs.get('path') or '/'}{name}"
            return arn, {**inputs, "arn": arn, "policyId": "ANPA" + stable_hash(name, 17).upper()}
        if t == "aws:eks/podIdentityAssociation:PodIdentityAssociation":
            assoc_id = "a-" + stable_hash(
                f"{inputs.get('clusterName')}/{inputs.get('namespace')}/{inputs.get('serviceAccount')}", 17
            )
            arn = (
                f"arn:{partition}:eks:{region}:{account}:podidentityassociation/{inputs.get('clusterName')}/{assoc_id}"
            )
            return assoc_id, {
                **inputs,
                "associationArn": arn,
                "associationId": assoc_id,
                "externalId": stable_hash(arn, 32),
            }
        if t == "aws:s3/bucket:Bucket" or t == "aws:s3/bucketV2:BucketV2":
            bucket = inputs.get("bucket") or args.name
            return bucket, {
                **inputs,
                "bucket": bucket,
                "arn": f"arn:{partition}:s3:::{bucket}",
                "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
            }
        if t == "eks:index:Cluster":  # pulumi-eks (examples/new-cluster)
            name = inputs.get("name") or args.name
            issuer = placeholder_issuer_url(region, name)
            return name, {
                **inputs,
                "oidcIssuer": issuer_host(issuer),
                "oidcProviderUrl": issuer_host(issuer),
                "oidcProviderArn": f"arn:{partition}:iam::{account}:oidc-provider/{issuer_host(issuer)}",
                "kubeconfigJson": json.dumps({"apiVersion": "v1", "kind": "Config", "clusters": []}),
                "clusterSecurityGroupId": "sg-offline",
            }
        if t.startswith("kubernetes:"):
            meta = inputs.get("metadata") or {}
            ident = f"{meta.get('namespace', 'default')}/{meta.get('name', args.name)}"
            return ident, inputs
        return f"{args.name}-id", inputs


def _as_text(value: Any) -> Optional[str]:
    """A provider input as the engine passes it: nested values of provider config arrive as JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _assumed_account(value: Any) -> Optional[str]:
    """The account of the first role in a provider's ``assumeRoles`` (None: the provider assumes no role)."""
    roles: Any = value
    if isinstance(value, str):
        try:
            roles = json.loads(value)
        except json.JSONDecodeError:
            return PLACEHOLDER_ACCOUNT
    if not isinstance(roles, list) or not roles:
        return None
    first = roles[0]
    role_arn = first.get("roleArn", first.get("role_arn")) if isinstance(first, Mapping) else None
    if not role_arn:
        return None
    parts = str(role_arn).split(":")
    account = parts[4] if len(parts) >= 6 and parts[0] == "arn" else ""
    return account if ACCOUNT_RE.match(account) else PLACEHOLDER_ACCOUNT


def _json_list(value: Optional[str]) -> list[str]:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return [value]
    return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]


class RecordingMonitor(sdk_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping what the real engine would receive (parents, options)."""

    def __init__(self, mocks: CloudMocks) -> None:
        super().__init__(mocks)
        self.cloud = mocks
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}
        self.stack_urn = ""
        self.engine_types: dict[str, str] = {}
        """The URN type the engine gives each resource (its ancestors' types and its own), by the mocks' URN."""
        self.engine_urns: set[tuple[str, str]] = set()
        self._names = threading.Lock()  # the SDK registers from several threads

    def _check_unique(self, request: Any) -> None:
        """Refuse a second resource with the URN of an earlier one, as the engine does.

        The SDK's mock monitor puts only the parent's own type in a URN; the engine chains every
        ancestor's type. This tells resources apart exactly as the engine does.
        """
        parent = self.engine_types.get(request.parent) if request.parent else None
        urn_type = f"{parent}${request.type}" if parent else request.type
        key = (urn_type, request.name)
        with self._names:
            taken = key in self.engine_urns
            self.engine_urns.add(key)
        if taken:
            raise InputError(
                [
                    Problem(
                        f"{request.type} {request.name!r}",
                        "(name)",
                        f"{urn_type}::{request.name}",
                        "is registered twice: two resources of one type under parents of the same types have this "
                        "name, and the Pulumi engine refuses duplicate URNs; give one of their components another name",
                    )
                ]
            )

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self._check_unique(request)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        parent_type = self.engine_types.get(request.parent) if request.parent else None
        self.engine_types[response.urn] = f"{parent_type}${request.type}" if parent_type else request.type
        # The base monitor already deserialized the inputs for the mocks (same thread): reuse them.
        inputs = self.cloud.last_inputs.value
        registered = self.resources.get(response.urn)
        state = dict(registered.state) if registered else {}
        if request.type == "pulumi:providers:aws":
            self.cloud.register_provider(response.urn, state)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                inputs=dict(inputs),
                state=state,
                id=registered.id if registered else None,
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                provider=request.provider,
                providers=dict(request.providers),
                aliases=tuple(a.urn or a.spec.name for a in request.aliases),
                dependencies=tuple(request.dependencies),
                property_dependencies={k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn == self.stack_urn:
            self.stack_outputs = dict(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


def run_program(
    program: Callable[[], None],
    *,
    config: Mapping[str, str],
    project: str = "irsa",
    stack: str = "dev",
    secret_keys: Optional[list[str]] = None,
    source_positions: bool = False,
) -> Simulation:
    """Run ``program`` as ``pulumi up`` would (not a preview: every apply runs), fully offline.

    ``source_positions``: capture the stack trace of every registration as the SDK does for the engine
    (a fifth of the SDK's time, and meaningless offline); the benchmarks turn it on to measure faithfully.
    """
    mocks = CloudMocks(config)
    monitor = RecordingMonitor(mocks)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_all_config(dict(config), secret_keys or [])
    sdk_mocks.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    set_root_resource(None)  # type: ignore[arg-type]  # run_in_stack creates the real root stack
    capture = sdk_resource._get_stack_trace
    if not source_positions:
        sdk_resource._get_stack_trace = source_pb2.StackTrace
    _quiet_input_errors(_ensure_event_loop())  # type: ignore[no-untyped-call]
    try:
        with gc_policy.applied():  # the collector as under `pulumi up` (irsa_components/gc_policy.py)
            _sync_await(run_in_stack(program))
    except BaseException as exc:
        # What got registered before the failure: tests assert that bad input registers nothing.
        simulation = _simulation(monitor, mocks)
        exc.simulation = simulation  # type: ignore[attr-defined]
        cause = _input_error_in(exc)
        if cause is not None and cause is not exc:
            # Raised where a value became known (inside an apply): the SDK wraps it in "While processing
            # input ..." errors; the input problems are what the caller needs.
            cause.simulation = simulation  # type: ignore[attr-defined]
            raise cause from None
        raise
    finally:
        sdk_resource._get_stack_trace = capture
        set_root_resource(None)  # type: ignore[arg-type]
    return _simulation(monitor, mocks)


def _quiet_input_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Input problems are raised to the caller once; the futures the SDK left holding them stay quiet.

    A failed registration leaves the SDK's other futures holding the same exception, and asyncio logs
    each one it collects ("Future exception was never retrieved") with its traceback.
    """
    if getattr(loop, "_irsa_quiet", False):
        return

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException) and _input_error_in(exc) is not None:
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    loop._irsa_quiet = True  # type: ignore[attr-defined]


def _input_error_in(exc: BaseException) -> Optional[InputError]:
    """The InputError an exception was raised for (anywhere in its cause and context chains), if any."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, InputError):
            return current
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return None


def _simulation(monitor: RecordingMonitor, mocks: CloudMocks) -> Simulation:
    return Simulation(resources=list(monitor.registrations), invokes=list(mocks.invokes), outputs=monitor.stack_outputs)
