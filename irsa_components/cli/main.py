"""``irsa``: the offline access plan, its semantic diff, and trust explanations.

Exit status: 0 fine; 1 ``diff --fail-on-widening`` found widening / ``explain`` says denied;
2 bad input (config problems, unreadable files), every problem listed.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..core.errors import InputError, Problem
from .addons import app as addons_app
from .output import EXIT_FINDINGS, EXIT_INPUT, console, fail, fail_program, write_text

app = typer.Typer(
    name="irsa",
    help="Offline views of the stack's workload identities: access plan, security diff, trust explanation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(addons_app)


class PlanFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class DiffFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    html = "html"


class GroupBy(StrEnum):
    namespace = "namespace"
    team = "team"
    none = "none"


GroupOption = Annotated[
    GroupBy, typer.Option("--group-by", help="Graph (markdown, html): group services by namespace or team tag.")
]
MaxNodesOption = Annotated[
    Optional[int],
    typer.Option(
        "--max-nodes", min=1, help="Graph (markdown, html): draw at most about this many nodes (default 60; html 400)."
    ),
]


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"


def _read(path: Path) -> str:
    """The file's text; InputError naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(str(path), "(file)", None, exc.strerror or str(exc))]) from None


def _html(render: Callable[[], str], command: str) -> str:
    """The HTML report, or exit 2 naming what to install when Graphviz is missing."""
    from .graphviz import GraphvizMissing

    try:
        return render()
    except GraphvizMissing as exc:
        fail([Problem(command, "--format", "html", str(exc))], "Cannot write the HTML report")


@app.command()
def plan(
    stack: Annotated[
        Optional[str],
        typer.Option(
            "--stack", "-s", help="Stack name (reads Pulumi.<stack>.yaml from the project's stack config dir)."
        ),
    ] = None,
    config_file: Annotated[
        Optional[Path], typer.Option("--config-file", "-c", help="A stack-style YAML file (config: at the top).")
    ] = None,
    project_dir: Annotated[
        Path,
        typer.Option(
            "--project-dir", "-p", help="Directory of Pulumi.yaml. Without irsa: config, its main is the program."
        ),
    ] = Path("."),
    program: Annotated[
        Optional[str],
        typer.Option("--program", help="Run this program instead: module:function (importable from --project-dir)."),
    ] = None,
    format: Annotated[
        PlanFormat, typer.Option("--format", "-f", metavar="FORMAT", help="Output format: table, json or markdown.")
    ] = PlanFormat.table,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    group_by: GroupOption = GroupBy.namespace,
    max_nodes: MaxNodesOption = None,
) -> None:
    """Run the stack program, or your own, offline: who can assume which role, with what permissions."""
    from ..plan.model import plan_to_json
    from ..plan.run import StackSource, plan_stack
    from .render_graph import plan_mermaid
    from .render_plan import plan_markdown, print_plan

    if (stack is None) == (config_file is None):
        fail(
            [
                Problem(
                    "irsa plan", "--stack/--config-file", None, "give exactly one of --stack NAME or --config-file FILE"
                )
            ],
            "Usage error",
        )
    source = StackSource(project_dir=project_dir, stack=stack, config_file=config_file, program=program)
    try:
        result = plan_stack(source)
    except InputError as exc:
        fail(exc.problems, f"Invalid stack config ({stack or config_file})")
    except Exception as exc:  # the user's own program failed: say what and where, no traceback
        fail_program(exc, f"The program of stack {stack or config_file} failed")
    if format is PlanFormat.json:
        write_text(plan_to_json(result), output)
    elif format is PlanFormat.markdown:
        write_text(plan_markdown(result, plan_mermaid(result, group_by.value, max_nodes)), output)
    elif format is PlanFormat.html:
        from .render_graph import plan_report

        write_text(_html(lambda: plan_report(result, group_by.value, max_nodes), "irsa plan"), output)
    elif output is None:
        print_plan(result, console())
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as handle:
            print_plan(result, console(handle))


@app.command()
def diff(
    base: Annotated[Path, typer.Argument(help="The plan before the change (irsa plan --format json).")],
    head: Annotated[Path, typer.Argument(help="The plan after the change.")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.markdown,
    fail_on_widening: Annotated[
        bool, typer.Option("--fail-on-widening", help="Exit 1 when any change widens access.")
    ] = False,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    group_by: GroupOption = GroupBy.namespace,
    max_nodes: MaxNodesOption = None,
) -> None:
    """Semantic security difference of two plans: widening, narrowing and neutral changes."""
    from ..plan.diff import diff_plans
    from ..plan.model import plan_from_json
    from .render_diff import diff_json, diff_markdown

    problems: list[Problem] = []
    plans = []
    for path in (base, head):
        try:
            plans.append(plan_from_json(_read(path), str(path)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        fail(problems, "Cannot read the plans")
    result = diff_plans(plans[0], plans[1], str(base), str(head))
    if format is DiffFormat.json:
        write_text(diff_json(result), output)
    elif format is DiffFormat.html:
        from .render_graph import diff_report

        write_text(
            _html(lambda: diff_report(plans[0], plans[1], result, group_by.value, max_nodes), "irsa diff"), output
        )
    else:
        from .render_graph import diff_mermaid

        write_text(diff_markdown(result, diff_mermaid(plans[0], plans[1], result, group_by.value, max_nodes)), output)
    if fail_on_widening and result.widening:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def explain(
    trust_policy: Annotated[
        Path,
        typer.Option(
            "--trust-policy",
            "-t",
            help="`aws iam get-role` output, a policy document, or a plan JSON (with --service).",
        ),
    ],
    namespace: Annotated[Optional[str], typer.Option("--namespace", "-n", help="Namespace of the pod.")] = None,
    service_account: Annotated[
        Optional[str], typer.Option("--service-account", "-a", help="ServiceAccount of the pod.")
    ] = None,
    issuer: Annotated[Optional[str], typer.Option("--issuer", help="IRSA: the cluster's OIDC issuer URL.")] = None,
    audience: Annotated[
        Optional[str], typer.Option("--audience", help="IRSA: the token audience (default sts.amazonaws.com).")
    ] = None,
    provider_arn: Annotated[
        Optional[str], typer.Option("--provider-arn", help="IRSA: the IAM OIDC provider ARN (default: from the trust).")
    ] = None,
    pod_identity: Annotated[
        bool, typer.Option("--pod-identity", help="Explain EKS Pod Identity instead of IRSA.")
    ] = False,
    cluster_name: Annotated[
        Optional[str], typer.Option("--cluster-name", help="Pod Identity: EKS cluster name.")
    ] = None,
    cluster_arn: Annotated[Optional[str], typer.Option("--cluster-arn", help="Pod Identity: EKS cluster ARN.")] = None,
    account: Annotated[
        Optional[str], typer.Option("--account", help="Pod Identity: the cluster's (association's) account ID.")
    ] = None,
    region: Annotated[
        Optional[str], typer.Option("--region", help="Pod Identity: region, to build the cluster ARN from its name.")
    ] = None,
    no_session_tags: Annotated[
        bool, typer.Option("--no-session-tags", help="Pod Identity: the association disables session tags.")
    ] = False,
    service: Annotated[Optional[str], typer.Option("--service", help="With a plan: the service key.")] = None,
    cluster: Annotated[
        Optional[str], typer.Option("--cluster", help="With a plan: a cluster key, filling issuer / cluster ARN.")
    ] = None,
    format: Annotated[ExplainFormat, typer.Option("--format", "-f", help="Output format.")] = ExplainFormat.text,
) -> None:
    """Would STS let this workload assume the role? If not, which condition fails and why."""
    from ..plan.explain import (
        explain_chained_pod_identity,
        explain_pod_identity,
        explain_web_identity,
        read_trust_source,
    )
    from .render_explain import explanation_json, print_explanation

    try:
        source = read_trust_source(_read(trust_policy), str(trust_policy), service)
    except InputError as exc:
        fail(exc.problems, "Cannot read the trust policy")
    chain = None
    if source.plan is not None and source.service is not None:
        svc = source.plan.services[source.service]
        chain = svc.association_role
        if svc.identity == "pod-identity" and issuer is None and provider_arn is None:
            pod_identity = True  # the service's only mechanism
        namespace = namespace or svc.namespace
        service_account = service_account or svc.service_account
        audience = audience or svc.token_audience
        account = account or source.plan.account
        if cluster is not None:
            known = source.plan.clusters.get(cluster)
            if known is None:
                fail(
                    [
                        Problem(
                            "plan",
                            "--cluster",
                            cluster,
                            f"is not a cluster of the plan ({', '.join(source.plan.clusters)})",
                        )
                    ],
                    "Usage error",
                )
            issuer = issuer or known.issuer_url
            cluster_arn = cluster_arn or known.arn
            associations = [a for a in svc.kubernetes.pod_identity_associations if a.cluster == cluster]
            if pod_identity and associations and not associations[0].session_tags:
                no_session_tags = True  # as the service's association on that cluster
    elif cluster is not None:
        fail([Problem("irsa explain", "--cluster", cluster, "needs a plan as --trust-policy")], "Usage error")

    problems: list[Problem] = []
    if not namespace:
        problems.append(Problem("irsa explain", "--namespace", None, "is required"))
    if not service_account:
        problems.append(Problem("irsa explain", "--service-account", None, "is required"))
    if pod_identity:
        if not (cluster_name or cluster_arn):
            problems.append(
                Problem("irsa explain", "--cluster-name/--cluster-arn", None, "one is required with --pod-identity")
            )
        if not account:
            problems.append(Problem("irsa explain", "--account", None, "is required with --pod-identity"))
    elif not issuer:
        problems.append(Problem("irsa explain", "--issuer", None, "is required (or --pod-identity)"))
    if problems:
        fail(problems, "Usage error")
    assert namespace is not None and service_account is not None
    if pod_identity and chain is not None:
        assert account is not None
        result = explain_chained_pod_identity(
            source.document,
            association_role_arn=chain.arn,
            association_document=chain.trust_policy,
            account=account,
            namespace=namespace,
            service_account=service_account,
            cluster_arn=cluster_arn,
            cluster_name=cluster_name,
            region=region,
            session_tags=not no_session_tags,
        )
    elif pod_identity:
        assert account is not None
        result = explain_pod_identity(
            source.document,
            account=account,
            namespace=namespace,
            service_account=service_account,
            cluster_arn=cluster_arn,
            cluster_name=cluster_name,
            region=region,
            session_tags=not no_session_tags,
        )
    else:
        assert issuer is not None
        result = explain_web_identity(
            source.document,
            issuer=issuer,
            namespace=namespace,
            service_account=service_account,
            audience=audience or "sts.amazonaws.com",
            provider_arn=provider_arn,
            role_arn=source.role_arn,
        )
    if format is ExplainFormat.json:
        write_text(explanation_json(result), None)
    else:
        print_explanation(result, console())
    if not result.allowed:
        raise typer.Exit(EXIT_FINDINGS)


__all__ = ["EXIT_INPUT", "app"]
