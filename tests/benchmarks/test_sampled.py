"""benchmarks/sampled.py: how sampled stacks are split between the SDK, its stack traces and the library."""

from benchmarks.sampled import report, summarise

RUN = (
    "<module> (run.py:1);run_program (irsa_components/offline/mocks.py:392);run_in_stack (pulumi/runtime/stack.py:254)"
)
MAIN = f"{RUN};main (irsa_components/stack/program.py:117);_service (irsa_components/stack/program.py:400)"
REGISTER = "Resource.__init__ (pulumi/resource.py:1000);register_resource (pulumi/runtime/resource.py:1120)"

RAW = [
    f"{MAIN};{REGISTER};_get_stack_trace (pulumi/runtime/resource.py:760);extract_stack (traceback.py:232) 7",
    f"{RUN};do_register (pulumi/runtime/resource.py:1180);resource_types (pulumi/_types.py:1136) 5",
    # the library's own code, and the standard library it calls: the library's
    f"{MAIN};check_role (irsa_components/core/validate.py:130) 3",
    f"{MAIN};to_json (irsa_components/core/documents.py:27);dumps (json/__init__.py:231) 2",
    # the SDK called from the library is the SDK's, even below a library frame
    f"{MAIN};{REGISTER};transfer_properties (pulumi/runtime/rpc.py:1190) 11",
    # a library callback run by the SDK, and the SDK below it again
    f"{RUN};Output.apply.<locals>.run (pulumi/output.py:300);<lambda> (irsa_components/components/_role.py:12) 4",
    f"{RUN};<lambda> (irsa_components/components/_role.py:12);Output.all (pulumi/output.py:640) 6",
    # outside the timed part: an executor thread, the imports
    "_bootstrap (threading.py:995);CloudMocks.new_resource (irsa_components/offline/mocks.py:200) 50",
    "<module> (run.py:30);<module> (irsa_components/__init__.py:1) 40",
    "",
]


def test_each_sample_goes_to_one_category_and_only_the_timed_part_counts() -> None:
    counts = summarise(RAW)
    assert counts == {"stack traces": 7, "annotations": 5, "library": 9, "SDK, rest": 17}


def test_report_gives_the_difference_and_its_share_of_the_gap() -> None:
    program = summarise(RAW)
    floor = summarise(RAW[:2] + RAW[4:5])  # stack traces 7, annotations 5, SDK 11: a gap of 15
    lines = report(program, floor).splitlines()
    library = next(line for line in lines if line.startswith("library"))
    assert library.split() == ["library", "9", "0", "9", "60%"]
    assert lines[-1].split() == ["total", "38", "23", "15"]
