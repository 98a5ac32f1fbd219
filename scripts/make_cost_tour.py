"""Writes notebooks/07-cost.ipynb (python scripts/make_cost_tour.py; then execute it).

The tour runs offline and needs nothing outside the repository: instance prices are the
Inference Endpoints pricing page bundled in the package (live ones when a token and the network
allow, and the tour prints which it used); serverless prices come live from the router only, so
offline the tour passes a small table of example prices and says so. The models are starter
catalog models; the budget is read from the usage ledger under ``$HUBWIDGETS_HOME``.
"""

from _tour import CHECK, code, md, write_tour

MODELS = (
    "models = [\n"
    '    "HuggingFaceTB/SmolLM3-3B",\n'
    '    "Qwen/Qwen2.5-7B-Instruct",\n'
    '    "meta-llama/Llama-3.3-70B-Instruct",\n'
    '    "deepseek-ai/DeepSeek-R1",  # 685B parameters\n'
    "]\n"
)

#: The columns the tables show (estimate_cost has 36).
SHOWN = (
    '["model", "option", "instance", "provider", "usd_per_month", "usd_per_1k_requests", '
    '"max_replicas", "meets_slo", "break_even_requests_per_day"]'
)

cells = [
    md(
        "# What will it cost to serve?\n\n"
        "After *which model*, the next question is what serving it costs: on which hardware, "
        "dedicated or serverless, at what volume one beats the other, and whether it stays in "
        "budget. This tour answers it with `hw.estimate_cost` and the `hw.CostWidget`:\n\n"
        "1. prices as DataFrames, each row dated and sourced;\n"
        "2. the endpoints' billing formula, checked on the pricing page's worked examples;\n"
        "3. an estimate for a few starter models under a workload, the cheapest option "
        "marked;\n"
        "4. the break-even volume between serverless and dedicated, and a chart of cost "
        "against volume;\n"
        "5. code to deploy the choice;\n"
        "6. a monthly budget;\n"
        "7. all of it in the widget.\n\n"
        "Two promises hold throughout: **every figure says where it came from** (a "
        "`<column>_source` beside it), and **a price nobody published is never invented**: it "
        "stays NA and says why. The tour runs offline."
    ),
    code(
        "import pandas as pd\n\n"
        "import hubwidgets as hw\n"
        "from hubwidgets.charts.cost import cost_vs_volume\n"
        "from hubwidgets.core.cost import endpoint_cost\n\n"
        'pd.set_option("display.max_colwidth", 60)\n'
        'pd.set_option("display.width", 160)\n\n'
        "starter = hw.starter_catalog()  # the parameter counts come from here"
    ),
    md(
        "## 1. Prices, dated and sourced\n\n"
        "`hw.hardware_prices()` lists the Inference Endpoints instances: live from the "
        "endpoints API when a Hub token and the network allow, else the public pricing page "
        "bundled in the package. Every row says which (`source`) and as of when (`as_of`); the "
        "table's note says why:"
    ),
    code(
        "prices = hw.hardware_prices()\n"
        'print(prices.attrs["note"])\n'
        'prices[["source", "as_of"]].drop_duplicates()'
    ),
    code(
        'gpus = prices[prices["accelerator"] == "gpu"]\n'
        'gpus[["instance", "accelerator_memory_gb", "price_per_hour_usd", "status"]].head(8)'
    ),
    md(
        "Serverless prices ($ per 1M input and output tokens, per model and provider) come "
        "live from the router's model list, `hw.provider_prices()`. Offline there are none: "
        "the table is empty and its note says why, rather than guess a price:"
    ),
    code('live = hw.provider_prices()\nprint(len(live), "provider prices:", live.attrs["note"])'),
    md(
        "So this tour passes a small table of its own. These are **example prices for the "
        "tour, not quotes**: online, drop `provider_table=` and the router's prices are used."
    ),
    code(
        "example_providers = pd.DataFrame(\n"
        "    {\n"
        '        "model": [\n'
        '            "HuggingFaceTB/SmolLM3-3B",\n'
        '            "Qwen/Qwen2.5-7B-Instruct",\n'
        '            "Qwen/Qwen2.5-7B-Instruct",\n'
        '            "meta-llama/Llama-3.3-70B-Instruct",\n'
        "        ],\n"
        '        "provider": ["example-a", "example-a", "example-b", "example-b"],\n'
        '        "input_usd_per_1m": [0.5, 0.3, 0.6, 0.9],\n'
        '        "output_usd_per_1m": [2.0, 0.3, 0.6, 0.9],\n'
        "    }\n"
        ")"
    ),
    md(
        "## 2. The billing formula, on the pricing page's worked examples\n\n"
        "An endpoint bills its hourly rate x (hours x min replicas + scale-up hours x extra "
        "replicas), each replica per started minute. The page's example: a $0.5/hour GPU "
        "scaling between 1 and 3 replicas, with 3 replicas for 15 minutes of every hour:"
    ),
    code(
        CHECK + "hour = endpoint_cost(0.5, hours=1, min_replicas=1, scale_up_hours=0.25, "
        "extra_replicas=2)\n"
        "month = endpoint_cost(0.5, hours=730, min_replicas=1, scale_up_hours=730 * 0.25, "
        "extra_replicas=2)\n"
        'print(f"${hour:.2f} an hour, ${month:,.2f} a month")'
    ),
    md(
        "## 3. Estimate a workload\n\n"
        "A `hw.Workload` says how much traffic to serve: requests a day, tokens in and out of "
        "each, the peak rate, the hours a day with traffic and a latency target. "
        "`hw.estimate_cost` gives one row per model and option: a dedicated endpoint on every "
        "instance whose memory holds the model (multi-GPU sizes included), each serverless "
        "provider with a price, and this machine (no $). Zero or negative figures are refused "
        "with the field's name:"
    ),
    code(
        CHECK + "try:\n"
        "    hw.Workload(requests_per_day=0, input_tokens=500, output_tokens=200)\n"
        "except ValueError as err:\n"
        "    print(err)"
    ),
    code(
        MODELS + "\nwork = hw.Workload(\n"
        "    requests_per_day=20_000, input_tokens=500, output_tokens=200, "
        "latency_slo_ms=5_000\n"
        ")\n"
        "est = hw.estimate_cost(\n"
        "    models, work, catalog=starter, prices=prices, "
        "provider_table=example_providers\n"
        ")\n"
        'print(len(est), "options")\n'
        'est[est["cheapest"]][' + SHOWN + "]"
    ),
    md(
        "The cheapest option per model is the lowest $/month among those that fit, are not "
        "deprecated and do not miss the latency target. Each figure says where it came from: "
        "the memory rule, the price, the throughput (`measured` from a `hw.benchmark` result, "
        "else an `estimate` from the accelerator's datasheet, formula in the docstring) and "
        "the bill:"
    ),
    code(
        'cheapest = est[est["cheapest"]].set_index("model")\n'
        "for model, row in cheapest.iterrows():\n"
        "    name = row.instance if pd.notna(row.instance) else row.provider\n"
        '    print(f"{model}: {row.option} {name}")\n'
        '    for column in ["memory_source", "price_source", "throughput_source", '
        '"cost_source"]:\n'
        "        if pd.notna(row[column]):\n"
        '            print(f"    {column}: {row[column]}")'
    ),
    md(
        "DeepSeek-R1's 685B parameters need about 1.6 TB at 16 bits: only the largest "
        "multi-GPU instances hold it, and a month of one costs accordingly:"
    ),
    code(
        'r1 = est[(est["model"] == "deepseek-ai/DeepSeek-R1") & (est["option"] == "dedicated")]\n'
        'r1.sort_values("usd_per_month")[\n'
        '    ["instance", "status", "memory_needed_gb", "memory_available_gb", "usd_per_month"]\n'
        "].head(3)"
    ),
    md(
        "A model too large for every instance gets one row that says so, and no price is "
        "made up for it. `estimate_cost` also takes a DataFrame with `id` and `params` "
        "columns, e.g. for a model the catalog does not hold:"
    ),
    code(
        CHECK + 'huge = pd.DataFrame({"id": ["my-org/two-trillion"], "params": [2e12]})\n'
        'row = hw.estimate_cost(huge, work, prices=prices, options="dedicated").iloc[0]\n'
        'print(row["fits"], row["usd_per_month"])\n'
        'print(row["note"])'
    ),
    md(
        "## 4. Break-even and the chart\n\n"
        "`break_even_requests_per_day` is the daily volume at which a dedicated endpoint (at "
        "its replica count) and the cheapest serverless provider cost the same; below it "
        "serverless is cheaper. Its source shows the sum:"
    ),
    code(
        'smol = est[(est["model"] == "HuggingFaceTB/SmolLM3-3B") & est["fits"].fillna(True)]\n'
        'smol = smol.dropna(subset=["break_even_requests_per_day"])\n'
        'smol.sort_values("usd_per_month").head(5)[\n'
        '    ["option", "instance", "provider", "usd_per_month", '
        '"break_even_requests_per_day", "break_even_source"]\n'
        "]"
    ),
    md(
        "The chart draws each priced option's $/month as the volume grows (log-log): "
        "serverless grows in proportion, a dedicated endpoint stays flat until its replicas "
        "are full, then steps up a replica at a time. Diamonds mark where a dedicated "
        "endpoint crosses the cheapest serverless provider; the dotted rule is the workload. "
        "The subtitle says what was left out and why (endpoints of unknown throughput have no "
        "curve):"
    ),
    code('cost_vs_volume(est, model="HuggingFaceTB/SmolLM3-3B")'),
    md(
        "For Qwen2.5-7B at these example prices the serverless line stays below every "
        "dedicated one at one request at a time (the datasheet estimate is batch 1): no "
        "crossover in the range, and the chart's subtitle says so. A `hw.benchmark` of a "
        "batched server (`benchmark=`) would replace the estimate with measured throughput."
    ),
    code(
        CHECK + 'qwen = cost_vs_volume(est, model="Qwen/Qwen2.5-7B-Instruct")\n'
        'print(*qwen.to_dict()["title"]["subtitle"], sep="\\n")'
    ),
    md(
        "## 5. Deploy it\n\n"
        "`hw.deploy_snippets` writes the code to run or serve a model, pinned to a revision: "
        "`transformers`, an `InferenceClient` call per live provider, "
        "`create_inference_endpoint` on the cheapest instance that holds the model, and TGI / "
        "vLLM commands. Tokens are read from `HF_TOKEN`, never written into the code:"
    ),
    code(
        'snippets = hw.deploy_snippets("Qwen/Qwen2.5-7B-Instruct", catalog=starter, '
        "prices=prices)\n"
        'snippets[["kind", "provider", "language", "note"]]'
    ),
    code('print(snippets.set_index("kind").loc["inference_endpoint", "code"])'),
    md(
        "## 6. A monthly budget\n\n"
        "`hw.Budget(monthly_usd)` weighs the month's spend in the usage ledger (`hw.usage()`: "
        "every remote run records its tokens or seconds and cost) against an amount; "
        "`hard=True` refuses a run that would pass it, saying by how much. `hw.use_budget` "
        "makes it the session's, which the widgets show:"
    ),
    code("budget = hw.Budget(500)\nhw.use_budget(budget)\nbudget.status()"),
    md(
        "## 7. In the widget\n\n"
        "`hw.CostWidget` puts it together: the workload inputs (a zero or negative figure is "
        "refused beside the inputs, with what you typed kept), the options grouped by model "
        "with the cheapest highlighted and every figure's source in its tooltip, the chart of "
        "the chosen option's model, and a budget bar weighing the chosen option's month "
        "against the budget. `source=` follows a `SearchWidget`'s or `CompareWidget`'s "
        "selection."
    ),
    code(
        "c = hw.CostWidget(\n"
        "    models[:3], workload=work, catalog=starter, prices=prices, "
        "provider_table=example_providers\n"
        ")\n"
        "c"
    ),
    md(
        "From Python: set the workload and the widget above re-estimates; `c.result` is "
        "`estimate_cost`'s DataFrame, `c.selected_option` the chosen row, `c.chart()` the "
        "Altair chart."
    ),
    code(
        "c.workload = hw.Workload(requests_per_day=200_000, input_tokens=500, output_tokens=200)\n"
        "print(c.status)\n"
        'c.selected_option[["model", "option", "instance", "provider", "usd_per_month"]]'
    ),
]

write_tour("07-cost.ipynb", cells)
