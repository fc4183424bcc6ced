"""The SDK floor: register exactly what the stack program registered, with no library logic.

The same resource types, names, parents, inputs and invokes, created the way a hand-written Pulumi
program creates them (the provider SDKs' resource classes, a ComponentResource subclass per component
type) but with every value precomputed: what remains of a run's time is the cost of Pulumi itself.

With ``dependencies``, the replay also sends what the program's registrations told the engine about
each other: every input that depended on other resources is an Output of those resources (an ``apply``
on their URNs, as a hand-written program passes ``role.name`` on) and the remaining dependencies are
``depends_on``. Without them the floor is cheaper than any program the engine would take for the same
stack: it sends no dependency graph and waits for nothing.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Optional

import pulumi
from pulumi.runtime import invoke

from irsa_components.offline import Registration, Simulation
from irsa_components.stack.registrations import let_registrations_start
from irsa_components.stack.sdk_logs import quiet_sdk_registration_logs


class _Component(pulumi.ComponentResource):
    """A component with no logic: only its type token and name."""

    def __init__(self, t: str, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(t, name, None, opts)
        self.register_outputs({})


@cache
def resource_class(token: str) -> type[pulumi.CustomResource]:
    """``aws:iam/role:Role`` -> ``pulumi_aws.iam.Role``; ``kubernetes:core/v1:ServiceAccount`` -> ...core.v1."""
    package, module, name = token.split(":")
    if package == "pulumi" and module == "providers":
        return importlib.import_module(f"pulumi_{name}").Provider  # type: ignore[no-any-return]
    root = f"pulumi_{package}"
    parts = [] if module == "index" else module.split("/")
    for depth in (len(parts), 1, 0):  # kubernetes: core/v1 is a module path; aws: iam/role is iam + a file
        try:
            cls = getattr(importlib.import_module(".".join([root, *parts[:depth]])), name)
            return cls  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    raise LookupError(token)


def _is_custom(r: Registration) -> bool:
    """Whether ``r`` was a custom resource (a provider too), not a component."""
    return r.custom or r.type.startswith("pulumi:providers:")


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def replay_program(recorded: Simulation, dependencies: bool = False) -> Callable[[], None]:
    known = {r.urn for r in recorded.resources}

    def program() -> None:
        quiet_sdk_registration_logs()  # as the stack program does
        state = _Replay(dependencies)
        for call in recorded.invokes:
            invoke(call.token, dict(call.args))
        for r in recorded.resources:  # registration order: parents come first
            parent = state.created.get(r.parent) if r.parent in known else None
            inputs, opts = state.options(r, parent)
            resource: pulumi.Resource
            if _is_custom(r):
                # Registered here, not in a helper: the flat floor's stacks are as shallow as a loop's.
                resource = resource_class(r.type)(r.name, opts=opts, **{_snake(k): v for k, v in inputs.items()})
            else:
                resource = _Component(r.type, r.name, opts)
            state.add(r, resource)
        let_registrations_start()  # as the stack program does: the SDK's wait is otherwise quadratic

    return program


class _Replay:
    """What a replay has registered so far, and the options that send a registration as recorded."""

    def __init__(self, dependencies: bool) -> None:
        self.dependencies = dependencies
        self.created: dict[str, pulumi.Resource] = {}
        self.providers: dict[str, pulumi.ProviderResource] = {}
        """Provider references as recorded ("urn::id") to the replayed providers."""

    def options(
        self, r: Registration, parent: Optional[pulumi.Resource]
    ) -> tuple[dict[str, Any], pulumi.ResourceOptions]:
        inputs = {k: v for k, v in r.inputs.items() if k != "version"}
        depends_on: list[pulumi.Resource] = []
        if self.dependencies:
            carried: set[str] = set()
            for key, on in r.property_dependencies.items():
                sources = [self.created[u] for u in on if u in self.created]
                if key in inputs and sources:
                    inputs[key] = _depending(inputs[key], sources)
                    carried.update(on)
            depends_on = [self.created[u] for u in r.dependencies if u in self.created and u not in carried]
        opts = pulumi.ResourceOptions(
            parent=parent,
            depends_on=depends_on or None,
            provider=self.providers.get(r.provider),
            providers=[self.providers[p] for p in r.providers.values() if p in self.providers] or None,
        )
        return inputs, opts

    def add(self, r: Registration, resource: pulumi.Resource) -> None:
        self.created[r.urn] = resource
        if isinstance(resource, pulumi.ProviderResource):
            self.providers[f"{r.urn}::{r.id}"] = resource

    def custom(self, r: Registration, parent: Optional[pulumi.Resource]) -> None:
        inputs, opts = self.options(r, parent)
        self.add(r, resource_class(r.type)(r.name, opts=opts, **{_snake(k): v for k, v in inputs.items()}))


def _depending(value: Any, sources: list[pulumi.Resource]) -> pulumi.Output[Any]:
    """``value`` as an Output that depends on ``sources``, known once they are registered."""
    urns = [s.urn for s in sources]
    first = urns[0] if len(urns) == 1 else pulumi.Output.all(*urns)
    return first.apply(lambda _: value)


def replay_shaped(recorded: Simulation, component_classes: Mapping[str, type]) -> Callable[[], None]:
    """The replay in the program's shape, still with no library logic: the floor of any program built so.

    Each component is a class that declares the output annotations of the program's class for its type
    token (``component_classes``) and registers its children from its own constructor; a service's
    components are reached through two calls (the program's ``deploy`` and ``_service``). Inputs that
    depended on other resources are Outputs of them, as in ``replay_program(..., dependencies=True)``.
    What this costs beyond the flat replay is what the SDK charges for that shape (the annotations it
    reads on every registration, the deeper stacks it records), which no library code can save.
    """
    by_urn = {r.urn: r for r in recorded.resources}
    children: dict[str, list[Registration]] = {}
    for r in recorded.resources:
        children.setdefault(r.parent if r.parent in by_urn else "", []).append(r)
    top = _dependency_order(by_urn, children.get("", []))
    shaped = {t: _shaped_class(cls) for t, cls in component_classes.items()}

    def program() -> None:
        quiet_sdk_registration_logs()
        state = _Replay(dependencies=True)
        for call in recorded.invokes:
            invoke(call.token, dict(call.args))
        _deploy(state, top, children, shaped)
        let_registrations_start()

    return program


def _deploy(
    state: _Replay, top: list[Registration], children: Mapping[str, list[Registration]], shaped: Mapping[str, type]
) -> None:
    for r in top:
        _service(state, r, children, shaped)


def _service(
    state: _Replay, r: Registration, children: Mapping[str, list[Registration]], shaped: Mapping[str, type]
) -> None:
    parent = state.created.get(r.parent)
    if _is_custom(r):
        state.custom(r, parent)
    else:
        shaped.get(r.type, _ShapedComponent)(state, r, children, shaped, parent)


class _ShapedComponent(pulumi.ComponentResource):
    def __init__(
        self,
        state: _Replay,
        r: Registration,
        children: Mapping[str, list[Registration]],
        shaped: Mapping[str, type],
        parent: Optional[pulumi.Resource],
    ) -> None:
        _, opts = state.options(r, parent)
        super().__init__(r.type, r.name, None, opts)
        state.add(r, self)
        for child in children.get(r.urn, []):
            if _is_custom(child):
                state.custom(child, self)
            else:
                shaped.get(child.type, _ShapedComponent)(state, child, children, shaped, self)
        self.register_outputs({})


def _shaped_class(cls: type) -> type:
    """A ``_ShapedComponent`` declaring ``cls``'s annotations, in ``cls``'s module (where the SDK resolves them)."""
    return type(
        cls.__name__,
        (_ShapedComponent,),
        {"__annotations__": dict(inspect.get_annotations(cls)), "__module__": cls.__module__},
    )


SERVICE_COMPONENT = "irsa-benchmark:index:Service"
"""The one component per service of ``replay_regrouped`` (a type token of the benchmark's, not the library's)."""


def replay_regrouped(recorded: Simulation, per_service: bool) -> Callable[[], None]:
    """The program's cloud resources alone, under one component per service (``per_service``) or under none.

    Not a floor of this program: it registers fewer resources (2.5 or 3.5 fewer per service in the
    synthetic mix). It bounds any Pulumi Python program that creates the same cloud resources with the
    same inputs and dependencies, built of one component per service or of no components at all: the
    cheapest that such a program can be under this SDK, with no library code. benchmarks/run.py measures
    it beside the CDK peer, whose app registers no components either. A service is the top-level
    components joined by dependencies or by a shared ServiceAccount (``_services``): a role, its Pod
    Identity associations and its ServiceAccounts.
    """
    by_urn = {r.urn: r for r in recorded.resources}
    root_of = _roots(by_urn)
    service_of = _services(by_urn, root_of)
    top_custom = [r for r in recorded.resources if _is_custom(r) and root_of[r.urn] == r.urn]  # the providers
    members: dict[str, list[Registration]] = {}
    for r in recorded.resources:
        if _is_custom(r) and root_of[r.urn] in service_of:
            members.setdefault(service_of[root_of[r.urn]], []).append(r)

    def program() -> None:
        quiet_sdk_registration_logs()
        state = _Replay(dependencies=True)
        for call in recorded.invokes:
            invoke(call.token, dict(call.args))
        for r in top_custom:
            state.custom(r, None)
        for head, resources in members.items():
            parent = _Component(SERVICE_COMPONENT, by_urn[head].name, pulumi.ResourceOptions()) if per_service else None
            for r in resources:
                state.custom(r, parent)
        let_registrations_start()

    return program


def _roots(by_urn: Mapping[str, Registration]) -> dict[str, str]:
    """Each registration's top-level ancestor (itself when it has no recorded parent), by URN."""
    root_of: dict[str, str] = {}
    for urn in by_urn:
        u = urn
        while by_urn[u].parent in by_urn:
            u = by_urn[u].parent
        root_of[urn] = u
    return root_of


def _services(by_urn: Mapping[str, Registration], root_of: Mapping[str, str]) -> dict[str, str]:
    """The top-level components joined by their subtrees' dependencies, each mapped to the group's first one.

    Providers are left out: every ServiceAccount depends on its cluster's provider, which joins no services.
    A Pod Identity association names its ServiceAccount without depending on it, so the two are also
    joined by the account they share (namespace and name).
    """
    order = {u: i for i, u in enumerate(by_urn) if root_of[u] == u and not _is_custom(by_urn[u])}
    head = {u: u for u in order}

    def find(u: str) -> str:
        while head[u] != u:
            head[u] = head[head[u]]
            u = head[u]
        return u

    def join(a: str, b: str) -> None:
        first, second = sorted((find(a), find(b)), key=order.__getitem__)
        head[second] = first

    by_account: dict[tuple[Any, Any], str] = {}
    for r in by_urn.values():
        a = root_of[r.urn]
        if a not in order:
            continue
        for d in set(r.dependencies).union(*r.property_dependencies.values()):
            if root_of.get(d) in order:
                join(a, root_of[d])
        account = _service_account_of(r)
        if account is not None:
            join(a, by_account.setdefault(account, a))
    return {u: find(u) for u in order}


def _service_account_of(r: Registration) -> Optional[tuple[Any, Any]]:
    """The (namespace, name) of the ServiceAccount ``r`` is, or that it associates with a role; else None."""
    if r.type == "kubernetes:core/v1:ServiceAccount":
        metadata = r.inputs.get("metadata") or {}
        return (metadata.get("namespace"), metadata.get("name"))
    if r.type == "aws:eks/podIdentityAssociation:PodIdentityAssociation":
        return (r.inputs.get("namespace"), r.inputs.get("serviceAccount"))
    return None


def _dependency_order(by_urn: Mapping[str, Registration], top: list[Registration]) -> list[Registration]:
    """The top-level registrations, each after the subtrees its subtree depends on (the program's order did so)."""
    root_of = _roots(by_urn)
    needs: dict[str, set[str]] = {t.urn: set() for t in top}
    for r in by_urn.values():
        on = set(r.dependencies).union(*r.property_dependencies.values())
        on |= {p.rsplit("::", 1)[0] for p in (r.provider, *r.providers.values()) if p}  # "urn::id" references
        needs[root_of[r.urn]].update(root_of[u] for u in on if u in root_of and root_of[u] != root_of[r.urn])
    position = {t.urn: i for i, t in enumerate(top)}
    ordered: list[Registration] = []
    done: set[str] = set()

    def visit(t: Registration) -> None:
        if t.urn in done:
            return
        done.add(t.urn)
        for u in sorted(needs[t.urn], key=position.__getitem__):
            visit(by_urn[u])
        ordered.append(t)

    for t in top:
        visit(t)
    return ordered


def program_component_classes() -> dict[str, type]:
    """The library's component classes by type token (``irsa-components:index:<ClassName>``)."""
    import pkgutil

    import irsa_components.components as package

    classes: dict[str, type] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, pulumi.ComponentResource)
                and value.__module__ == module.__name__
            ):
                classes[f"irsa-components:index:{value.__name__}"] = value
    return classes
