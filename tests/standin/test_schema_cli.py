"""The real CLI ($IRSA_PULUMI) takes the stand-in's schema: it binds, packages that use it bind, SDKs generate.

The stand-in plugin serves its generated schema (GetSchema); the CLI binds it alone, as the aws
dependency of the component package (provider/), as the aws dependency of a package that uses every
type the stand-in serves (whose TypeScript SDK then compiles against @pulumi/aws from npm), and for a
Pulumi YAML program. Each run has a fresh PULUMI_HOME: the CLI caches schemas there by name and version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from tests.fixtures import automation as engine
from tests.fixtures.aws_provider.package_schema import package_schema
from tests.fixtures.aws_provider.resources import HANDLERS
from tests.fixtures.aws_provider.schema import PULUMI_AWS_VERSION
from tests.fixtures.moto_server import MotoServer

from .cli_support import (
    Cli,
    build_codegen_host,
    errors,
    forget_yaml_schema_cache,
    npm_modules,
    tsc,
    write_yaml_project,
)

STANDIN_PLUGIN = engine.BIN / "pulumi-resource-aws"
COMPONENT_PLUGIN = engine.BIN / "pulumi-resource-irsa-components"
PROVIDER = "pulumi:providers:aws"
AWS_REF = re.compile(r"/aws/v([^/]+)/schema\.json#/resources/([^\"]+)")


@pytest.fixture
def cli(pulumi_cli: Path, tmp_path: Path) -> Cli:
    return Cli(pulumi_cli, tmp_path)


@pytest.fixture(scope="session")
def codegen_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_codegen_host(tmp_path_factory.mktemp("codegen"))


@pytest.fixture
def gen_cli(pulumi_cli: Path, tmp_path: Path, codegen_bin: Path) -> Cli:
    return Cli(pulumi_cli, tmp_path, (codegen_bin,))


def _camel(token: str) -> str:
    name = token.rsplit(":", 1)[1]
    return name[0].lower() + name[1:]


def _ref(token: str) -> dict[str, str]:
    return {"$ref": f"/aws/v{PULUMI_AWS_VERSION}/schema.json#/resources/{quote(token, safe=':')}"}


def consumer_schema() -> dict[str, Any]:
    """A component package with an output of every resource type the stand-in serves, and a provider input."""
    outputs = {_camel(token): _ref(token) for token in sorted(HANDLERS)}
    return {
        "name": "standin-consumer",
        "version": "0.0.1",
        "dependencies": [{"name": "aws", "version": PULUMI_AWS_VERSION}],
        "resources": {
            "standin-consumer:index:Everything": {
                "isComponent": True,
                "type": "object",
                "properties": {**outputs, "awsProvider": _ref(PROVIDER)},
                "required": sorted(outputs),
                "inputProperties": {"role": _ref("aws:iam/role:Role"), "awsProvider": _ref(PROVIDER)},
            }
        },
    }


def test_the_cli_gets_the_schema_the_stand_in_generates(cli: Cli) -> None:
    result = cli.run("package", "get-schema", STANDIN_PLUGIN)
    assert result.returncode == 0, errors(result)
    assert json.loads(result.stdout) == package_schema()


def test_the_schema_passes_the_cli_schema_check(cli: Cli) -> None:
    result = cli.run("schema", "check", "--allow-dangling-references", STANDIN_PLUGIN)
    assert result.returncode == 0, errors(result)


def test_its_only_dangling_references_are_the_role_token_type(cli: Cli) -> None:
    # pulumi-aws's own schema refers to aws:iam/role:Role as a type (a role name may be a Role) and
    # declares no such type: the CLI binds it as a token type, only a strict check refuses it.
    result = cli.run("schema", "check", STANDIN_PLUGIN)
    problems = [line for line in errors(result).splitlines() if "not found in package" in line]
    assert result.returncode != 0 and problems, errors(result)
    assert all(line.endswith("type aws:iam/role:Role not found in package aws") for line in problems), problems
    assert all("/role/oneOf/1/$ref" in line for line in problems), problems


def test_the_component_package_schema_binds_with_the_stand_in_as_its_aws(cli: Cli) -> None:
    result = cli.run("package", "get-schema", COMPONENT_PLUGIN)
    assert result.returncode == 0, errors(result)
    refs = {(version, unquote(token)) for version, token in AWS_REF.findall(result.stdout)}
    assert refs, "the component package refers to no aws resource types"
    assert {version for version, _ in refs} == {PULUMI_AWS_VERSION}
    assert {token for _, token in refs} <= set(HANDLERS) | {PROVIDER}


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    path = tmp_path / "consumer.json"
    path.write_text(json.dumps(consumer_schema()))
    return path


IMPORTS = {
    "nodejs": ("everything.ts", ['from "@pulumi/aws";', "pulumiAws.iam.Role", "pulumiAws.Provider"]),
    "python": ("pulumi_standin_consumer/everything.py", ["import pulumi_aws", "'pulumi_aws.iam.Role'"]),
    "go": ("standinconsumer/everything.go", ['"github.com/pulumi/pulumi-aws/sdk/v7/go/aws/iam"', "iam.RoleOutput"]),
}


@pytest.mark.parametrize("language", sorted(IMPORTS))
def test_sdks_of_a_package_using_every_served_type_generate(
    gen_cli: Cli, consumer: Path, tmp_path: Path, language: str
) -> None:
    out = tmp_path / "sdk"
    result = gen_cli.run("package", "gen-sdk", consumer, "--language", language, "--out", out)
    assert result.returncode == 0, errors(result)
    path, expected = IMPORTS[language]
    code = (out / language / path).read_text()
    for text in expected:
        assert text in code, f"{language}: {text!r} not in {path}"
    for token in HANDLERS:
        module, name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[1]
        assert f"{module}.{name}" in code, f"{language}: {token} is not {module}.{name}"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    return npm_modules()


def test_the_typescript_sdk_compiles_against_pulumi_aws_from_npm(
    gen_cli: Cli, consumer: Path, tmp_path: Path, node_modules: Path
) -> None:
    out = tmp_path / "sdk"
    result = gen_cli.run("package", "gen-sdk", consumer, "--language", "nodejs", "--out", out)
    assert result.returncode == 0, errors(result)
    sdk = out / "nodejs"
    compiled = tsc(sdk, node_modules)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    # The check has teeth: a type @pulumi/aws does not have fails it.
    (sdk / "everything.ts").write_text((sdk / "everything.ts").read_text().replace("iam.Role>", "iam.Rolee>"))
    broken = tsc(sdk, node_modules)
    assert broken.returncode != 0 and "Rolee" in broken.stdout, broken.stdout


@pytest.mark.parametrize("language", ["python", "go"])
def test_the_component_package_sdks_generate(gen_cli: Cli, tmp_path: Path, language: str) -> None:
    out = tmp_path / "sdk"
    result = gen_cli.run("package", "gen-sdk", COMPONENT_PLUGIN, "--language", language, "--out", out)
    assert result.returncode == 0, errors(result)
    path, expected = {
        "python": ("pulumi_irsa_components/irsa_role.py", "'pulumi_aws.iam.Role'"),
        "go": ("irsacomponents/irsaRole.go", '"github.com/pulumi/pulumi-aws/sdk/v7/go/aws/iam"'),
    }[language]
    assert expected in (out / language / path).read_text()


def test_the_component_package_typescript_sdk_generates_and_compiles(
    gen_cli: Cli, tmp_path: Path, node_modules: Path
) -> None:
    # A fresh PULUMI_HOME: the engine build's pulumi-kubernetes serves a schema without a version, and the
    # CLI gives it the requested version only when it loads it from the plugin, not from its schema cache
    # (then gen-sdk fails: "failed to parse package version 'v<nil>'"; see tests/fixtures/README.md).
    out = tmp_path / "sdk"
    result = gen_cli.run("package", "gen-sdk", COMPONENT_PLUGIN, "--language", "nodejs", "--out", out)
    assert result.returncode == 0, errors(result)
    code = (out / "nodejs" / "irsaRole.ts").read_text()
    assert 'import * as pulumiAws from "@pulumi/aws";' in code and "pulumiAws.iam.Role" in code
    compiled = tsc(out / "nodejs", node_modules)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


@pytest.fixture(scope="module")
def moto_for_yaml(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with MotoServer(log=tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server


def _yaml_config(moto: MotoServer) -> dict[str, str]:
    return {k: str(v.value) for k, v in engine.aws_config(moto.url).items()}


def _preview(cli: Cli, work: Path, log: Path) -> Any:
    forget_yaml_schema_cache()
    created = cli.run("stack", "init", "dev", cwd=work)
    assert created.returncode == 0, errors(created)
    return cli.run("preview", "--non-interactive", cwd=work, log=log)


@pytest.mark.xdist_group("yaml-host")  # the YAML host's schema cache beside tests/fixtures/bin: one worker
def test_a_yaml_program_of_the_component_resolves_its_types_and_previews(cli: Cli, moto_for_yaml: MotoServer) -> None:
    program = f"""name: yaml-consumer
runtime: yaml
plugins:
  providers:
    - name: irsa-components
      path: {engine.BIN}
resources:
  role:
    type: irsa-components:index:IrsaRole
    properties:
      roleName: payments-api
      oidcProviderArns: ["arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"]
      serviceAccounts: ["payments/api"]
outputs:
  arn: ${{role.arn}}
"""
    work = write_yaml_project(cli.root / "yaml", program, _yaml_config(moto_for_yaml))
    log = cli.root / "standin.log"
    result = _preview(cli, work, log)
    assert result.returncode == 0, errors(result)
    checks = [json.loads(line) for line in log.read_text().splitlines() if '"method": "Check"' in line]
    roles = [c for c in checks if c["detail"].split("::")[2].endswith("$aws:iam/role:Role")]
    assert roles and roles[0]["request"]["news"]["name"] == "payments-api"


@pytest.mark.xdist_group("yaml-host")
@pytest.mark.parametrize(
    ("properties", "complaint"),
    [
        ({"maxSessionDuration": "long"}, "maxSessionDuration: Cannot assign type 'string' to type 'integer'"),
        ({"inlinePolicies": [{"name": "x", "policy": "{}"}]}, "Property inlinePolicies does not exist"),
    ],
)
def test_yaml_checks_aws_properties_against_the_schema_before_the_provider_sees_them(
    cli: Cli, moto_for_yaml: MotoServer, properties: dict[str, Any], complaint: str
) -> None:
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    program = {
        "name": "yaml-aws",
        "runtime": "yaml",
        "resources": {"role": {"type": "aws:iam/role:Role", "properties": {"assumeRolePolicy": trust, **properties}}},
    }
    work = write_yaml_project(cli.root / "yaml", json.dumps(program), _yaml_config(moto_for_yaml))
    log = cli.root / "standin.log"
    result = _preview(cli, work, log)
    assert result.returncode != 0 and complaint in errors(result), errors(result)
    calls = [json.loads(line)["method"] for line in log.read_text().splitlines()] if log.exists() else []
    assert "Check" not in calls  # refused while type-checking the program, not by the stand-in
