"""Writes notebooks/05-governance.ipynb (python scripts/make_governance_tour.py; then execute it).

The tour runs offline and needs nothing outside the repository: the core story checks models
of the bundled starter catalog and folders it makes in a temporary directory (a tiny model with
``hubwidgets.testing.models``, a trapped one with ``hubwidgets.testing.malicious``). Its last
section uses the recorded 2025 Hub records (``../shared/data``, or ``HUBWIDGETS_SHARED_DATA``)
when they are there, and says it skipped when they are not.
"""

from _tour import CHECK, code, md, write_tour

IDS = (
    "ids = [\n"
    '    "openai-community/gpt2",  # MIT: permissive\n'
    '    "meta-llama/Llama-2-7b-chat-hf",  # the Llama 2 community license, gated\n'
    '    "CohereLabs/aya-expanse-8b",  # CC BY-NC 4.0: non-commercial, gated\n'
    '    "TheBloke/Llama-2-7B-Chat-GGUF",  # a quantized Llama 2 chat model\n'
    '    "HuggingFaceH4/zephyr-7b-beta",  # an MIT finetune of Mistral 7B (Apache-2.0)\n'
    '    "mlx-community/phi-2",  # a custom ("other") license over an MIT base\n'
    "]\n"
)

#: The columns the tables show (hw.check has 36; these answer "may we use it?").
SHOWN = '["id", "verdict", "license", "license_class", "commercial_use", "gated", "base_chain"]'

cells = [
    md(
        "# May we use this model? Governance before adoption\n\n"
        "Before a team adopts a model, someone has to answer: may we use it (its license, and "
        "the licenses of the models it was built from), for a commercial product, and is it "
        "safe to load (weights that cannot run code when loaded, no custom code, scans)? "
        "`hw.check` answers per model with a **verdict** (`allow`, `review` or `deny`) and "
        "the **reasons** in words; `hw.Policy` writes down the team's rules.\n\n"
        "Two promises hold throughout:\n\n"
        "- **every fact says where it came from**: each column that can be missing has a "
        "`<column>_source` beside it;\n"
        "- **unknown is never safe**: a fact nobody knows (no file list, no scan) makes the "
        "verdict `review`, never `allow`; and nothing checked is ever loaded, unpickled or "
        "run.\n\n"
        "This tour runs offline: on the starter catalog bundled in the package, and on model "
        "folders it makes in a temporary directory. The last section uses recorded Hub data "
        "when this machine has it."
    ),
    code(
        "import tempfile\n\n"
        "import pandas as pd\n\n"
        "import hubwidgets as hw\n\n"
        'pd.set_option("display.max_colwidth", 70)\n'
        'pd.set_option("display.width", 160)\n\n'
        "starter = hw.starter_catalog()  # what hw.check uses when no catalog= is given\n"
        "starter"
    ),
    md(
        "## 1. Check a few well-known models\n\n"
        "Six models from the starter catalog: a permissive one, Llama 2 (a custom license, "
        "gated), a non-commercial one, a quantized Llama 2 (its *base chain* leads back to "
        "Llama 2), a permissive finetune of a permissive base, and one whose custom license "
        "sits on an MIT base. `hw.check` returns one "
        "row per model; here are the columns that answer *may we use it?*"
    ),
    code(IDS + "\nchecked = hw.check(ids)\n" + f"checked[{SHOWN}]"),
    md(
        "License class and commercial use come from the license id (the Hub's license list); "
        "the base chain walks the model tree up through the catalog, each ancestor with its "
        "license:"
    ),
    code(
        CHECK + "for row in checked.itertuples():\n"
        '    print(f"{row.id}: {row.license} ({row.license_class}), commercial use '
        '{row.commercial_use}")\n'
        "    for ancestor in row.base_chain:\n"
        '        print(f"    built on {ancestor}")'
    ),
    md(
        "Why `review`? The default policy allows every known license class, but the starter "
        "catalog has no file lists and no Hub scan verdicts, so whether the weights are safe "
        "to load is **unknown**, and unknown is never `allow`. The reasons say so:"
    ),
    code(
        "for row in checked.itertuples():\n"
        '    print(f"{row.id}: {row.verdict}")\n'
        "    for reason in row.reasons:\n"
        '        print(f"    - {reason}")'
    ),
    md("Each fact has its `_source`: where it was read, or why it is unknown. For Llama 2:"),
    code(
        'llama = checked.set_index("id").loc["meta-llama/Llama-2-7b-chat-hf"]\n'
        'llama.filter(like="_source").to_frame("where it came from")'
    ),
    code(
        CHECK + 'print(llama["commercial_use_reason"])\nprint(llama["license_name"], "-", '
        'llama["license_link"])\nprint(llama["license_source"])'
    ),
    md(
        '`checked.attrs["findings"]` holds what the scans found, one row per file. Catalog '
        "records alone give nothing to scan, so it is empty here; section 3 fills it. (A "
        "misspelled id is a `ValueError` naming the close matches, not a silent empty row.)"
    ),
    code(
        CHECK + 'print(len(checked.attrs["findings"]), "findings;", '
        'list(checked.attrs["findings"].columns))\n'
        "try:\n"
        '    hw.check("meta-llama/Llama-2-7b-chta-hf")\n'
        "except ValueError as err:\n"
        '    print("ValueError:", err)'
    ),
    md(
        "## 2. The team's policy\n\n"
        "`hw.Policy` holds the rules: which license classes or ids are allowed or denied, "
        "whether commercial use is required, safetensors required, custom code allowed, scans "
        "required, gated models allowed, how old a model may be, which card fields must be "
        "there. Each rule gives `deny` or `review` with a reason; the verdict is the worst of "
        "them. Our team ships a product, so: permissive licenses only, commercial use "
        "required, no gated models; we look at scans ourselves, so they are not required "
        "here."
    ),
    code(
        "team = hw.Policy(\n"
        "    {\n"
        '        "allow_license_classes": ["permissive"],\n'
        '        "require_commercial_use": True,\n'
        '        "allow_gated": False,\n'
        '        "require_scans_done": False,\n'
        "    }\n"
        ")\n"
        "team  # the repr shows what differs from the default"
    ),
    md(
        "`policy.evaluate` re-judges a check's rows without checking again (the facts stay; "
        "only the verdicts and reasons change). Side by side, the default policy and ours:"
    ),
    code(
        CHECK + "under_team = team.evaluate(checked)\n"
        "verdicts = pd.DataFrame(\n"
        '    {"default": checked["verdict"].astype(str), "team": '
        'under_team["verdict"].astype(str)}\n'
        ')\nprint(verdicts.set_axis(checked["id"]).to_string())'
    ),
    code(
        'for row in under_team[under_team["verdict"] == "deny"].itertuples():\n'
        '    print(f"{row.id}:")\n'
        "    for reason in row.reasons:\n"
        '        print(f"    - {reason}")'
    ),
    md(
        "A policy also reads YAML (text or a file), the form to keep in the team's "
        "repository. Here the legal team has read the Llama 2 license and accepts it by id, "
        "and allows custom code, which we review by hand:"
    ),
    code(
        "legal = hw.Policy.from_yaml(\n"
        '    """\n'
        "allow_license_classes: [permissive]\n"
        "allow_licenses: [llama2]\n"
        "require_commercial_use: true\n"
        "allow_custom_code: true\n"
        "require_scans_done: false\n"
        '"""\n'
        ")\n"
        "print(legal.to_yaml())"
    ),
    code(
        CHECK + 'verdicts["legal"] = legal.evaluate(checked)["verdict"].astype(str)\n'
        'print(verdicts.set_axis(checked["id"]).to_string())'
    ),
    md(
        "Llama 2 moved from `deny` to `review`: its license is accepted, but its commercial "
        "use is *conditional* (Meta's acceptable use policy, the 700-million-user clause), "
        "which a person should confirm. A misspelled key or value is a `ValueError` that says "
        "what is valid:"
    ),
    code(
        CHECK + 'for keys in ({"allow_gate": False}, {"allow_license_classes": '
        '["permisive"]}):\n'
        "    try:\n"
        "        hw.Policy(keys)\n"
        "    except ValueError as err:\n"
        '        print("ValueError:", err)'
    ),
    md(
        "One policy for the whole session: `hw.use_policy(team)` makes it what every call "
        "without `policy=` follows (`hw.check`, `hw.compare`, `hw.LocalBackend` and so the "
        "Playground and `hw.benchmark`); in a `with` block it holds for the block only. "
        "`$HUBWIDGETS_POLICY` can name a YAML file for every session."
    ),
    code(
        CHECK + "with hw.use_policy(team):\n"
        "    print(hw.active_policy())\n"
        '    print(hw.check(ids)["verdict"].astype(str).tolist())\n'
        "print(hw.active_policy())  # back to the default after the block"
    ),
    md(
        "## 3. Local folders: nothing is loaded, nothing runs\n\n"
        "`hw.check` takes folders too: it reads the file list, `config.json`, the README's "
        "metadata and scans the weights **without loading them**: pickles are disassembled "
        "(picklescan), safetensors headers are read, `*.py` files are listed, never imported. "
        "We make three folders:\n\n"
        "- `tiny-classifier`: a tiny BERT saved with `save_pretrained` (safetensors), its "
        "README saying Apache-2.0, built on `google-bert/bert-base-uncased`;\n"
        "- `llama-relabelled`: the same weights, its README claiming MIT on top of Llama 2;\n"
        "- `evil-model`: a pickle checkpoint whose unpickling would write a marker file, and a "
        "`config.json` whose `auto_map` points at the repository's own `modeling_evil.py`, "
        "which would write another marker when imported (`trust_remote_code=True`)."
    ),
    code(
        "import shutil\n"
        "from pathlib import Path\n\n"
        "from hubwidgets.testing.malicious import malicious_folder\n"
        "from hubwidgets.testing.models import tiny_text_classifier\n\n"
        'root = Path(tempfile.mkdtemp(prefix="hubwidgets-governance-"))\n'
        'good = Path(tiny_text_classifier(root / "tiny-classifier"))\n'
        '(good / "README.md").write_text(\n'
        '    "---\\nlicense: apache-2.0\\nbase_model: google-bert/bert-base-uncased\\n---\\n"\n'
        ")\n"
        'relabelled = Path(shutil.copytree(good, root / "llama-relabelled"))\n'
        '(relabelled / "README.md").write_text(\n'
        '    "---\\nlicense: mit\\nbase_model: meta-llama/Llama-2-7b-hf\\n---\\n"\n'
        ")\n"
        "evil = malicious_folder(root)\n\n\n"
        "def short(text):\n"
        '    """The folders by name: the temporary directory differs on every run."""\n'
        '    return str(text).replace(f"{root}/", "")\n\n\n'
        "sorted(p.name for p in evil.folder.iterdir())"
    ),
    code(
        "local = hw.check([good, relabelled, evil.folder])\n"
        'local["id"] = local["id"].map(short)\n'
        'local["license_conflict"] = local["license_conflict"].map(short, na_action="ignore")\n'
        'local[["id", "verdict", "license", "formats", "safetensors", "custom_code", '
        '"scan_status", "license_conflict"]]'
    ),
    code(
        CHECK + "for row in local.itertuples():\n"
        '    print(f"{row.id}: {row.verdict}")\n'
        "    for reason in row.reasons:\n"
        '        print(f"    - {short(reason)}")'
    ),
    md(
        "- `tiny-classifier` is `allow`: a permissive license, safetensors only, no custom "
        "code, and its own scan is safe.\n"
        "- `llama-relabelled` is `review`: MIT is looser than the Llama 2 license of the model "
        "it was built from, whose terms still bind it (a **license conflict**, spelled out).\n"
        "- `evil-model` is `deny`: the scan found a dangerous import in the pickle, and the "
        "config needs the repository's code.\n\n"
        "The findings say which file, which scanner and what it saw:"
    ),
    code(
        CHECK + 'findings = local.attrs["findings"]\n'
        'findings["model"] = findings["model"].map(short)\n'
        "print(findings.to_string(index=False))"
    ),
    md(
        "And the proof that nothing ran: had the pickle been unpickled, or `modeling_evil.py` "
        "imported, a marker file would now exist next to the folder."
    ),
    code(
        CHECK + 'print("pickle marker written:", evil.pickle_marker.exists())\n'
        'print("code marker written:", evil.code_marker.exists())\n'
        'print("markers written:", evil.markers_written())'
    ),
    md(
        "Loading goes through the policy too: `hw.LocalBackend` checks a model's files "
        "against the session's policy (or its own `policy=`) before anything is loaded, and "
        "refuses a denied model with `hw.PolicyError`, which says why and how to override "
        "(`allow_denied=True`). The allowed folder loads and runs:"
    ),
    code(
        CHECK + 'backend = hw.LocalBackend(device="cpu")\n'
        "try:\n"
        '    backend.run("text-classification", str(evil.folder), ["a good film"])\n'
        "except hw.PolicyError as err:\n"
        '    print("PolicyError:", short(err))\n'
        'print("markers written:", evil.markers_written())\n'
        'answer = backend.run("text-classification", str(good), ["a good film"])\n'
        'print("tiny-classifier answered:", sorted(d["label"] for d in answer.outputs[0]))\n'
        "print({short(model): verdict for model, (verdict, _) in backend.verdicts.items()})"
    ),
    md(
        "Local facts carry their sources too: the license from the folder's README, the "
        "formats from its file list, the scan from a local scan of the folder."
    ),
    code(
        CHECK + 'row = local.set_index("id").loc["llama-relabelled"]\n'
        'print(row["license_conflict"])\n'
        'for column in ("license_source", "formats_source", "scan_source"):\n'
        '    print(f"{column}: {short(row[column])}")'
    ),
    md(
        "## 4. Choosing under the policy: `hw.compare` and `hw.recommend`\n\n"
        "`hw.compare(..., policy=)` adds the governance columns to the comparison (commercial "
        "use, license conflict, scan status, the verdict and its reasons), each with its "
        "source, from one `hw.check` of the compared models:"
    ),
    code(
        "compared = hw.compare(ids[:5], catalog=starter, policy=team)\n"
        'compared[["id", "params", "license_class", "commercial_use", "license_conflict", '
        '"scan_status", "verdict"]]'
    ),
    code(
        CHECK + 'print(compared["verdict"].astype(str).tolist())\n'
        'print(compared.loc[0, "verdict_source"])'
    ),
    md(
        "`hw.recommend(..., policy=)` ranks the candidates first, then checks the best-ranked "
        "ones under the policy: the ones it denies are removed, `review` ones stay with the "
        "policy's reasons in `reasons`. `attrs` say how many each rule removed. "
        "(`hardware=None`: no memory limit, so the answer does not depend on this machine.)"
    ),
    code(
        'rec = hw.recommend("text-generation", max_params="8B", hardware=None, k=5, '
        "catalog=starter, policy=team)\n"
        'rec[["rank", "id", "license", "params", "verdict"]]'
    ),
    code(
        CHECK + 'print("checked:", rec.attrs["policy_checked"])\n'
        'print("removed by rule:", rec.attrs["policy_removed"])\n'
        'print(rec.attrs["summary"].split("Policy ")[-1])'
    ),
    md(
        "## 5. In the widget\n\n"
        "`hw.GovernanceWidget` shows the check table with verdict badges and reasons, the "
        "model tree and the findings of the focused model, and a policy editor: edit the "
        "policy in the page and the verdicts are re-evaluated at once, without checking "
        "again. `source=` follows a `SearchWidget`'s or `CompareWidget`'s selection. "
        "Exported to HTML, it keeps its check table."
    ),
    code(
        "g = hw.GovernanceWidget(models=[*ids, str(evil.folder)], policy=team, catalog=starter)\ng"
    ),
    md(
        "`g.table` is `hw.check`'s DataFrame under `g.policy`, `g.findings` the scans' "
        "findings. Set the policy from Python and the widget above follows:"
    ),
    code(
        CHECK + "g.policy = legal\n"
        "print(g.policy)\n"
        'print(g.table["verdict"].astype(str).tolist())\n'
        'print(g.findings[["file", "scanner", "severity"]].to_string(index=False))'
    ),
    md(
        "## 6. Real families from the Hub (recorded in 2025)\n\n"
        "The project keeps about a thousand `model_info` records recorded from the real Hub "
        "in April 2025: families built on Llama 2, phi-2, DeepSeek, Stable Diffusion... This "
        "section reads them from `../shared/data/hub-model-info-2025.jsonl.gz` next to the "
        "repository (or the folder `HUBWIDGETS_SHARED_DATA` names) with "
        "`hw.Catalog.from_records`. **A clone without that folder skips it**: each cell "
        "prints why and does nothing else."
    ),
    code(
        "import gzip\n"
        "import json\n\n"
        "from hubwidgets.testing import shared_data_dir\n\n"
        "folder = shared_data_dir()  # <repo>/../shared/data, or $HUBWIDGETS_SHARED_DATA\n"
        'recorded = folder / "hub-model-info-2025.jsonl.gz" if folder else None\n'
        "real = None\n"
        "if recorded is None or not recorded.is_file():\n"
        '    print("skipped: the recorded 2025 Hub records are not on this machine "\n'
        '          "(set HUBWIDGETS_SHARED_DATA to the folder that holds '
        'hub-model-info-2025.jsonl.gz)")\n'
        "else:\n"
        '    with gzip.open(recorded, "rt", encoding="utf-8") as lines:\n'
        "        records = [json.loads(line) for line in lines if line.strip()]\n"
        "    # a few fetches failed when they were recorded: no model id, nothing to check\n"
        '    records = [r for r in records if "id" in (r.get("metadata") or {})]\n'
        "    real = hw.Catalog.from_records(records)\n"
        '    family = [r["model_id"] for r in records if r["family"] == "Llama-2-7b"]\n'
        '    print(f"{len(real)} recorded models; {len(family)} in the Llama-2-7b family")'
    ),
    md(
        "Check the whole Llama 2 family against this catalog (`catalog=`): which "
        "descendants offer a looser license than Llama 2's, whose terms still bind them?"
    ),
    code(
        "if real is None:\n"
        '    print("skipped: no recorded records (see above)")\n'
        "else:\n"
        "    fam = hw.check(family, catalog=real)\n"
        '    conflicts = fam[fam["license_conflict"].notna()]\n'
        '    print(f"{len(fam)} checked, {len(conflicts)} with a license conflict; '
        'licenses claimed:")\n'
        '    print(conflicts["license"].value_counts().to_string())'
    ),
    md("One of them, two levels down the tree: its chain, and the conflict in words."),
    code(
        "from hubwidgets.core.governance import tree_frame\n\n"
        'chat = "ChengsenWang/ChatTime-1-7B-Chat"\n'
        "if real is None:\n"
        '    print("skipped: no recorded records (see above)")\n'
        "else:\n"
        "    one = hw.check(chat, catalog=real)\n"
        '    print(one.loc[0, "license_conflict"])\n'
        '    display(tree_frame(one.attrs["trees"][chat])[["id", "depth", "relation", '
        '"license"]])'
    ),
    md(
        "Under the team's policy, the descendants that keep Llama 2's own license are `deny` "
        "(not a permissive class, commercial use only conditional), and those claiming a "
        "looser one are `review` for the conflict. These records carry their file lists, so "
        "a permissive model with safetensors weights, no custom code and no conflict can be "
        "`allow`: our policy does not require scans. The default policy does: under it, a "
        "model whose record has no safe scan verdict is `review` at best:"
    ),
    code(
        "if real is None:\n"
        '    print("skipped: no recorded records (see above)")\n'
        "else:\n"
        "    judged = pd.DataFrame(\n"
        '        {"team": team.evaluate(fam)["verdict"], "default": fam["verdict"]}\n'
        "    )\n"
        "    display(judged.apply(lambda verdicts: verdicts.value_counts()))\n"
        "    allowed = team.evaluate(fam).query(\"verdict == 'allow'\")\n"
        '    display(allowed[["id", "license", "formats", "custom_code", "scan_status"]])'
    ),
]

write_tour("05-governance.ipynb", cells)
