"""The access plan of a stack, its semantic diff, and trust explanations: plain functions over plain data.

Only ``plan.run`` touches Pulumi (it runs the stack program under the SDK's mocks); everything else
reads and writes the :class:`~irsa_components.plan.model.Plan` model.
"""

from .model import FORMAT_VERSION, Plan, plan_from_data, plan_from_json, plan_to_json

__all__ = ["FORMAT_VERSION", "Plan", "plan_from_data", "plan_from_json", "plan_to_json"]
