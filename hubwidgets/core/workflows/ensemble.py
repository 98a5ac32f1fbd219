"""``hw.Ensemble``: several classifiers (or token taggers) answering as one model.

>>> ens = hw.Ensemble(["org/sentiment-a", "org/sentiment-b", "./my-model"],
...                   "text-classification", strategy="vote")
>>> hw.apply(df, ens, column="review")   # label, score, agreement, a.label, a.score, ...
>>> hw.benchmark([ens, "org/sentiment-a"], "text-classification", texts, labels=gold)
>>> hw.Playground("text-classification", [ens, "org/sentiment-b"])
>>> hw.Step("text-classification", ens)  # a pipeline step

An ensemble is a backend (``ens.run(task, ens.id, inputs)``, see
:mod:`hubwidgets.core.inference.backends`) whose outputs follow the task's schema, so whatever
runs a model runs it; :func:`route` lets a list of models hold ensembles beside plain ids.

Strategies, for classification (text, zero-shot, image, audio):

- ``vote``: each model's top label is one vote; labels ranked by votes (then mean score), the
  ``score`` is the label's share of the votes.
- ``mean``: each label's score averaged over the models (0 where a model did not give it).
- ``weighted``: the same average with ``weights`` (one positive number per model).

For token-classification an entity is a span and its group, ``(start, end, entity_group)``: a
span is kept when more than half the models found it (for ``weighted``, more than half the
weight); its ``score`` is its share of the votes (``vote``), its mean score (``mean``, 0 for
models without it) or weighted mean score (``weighted``). Of two kept spans that overlap, the
better supported one stays.

``agreement`` (0 to 1) is the share of models whose own answer is the combined one (their top
label; their exact set of spans). Each model's own answer is kept in ``"<alias>.label"`` /
``"<alias>.score"`` (``"<alias>.entities"``), ``alias`` being the model's last path part.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..inference.backends import Backend, BackendError, InferenceResult, check_task, make_backend
from ..inference.backends._base import as_list
from ._outputs import CLASSIFICATION_TASKS

__all__ = ["ENSEMBLE_TASKS", "STRATEGIES", "Ensemble", "is_ensemble", "route"]

#: Tasks an ensemble combines.
ENSEMBLE_TASKS = (*CLASSIFICATION_TASKS, "token-classification")
#: How an ensemble combines its models' answers.
STRATEGIES = ("vote", "mean", "weighted")


def is_ensemble(model: Any) -> bool:
    """Whether ``model`` is an :class:`Ensemble`."""
    return isinstance(model, Ensemble)


def _alias(model: str) -> str:
    return Path(model.rstrip("/\\")).name or model


class Ensemble:
    """Several models of one task answering as one (see the module docstring).

    Args:
        models: two or more Hub ids or model folders (all for ``task``).
        task: a classification task or ``"token-classification"`` (:data:`ENSEMBLE_TASKS`).
        strategy: ``"vote"`` (the default), ``"mean"`` or ``"weighted"``.
        weights: for ``"weighted"``: one positive number per model (a list in the order of
            ``models``, or ``{model: weight}``).
        backend: what runs the models: "local" (the default), "remote", "auto" or a backend
            object.
        name: the ensemble's id in tables (default ``"ensemble(vote: a, b, c)"``).

    Raises:
        ValueError / TypeError: fewer than two models, a task or strategy it cannot combine (the
            message lists the valid ones), weights missing, of the wrong length or not positive.
    """

    #: tells pipelines and hw.apply this is an ensemble (without importing this module)
    is_ensemble = True
    #: the backend name recorded on results
    name = "ensemble"

    def __init__(
        self,
        models: Sequence[str],
        task: str,
        *,
        strategy: str = "vote",
        weights: Sequence[float] | Mapping[str, float] | None = None,
        backend: Backend | str | None = None,
        name: str | None = None,
    ) -> None:
        if isinstance(models, (str, Path)) or not isinstance(models, Sequence):
            raise TypeError(f"models must be a list of two or more model ids, not {models!r}")
        members = [str(m) for m in models]
        if any(not isinstance(m, (str, Path)) or not str(m).strip() for m in models):
            raise TypeError(f"each model must be a Hub id or a folder path, not {models!r}")
        if len(set(members)) != len(members):
            raise ValueError(f"a model appears twice in the ensemble: {members}")
        if len(members) < 2:
            raise ValueError(f"an ensemble needs two or more models, not {len(members)}")
        task = check_task(task)
        if task not in ENSEMBLE_TASKS:
            raise ValueError(
                f"an ensemble combines labels, not {task} outputs: its task must be one of "
                f"{', '.join(ENSEMBLE_TASKS)}"
            )
        if strategy not in STRATEGIES:
            raise ValueError(
                f"unknown strategy {strategy!r}: pick one of {', '.join(map(repr, STRATEGIES))}"
            )
        self.models, self.task, self.strategy = members, task, strategy
        self.weights = _weights(members, strategy, weights)
        if isinstance(backend, str) or backend is None:
            make_backend(backend)  # a bad name fails now
        self.backend_spec = backend
        self.aliases = _aliases(members)
        shown = ", ".join(self.aliases)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise TypeError(f"name must be a non-empty text, not {name!r}")
        self.id = name or f"ensemble({strategy}: {shown})"
        #: each member's revision as its backend last reported it (None: unknown)
        self.member_shas: dict[str, str | None] = {}
        self._backend: Backend | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Ensemble({self.models!r}, {self.task!r}, strategy={self.strategy!r})"

    def __str__(self) -> str:
        return self.id

    def __getstate__(self) -> dict[str, Any]:  # to dask workers: without loaded models
        state = dict(self.__dict__)
        state["_backend"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def members_backend(self) -> Backend:
        """The backend running the member models (made on first use)."""
        with self._lock:
            if self._backend is None:
                self._backend = make_backend(self.backend_spec)
            return self._backend

    # -- as a backend ------------------------------------------------------------------------

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        """The combined outputs (the task's schema) of every member on ``inputs``."""
        items, single = as_list(inputs)
        rows, latency, shas = self._run_members(task, model, items, params)
        self.member_shas.update(shas)
        outputs = [row["combined"] for row in rows]
        return InferenceResult(
            task=self.task,
            model=self.id,
            outputs=outputs[0:1] if single else outputs,
            backend=self.name,
            latency_ms=latency,
            model_sha=None,
            metrics={"members": float(len(self.models))},
        )

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        raise BackendError(f"an ensemble does not stream ({self.task})", backend=self.name)

    def detailed(self, items: list[Any], **params: Any) -> tuple[list[dict[str, Any]], float]:
        """Per item: the combined fields, ``agreement`` and each member's own answer (the
        columns of :meth:`output_columns`); and the time of the whole call (ms)."""
        rows, latency, shas = self._run_members(self.task, self.id, items, params)
        self.member_shas.update(shas)
        return [self._fields(row) for row in rows], latency

    def output_columns(self) -> tuple[str, ...]:
        """The columns ``hw.apply`` adds for this ensemble (before ``error``, ``latency_ms``)."""
        own: tuple[str, ...] = (
            ("entities",)
            if self.task == "token-classification"
            else (
                "label",
                "score",
            )
        )
        per_model = tuple(f"{a}.{c}" for a in self.aliases for c in own)
        return (*own, "agreement", *per_model)

    # -- combining ---------------------------------------------------------------------------

    def _run_members(
        self, task: str, model: str, items: list[Any], params: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], float, dict[str, str | None]]:
        if task != self.task:
            raise ValueError(f"this ensemble runs {self.task}, not {task}")
        if model not in (self.id, str(self)):
            raise ValueError(f"this ensemble is {self.id!r}, not {model!r}")
        backend = self.members_backend
        started = time.perf_counter()
        answers: list[list[Any]] = []
        shas: dict[str, str | None] = {}
        for member in self.models:
            result = backend.run(self.task, member, list(items), **params)
            answers.append(list(result.outputs))
            shas[member] = result.model_sha
        latency = (time.perf_counter() - started) * 1000
        rows = []
        for k in range(len(items)):
            each = [answers[m][k] for m in range(len(self.models))]
            combine = _entities if self.task == "token-classification" else _labels
            combined, agreement = combine(each, self.weights, self.strategy)
            rows.append({"combined": combined, "agreement": agreement, "each": each})
        return rows, latency, shas

    def _fields(self, row: Mapping[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {"agreement": row["agreement"]}
        if self.task == "token-classification":
            fields["entities"] = [dict(e) for e in row["combined"]]
            for alias, own in zip(self.aliases, row["each"], strict=True):
                fields[f"{alias}.entities"] = [dict(e) for e in own]
            return fields
        best = row["combined"][0] if row["combined"] else {}
        fields["label"], fields["score"] = best.get("label"), float(best.get("score", math.nan))
        for alias, own in zip(self.aliases, row["each"], strict=True):
            top = own[0] if own else {}
            fields[f"{alias}.label"] = top.get("label")
            fields[f"{alias}.score"] = float(top.get("score", math.nan))
        return fields


def _aliases(models: list[str]) -> list[str]:
    out: list[str] = []
    for m in models:
        base = _alias(m).replace(".", "_")
        alias, k = base, 2
        while alias in out:
            alias, k = f"{base}-{k}", k + 1
        out.append(alias)
    return out


def _weights(
    models: list[str], strategy: str, weights: Sequence[float] | Mapping[str, float] | None
) -> list[float]:
    if strategy != "weighted":
        if weights is not None:
            raise ValueError(
                f"weights apply to strategy='weighted', not {strategy!r}: pass "
                "strategy='weighted' or leave weights out"
            )
        return [1.0] * len(models)
    if weights is None:
        raise ValueError(
            "strategy='weighted' needs weights: one positive number per model, e.g. "
            f"weights={[1.0] * len(models)}"
        )
    if isinstance(weights, Mapping):
        missing = [m for m in models if m not in weights]
        unknown = [k for k in weights if k not in models]
        if missing or unknown:
            raise ValueError(
                f"weights must give each model of the ensemble a weight: missing {missing}, "
                f"not in the ensemble {unknown}"
            )
        values = [weights[m] for m in models]
    else:
        values = list(weights)
    if len(values) != len(models):
        raise ValueError(
            f"weights has {len(values)} numbers for {len(models)} models: give one per model"
        )
    for w in values:
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not w > 0:
            raise ValueError(f"each weight must be a positive number, not {w!r}")
    return [float(w) for w in values]


def _labels(
    each: list[Any], weights: list[float], strategy: str
) -> tuple[list[dict[str, Any]], float]:
    """Classification answers combined: ranked ``[{"label", "score"}]`` and the agreement."""
    total = sum(weights)
    tops = [own[0]["label"] if own else None for own in each]
    means: dict[str, float] = {}
    for own, w in zip(each, weights, strict=True):
        for entry in own:
            means[entry["label"]] = means.get(entry["label"], 0.0) + w * float(entry["score"])
    means = {label: s / total for label, s in means.items()}
    if strategy == "vote":
        votes: dict[str, float] = {}
        for top in tops:
            if top is not None:
                votes[top] = votes.get(top, 0.0) + 1.0
        ranked = sorted(means, key=lambda lab: (-votes.get(lab, 0.0), -means[lab]))
        scores = {lab: votes.get(lab, 0.0) / len(each) for lab in ranked}
    else:
        ranked = sorted(means, key=lambda lab: -means[lab])
        scores = means
    combined = [{"label": lab, "score": scores[lab]} for lab in ranked]
    winner = ranked[0] if ranked else None
    agreement = sum(1 for t in tops if t == winner and t is not None) / len(each)
    return combined, agreement


def _key(entity: Mapping[str, Any]) -> tuple[int, int, str]:
    return int(entity["start"]), int(entity["end"]), str(entity.get("entity_group", ""))


def _entities(
    each: list[Any], weights: list[float], strategy: str
) -> tuple[list[dict[str, Any]], float]:
    """Token answers combined (see the module docstring) and the agreement."""
    total = sum(weights)
    support: dict[tuple[int, int, str], float] = {}
    score: dict[tuple[int, int, str], float] = {}
    word: dict[tuple[int, int, str], Any] = {}
    for own, w in zip(each, weights, strict=True):
        for entity in own:
            key = _key(entity)
            support[key] = support.get(key, 0.0) + w
            score[key] = score.get(key, 0.0) + w * float(entity.get("score", 0.0))
            word.setdefault(key, entity.get("word"))
    kept_keys = sorted(
        (k for k in support if support[k] > total / 2),
        key=lambda k: (-support[k], -score[k], k),
    )
    chosen: list[tuple[int, int, str]] = []
    for key in kept_keys:
        if all(key[1] <= other[0] or other[1] <= key[0] for other in chosen):
            chosen.append(key)
    chosen.sort()
    combined = [
        {
            "entity_group": key[2],
            "score": support[key] / total if strategy == "vote" else score[key] / total,
            "word": word[key],
            "start": key[0],
            "end": key[1],
        }
        for key in chosen
    ]
    mine = set(chosen)
    agreement = sum(1 for own in each if {_key(e) for e in own} == mine) / len(each)
    return combined, agreement


# -- ensembles in a list of models ---------------------------------------------------------------


class _Router:
    """A backend sending an ensemble's id to the ensemble and every other model to ``rest``."""

    def __init__(self, ensembles: Mapping[str, Ensemble], rest: Backend) -> None:
        self.ensembles = dict(ensembles)
        self.rest = rest
        self.name = getattr(rest, "name", "local")

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        if model in self.ensembles:
            return self.ensembles[model].run(task, model, inputs, **params)
        return self.rest.run(task, model, inputs, **params)

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        if model in self.ensembles:
            return self.ensembles[model].stream(task, model, inputs, **params)
        return self.rest.stream(task, model, inputs, **params)

    def prepare(self, task: str, model: str, inputs: Any, **params: Any) -> Any:
        """For ``hw.benchmark``'s fast path: a call of ``run`` made ready (the plain backend's
        own ``prepare`` for plain models, when it has one)."""
        if model not in self.ensembles and hasattr(self.rest, "prepare"):
            return self.rest.prepare(task, model, inputs, **params)
        return lambda: self.run(task, model, inputs, **params)

    def __getattr__(self, name: str) -> Any:  # model_sha, pipeline...: the plain backend's
        return getattr(self.rest, name)


def route(models: Any, backend: Any, *, allow_denied: bool = False) -> tuple[Any, Any]:
    """``(models, backend)`` with the ensembles among ``models`` replaced by their ids and
    ``backend`` wrapped so those ids reach them; both unchanged when there is no ensemble.

    For callers that take a list of model ids and one backend (``hw.benchmark``, the
    playground): a ``backend`` None or a name is made here (with ``allow_denied``), so when the
    backend comes back changed the caller must not apply ``allow_denied`` again.
    """
    single = isinstance(models, Ensemble)
    listed = [models] if single else models
    if isinstance(listed, (str, Path)) or not isinstance(listed, Sequence):
        return models, backend
    ensembles = {m.id: m for m in listed if isinstance(m, Ensemble)}
    if not ensembles:
        return models, backend
    ids = [m.id if isinstance(m, Ensemble) else m for m in listed]
    if backend is None or isinstance(backend, str):
        backend = make_backend(backend or "local", allow_denied=allow_denied)
    return ids, _Router(ensembles, backend)
