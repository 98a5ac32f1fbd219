"""Writes notebooks/06-registry.ipynb (python scripts/make_registry_tour.py; then execute it).

The tour runs offline and needs nothing outside the repository: it starts the Hub-compatible
test server (``hubwidgets.testing.hub_server``) on 127.0.0.1, serving three models of the
bundled starter catalog (``hubwidgets.testing.registry_demo``: each given a sha and a file list),
and keeps its registry (SQLite) and audit log in a temporary folder. Upstream changes are
simulated by committing on that server, as tests/core/test_drift.py does.
"""

from _tour import CHECK, code, md, write_tour

cells = [
    md(
        "# Pin, register, audit: which model revision do we use, and what changed since?\n\n"
        "A team that ships a model needs to know exactly which revision it runs, what changed "
        "upstream since, who approved what, and what was run. This tour walks through the "
        "answers hubwidgets gives:\n\n"
        "1. **versions**: `hw.versions` lists a model's commits and tags, `hw.diff` says what "
        "changed *for a user* between two revisions;\n"
        "2. **a registry**: `hw.Registry` pins revisions (always a commit sha, never a branch "
        "name) with aliases such as `production`, stages, and the license and verdict at "
        "registration, in a real database (SQLite here; PostgreSQL or any SQLAlchemy URL for a "
        "team);\n"
        "3. **drift**: `registry.drift()` flags what changed upstream since each pin;\n"
        "4. **the audit trail**: every registry change is one hash-chained record; "
        "`hw.audit_verify` finds an edited, removed or reordered record;\n"
        "5. **the widget**: `hw.RegistryWidget` shows all of it, and promotes or deprecates "
        "only after you confirm.\n\n"
        "It runs offline: a Hub-compatible test server on this machine serves three models of "
        "the starter catalog, and everything is written to a temporary folder. Against the real "
        "Hub, leave out `endpoint=`."
    ),
    code(
        "import os\n"
        "import shutil\n"
        "import tempfile\n"
        "from pathlib import Path\n\n"
        "import pandas as pd\n\n"
        'root = Path(tempfile.mkdtemp(prefix="hubwidgets-registry-"))\n'
        'os.environ["HUBWIDGETS_HOME"] = str(root / "home")  # the audit log goes here\n'
        "# the Hub here is a server on this machine: the Hub client must not refuse to call it\n"
        'os.environ.pop("HF_HUB_OFFLINE", None)\n\n'
        "import hubwidgets as hw\n"
        "from hubwidgets.testing.hub_server import HubServer\n"
        "from hubwidgets.testing.registry_demo import starter_records\n\n"
        'pd.set_option("display.max_colwidth", 60)\n'
        'pd.set_option("display.width", 160)\n\n'
        "hub = HubServer(starter_records()).start()  # the Hub's API on 127.0.0.1\n"
        "endpoint = hub.endpoint\n"
        "[r['id'] for r in hub.records]"
    ),
    md(
        "## 1. Versions, and what changed between two\n\n"
        "Upstream, the gpt2 maintainers add a card tweak, tag it `v1.1`, then relicense the "
        "model and add PyTorch (pickle) weights. (On the test server a commit is one call.)"
    ),
    code(
        'gpt2 = "openai-community/gpt2"\n'
        "pinned_sha = hub.records[0]['sha']\n"
        'hub.commit(gpt2, {"likes": 1}, title="Card: add a usage example")\n'
        "record = next(r for r in hub.records if r['id'] == gpt2)\n"
        "later = hub.commit(\n"
        "    gpt2,\n"
        "    {\n"
        '        "cardData": {**record["cardData"], "license": "cc-by-nc-4.0"},\n'
        '        "siblings": [*record["siblings"], {"rfilename": "pytorch_model.bin"}],\n'
        "    },\n"
        '    title="Relicense, add PyTorch weights",\n'
        ")\n"
        "versions = hw.versions(gpt2, endpoint=endpoint)\n"
        'versions[["sha", "title", "authors", "refs"]]'
    ),
    md(
        "`hw.diff` compares two revisions (branches, tags or shas) on what matters for use: "
        "license and its class, base model, parameters, weight files and formats, config, the "
        "scan and the verdict. `changed` is `<NA>` when a side is not known, never `False`."
    ),
    code(
        'changes = hw.diff(gpt2, pinned_sha, "main", endpoint=endpoint)\n'
        'changes[changes["changed"].fillna(True)][["what", "before", "after", "changed"]]'
    ),
    md(
        "## 2. A registry of pinned revisions\n\n"
        "`hw.Registry(url)` opens (or creates) a registry: a SQLite file path here, any "
        "SQLAlchemy URL for a team (`postgresql+psycopg://...`). Its schema is migrated with "
        "Alembic on open, so a newer hubwidgets opens an older registry. `register` resolves "
        "the revision to its sha on the Hub, records the license class and the `hw.check` "
        "verdict at that revision, who registered it and when."
    ),
    code(
        'reg = hw.Registry(root / "registry.sqlite", endpoint=endpoint)\n'
        'reg.register(gpt2, pinned_sha, alias="production", stage="production", note="v1 launch")\n'
        'reg.register("Qwen/Qwen2.5-0.5B-Instruct", alias="candidate", note="smaller, to try")\n'
        'reg.register("HuggingFaceTB/SmolLM2-135M-Instruct")\n'
        'reg.df[["model", "revision", "aliases", "stage", "license_class", "verdict", "note"]]'
    ),
    md(
        "An alias names one entry; `get` reads it. An unknown alias is an error listing the "
        "aliases, and a revision the Hub does not have is an error with nothing written:"
    ),
    code(
        CHECK + 'print(reg.get("production")[["model", "revision", "stage"]].to_dict())\n'
        "for bad in (\n"
        '    lambda: reg.get("prodution"),\n'
        '    lambda: reg.register(gpt2, "v9.9"),\n'
        "):\n"
        "    try:\n"
        "        bad()\n"
        "    except ValueError as err:\n"
        "        # the temporary folder and the server's port change from run to run\n"
        '        said = str(err).replace(endpoint, "<test hub>").replace(str(root), "<tmp>")\n'
        '        print("ValueError:", said)\n'
        'print(len(reg), "entries: nothing was written")'
    ),
    md(
        "Promote and deprecate: the Qwen candidate becomes `staging`, the `candidate` alias "
        "moves to SmolLM2, and the SmolLM2 entry is deprecated after all. Every change is a "
        "new row: the history is complete by construction."
    ),
    code(
        'reg.set_stage("Qwen/Qwen2.5-0.5B-Instruct", "staging")\n'
        'reg.set_alias("candidate", "HuggingFaceTB/SmolLM2-135M-Instruct")\n'
        'reg.deprecate("HuggingFaceTB/SmolLM2-135M-Instruct", note="too small for our prompts")\n'
        'reg.history()[["action", "model", "alias", "stage", "note", "actor"]]'
    ),
    md(
        "## 3. Drift: what changed upstream since each pin\n\n"
        "`drift()` asks the Hub about every pinned entry (deprecated ones only when asked): "
        "main's sha now, commits since the pin, and flags for what matters. gpt2 was pinned "
        "before the relicense; Qwen's maintainers now mark their model as unsafe to load "
        "(an unsafe scan on a new commit):"
    ),
    code(
        "hub.commit(\n"
        '    "Qwen/Qwen2.5-0.5B-Instruct",\n'
        "    {\n"
        '        "securityRepoStatus": {\n'
        '            "scansDone": True,\n'
        '            "filesWithIssues": [{"path": "model.safetensors", "level": "unsafe"}],\n'
        "        }\n"
        "    },\n"
        '    title="Replace the weights",\n'
        ")\n"
        "drift = reg.drift()\n"
        'drift[["model", "commits_since", "license_changed", "pickle_files_added", '
        '"scan_changed", "flags"]]'
    ),
    code(
        CHECK + "for row in drift.itertuples():\n"
        "    print(f\"{row.model}: {row.flags or 'no drift'}\")\n"
        "    for change in row.changes:\n"
        '        print(f"    {change}")'
    ),
    md(
        "## 4. The audit trail\n\n"
        "Each registry change (and each inference run, endpoint action or policy change) "
        "appended one JSON record to an append-only log: time, actor, action, model and "
        "revision, parameters, outcome. Each record carries the hash of the previous one."
    ),
    code(
        'log = hw.audit_log(action="registry.*")\n'
        'log[["time", "actor", "action", "model", "outcome"]]'
    ),
    code(CHECK + 'report = hw.audit_verify()\nprint(report.ok, report.records, "records")'),
    md(
        "Someone edits a record after the fact, in a copy of the log: the chain no longer "
        "holds, and `audit_verify` says which line and how."
    ),
    code(
        CHECK + "from hubwidgets.core.registry.audit import audit_path\n\n"
        'tampered = root / "tampered"\n'
        "shutil.copytree(audit_path().parent, tampered)\n"
        "first = tampered / audit_path().name\n"
        'lines = first.read_text("utf-8").splitlines(keepends=True)\n'
        'lines[1] = lines[1].replace(\'"outcome":"ok"\', \'"outcome":"denied"\')\n'
        'first.write_text("".join(lines), "utf-8")\n'
        "found = hw.audit_verify(path=first)\n"
        "print(found.ok)\n"
        'print(found.problems[["line", "kind"]].to_string(index=False))'
    ),
    md(
        "## 5. The widget\n\n"
        "`hw.RegistryWidget(registry, source=...)` shows the registered models with their "
        "aliases, stages, license and verdict at registration. **Check drift** asks the Hub "
        "(its progress shows, and an unreachable Hub is an error in place: the table stays). "
        "Select a row to see its model's audit trail, newest first, and to set an alias, "
        "change its stage or deprecate it: each asks you to confirm before anything changes. "
        "With `source=` a SearchWidget, CompareWidget or GovernanceWidget, **Register "
        "selected** pins what is selected there (a model that fails says why; the others are "
        "registered). Exports keep the table and the timeline."
    ),
    code(
        'w = hw.RegistryWidget(reg)\nw.check_drift(wait=True)\nw.select("openai-community/gpt2")\nw'
    ),
    md(
        "Everything the page does is a method too, and the tables are DataFrames: `w.df` (the "
        "entries with the last drift check's columns), `w.selected`, `w.timeline`."
    ),
    code(
        CHECK + 'w.set_stage("production", "Qwen/Qwen2.5-0.5B-Instruct")\n'
        "print(w.status.split(' · ')[0])\n"
        'print(w.df[["model", "stage", "flags"]].to_string(index=False))\n'
        'print(w.timeline[["action", "revision", "outcome"]].to_string(index=False))'
    ),
    md("Done: the test server stops, and the temporary folder goes."),
    code("hub.stop()\nreg.close()\nshutil.rmtree(root, ignore_errors=True)"),
]

write_tour("06-registry.ipynb", cells)
