"""What serving costs: hardware and token prices as DataFrames, and cost estimates per option.

- :func:`hardware_prices`, :func:`provider_prices` (:mod:`.prices`): dated, sourced price tables;
- :class:`Workload`, :func:`estimate_cost`, :func:`endpoint_cost` (:mod:`.estimate`): dedicated
  endpoints, serverless providers and this machine, with the cheapest and the break-even;
- :func:`rank_options`, :func:`budget_fit` (:mod:`.options`): the estimate's options ranked
  per model and named, one weighed against a budget (what the CostWidget shows);
- :func:`deploy_snippets` (:mod:`.snippets`): code to run or deploy a model;
- :func:`record_usage`, :func:`usage` (:mod:`.ledger`): the ledger of remote spend;
- :class:`Budget`, :func:`use_budget`, :func:`active_budget` (:mod:`.budget`): a monthly budget.
"""

from .budget import Budget, BudgetExceededError, active_budget, as_budget, use_budget
from .estimate import (
    ESTIMATE_COLUMNS,
    Workload,
    as_workload,
    cost_at_volumes,
    endpoint_cost,
    estimate_cost,
)
from .ledger import USAGE_COLUMNS, record_usage, set_usage_path, usage
from .options import (
    budget_fit,
    find_option,
    option_key,
    option_label,
    options_line,
    price_sources,
    rank_options,
)
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
    "as_budget",
    "as_workload",
    "budget_fit",
    "cost_at_volumes",
    "deploy_snippets",
    "endpoint_cost",
    "estimate_cost",
    "find_option",
    "hardware_prices",
    "option_key",
    "option_label",
    "options_line",
    "price_sources",
    "provider_prices",
    "rank_options",
    "record_usage",
    "set_usage_path",
    "usage",
    "use_budget",
]
