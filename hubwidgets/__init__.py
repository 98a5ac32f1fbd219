"""hubwidgets: find, compare, measure and try Hugging Face Hub models from a notebook.

>>> import hubwidgets as hw
>>> catalog = hw.open_catalog()          # live Hub, else a snapshot, and it says which
>>> catalog.search("llama", task="text-generation", sort="likes", limit=10)
"""

from ._lazy import lazy_attributes
from .core import (
    COLUMNS,
    INFERENCE_TASKS,
    SORT_KEYS,
    TASKS,
    BackendError,
    BenchmarkProgress,
    BenchmarkResult,
    Catalog,
    FallbackBackend,
    HubCatalog,
    HubError,
    InferenceResult,
    LocalBackend,
    PlaygroundSession,
    Policy,
    PullError,
    RemoteBackend,
    UnknownModelError,
    benchmark,
    cache_catalog,
    check,
    compare,
    hardware,
    open_catalog,
    pull_snapshot,
    recommend,
    snapshot_info,
    starter_catalog,
)
from .core.cost import (
    Budget,
    BudgetExceededError,
    Workload,
    active_budget,
    deploy_snippets,
    estimate_cost,
    hardware_prices,
    provider_prices,
    record_usage,
    usage,
    use_budget,
)
from .core.governance import active_policy, use_policy
from .core.inference.backends import PolicyError

# hw.apply; importing it registers the df.hub accessor (pandas only: torch loads on a run)
from .core.workflows import (
    Ensemble,
    Pipeline,
    PipelineError,
    PipelineRun,
    Step,
    apply,
    dataset_rows,
)
from .widgets import WIDGETS

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    # jupyter_server finds the extension here (enabled by jupyter-config/ at install time)
    return [{"module": "hubwidgets._server_extension"}]


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext hubwidgets``: register the ``%hub`` magic (see hubwidgets/magics.py)."""
    from .magics import load_ipython_extension as load  # noqa: PLC0415 (IPython only)

    load(ipython)


# the widgets load anywidget/ipywidgets: only on first use, so hubwidgets.core stays free
__getattr__ = lazy_attributes(
    __name__,
    {
        **{name: f".widgets{module}" for name, module in WIDGETS.items()},
        # the registry loads SQLAlchemy and Alembic: on first use too
        **dict.fromkeys(("Registry", "diff", "versions"), ".core.registry"),
        # the audit trail (core/registry/audit.py): its readers, and where it is written
        **dict.fromkeys(("audit_log", "audit_verify", "set_audit_path"), ".core.registry.audit"),
        # issue 14: Inference Endpoints (core/cost/endpoints.py; huggingface_hub on first use)
        **dict.fromkeys(
            (
                "EndpointError",
                "create_endpoint",
                "delete_endpoint",
                "endpoint_instances",
                "endpoints",
                "pause_endpoint",
                "resume_endpoint",
                "scale_endpoint_to_zero",
                "wait_endpoint",
            ),
            ".core.cost.endpoints",
        ),
        # the CostWidget's table and budget bar, for scripts (core/cost/options.py)
        **dict.fromkeys(("budget_fit", "rank_options"), ".core.cost.options"),
        # issue 16: the Hub's health (core), and the login widget (the widget stack)
        "health": ".core.connect",
        # issue 17: model metrics over time (dated snapshots, daily series)
        **dict.fromkeys(("history", "load_history"), ".core.catalog.history"),
        # issue 17: the read-only Hub mirror over a snapshot (`hubwidgets serve` from the shell)
        "Mirror": ".core.catalog.serve",
        # issue 17: named hardware for recommend(hardware=...), with their sources
        "hardware_presets": ".core.choose.recommend",
        "login": ".widgets.login",
    },
)


__all__ = [
    "COLUMNS",
    "INFERENCE_TASKS",
    "SORT_KEYS",
    "TASKS",
    "BackendError",
    "BenchmarkProgress",
    "BenchmarkResult",
    "BenchmarkWidget",
    "Budget",
    "BudgetExceededError",
    "Catalog",
    "CompareWidget",
    "CostWidget",
    "EndpointError",
    "EndpointsWidget",
    "Ensemble",
    "FallbackBackend",
    "GovernanceWidget",
    "HubCatalog",
    "HubError",
    "HubExplorer",
    "InferenceResult",
    "LocalBackend",
    "LoginWidget",
    "Mirror",
    "Pipeline",
    "PipelineError",
    "PipelineRun",
    "Playground",
    "PlaygroundSession",
    "Policy",
    "PolicyError",
    "PullError",
    "Registry",
    "RegistryWidget",
    "RemoteBackend",
    "SearchWidget",
    "Step",
    "UnknownModelError",
    "WorkflowWidget",
    "Workload",
    "__version__",
    "active_budget",
    "active_policy",
    "apply",
    "audit_log",
    "audit_verify",
    "benchmark",
    "budget_fit",
    "cache_catalog",
    "check",
    "compare",
    "create_endpoint",
    "dataset_rows",
    "delete_endpoint",
    "deploy_snippets",
    "diff",
    "endpoint_instances",
    "endpoints",
    "estimate_cost",
    "hardware",
    "hardware_presets",
    "hardware_prices",
    "health",
    "history",
    "load_history",
    "login",
    "open_catalog",
    "pause_endpoint",
    "provider_prices",
    "pull_snapshot",
    "rank_options",
    "recommend",
    "record_usage",
    "resume_endpoint",
    "scale_endpoint_to_zero",
    "set_audit_path",
    "snapshot_info",
    "starter_catalog",
    "usage",
    "use_budget",
    "use_policy",
    "versions",
    "wait_endpoint",
]
