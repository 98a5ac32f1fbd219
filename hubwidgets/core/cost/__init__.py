"""What serving costs: hardware and token prices as DataFrames, and cost estimates per option.

- :func:`hardware_prices`, :func:`provider_prices` (:mod:`.prices`): dated, sourced price tables;
- :class:`Workload`, :func:`estimate_cost`, :func:`endpoint_cost` (:mod:`.estimate`): dedicated
  endpoints, serverless providers and this machine, with the cheapest and the break-even;
- :func:`deploy_snippets` (:mod:`.snippets`): code to run or deploy a model;
- :func:`record_usage`, :func:`usage` (:mod:`.ledger`): the ledger of remote spend;
- :class:`Budget`, :func:`use_budget`, :func:`active_budget` (:mod:`.budget`): a monthly budget.
"""

from .budget import Budget, BudgetExceededError, active_budget, use_budget
from .estimate import (
    ESTIMATE_COLUMNS,
    Workload,
    cost_at_volumes,
    endpoint_cost,
    estimate_cost,
)
from .ledger import USAGE_COLUMNS, record_usage, set_usage_path, usage
from .prices import (
    HARDWARE_COLUMNS,
    PROVIDER_COLUMNS,
    accelerator_specs,
    hardware_prices,
    provider_prices,
)
from .snippets import SNIPPET_COLUMNS, deploy_snippets

__all__ = [
    "ESTIMATE_COLUMNS",
    "HARDWARE_COLUMNS",
    "PROVIDER_COLUMNS",
    "SNIPPET_COLUMNS",
    "USAGE_COLUMNS",
    "Budget",
    "BudgetExceededError",
    "Workload",
    "accelerator_specs",
    "active_budget",
    "cost_at_volumes",
    "deploy_snippets",
    "endpoint_cost",
    "estimate_cost",
    "hardware_prices",
    "provider_prices",
    "record_usage",
    "set_usage_path",
    "usage",
    "use_budget",
]
