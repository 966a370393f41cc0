"""Model files of mixtures fitted with a prior (skgmm_em/persistence/_prior.py):
the ``prior`` parameter and the fitted ``prior_`` are stored and read back."""

import copy
import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skgmm_em import ConjugatePrior, GaussianMixture, load, save
from skgmm_em.datasets import load_faithful
from skgmm_em.persistence import from_dict, to_dict

X, _ = load_faithful()

PRIORS = [
    "conjugate",
    ConjugatePrior(
        shrinkage=0.2, mean=[3.0, 70.0], dof=6, scale=[[1.0, 0.2], [0.2, 40.0]]
    ),
    ConjugatePrior(scale=2.5),
]


@pytest.mark.parametrize("covariance_type", ["full", "spherical", "VEV"])
@pytest.mark.parametrize("prior", PRIORS, ids=["conjugate", "matrix", "number"])
def test_round_trip_with_a_prior(prior, covariance_type, tmp_path):
    gm = GaussianMixture(2, covariance_type=covariance_type, prior=prior)
    gm.set_params(random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left unstored
        save(gm, tmp_path / "model.json")
    loaded = load(tmp_path / "model.json")
    assert_array_equal(loaded.predict_proba(X), gm.predict_proba(X))
    assert type(loaded.prior) is type(gm.prior)
    if isinstance(prior, ConjugatePrior):
        for name, value in prior.get_params().items():
            assert_array_equal(getattr(loaded.prior, name), value)
    for name in ("shrinkage", "mean", "dof", "scale"):
        assert_array_equal(getattr(loaded.prior_, name), getattr(gm.prior_, name))
    # The loaded model fits again with its prior.
    refit = loaded.fit(X)
    assert_array_equal(refit.means_, gm.means_)


def test_no_prior_writes_no_fitted_prior():
    document = to_dict(GaussianMixture(2, random_state=0).fit(X))
    assert document["params"]["prior"] is None
    assert "prior" not in document["fitted"]
    assert from_dict(document).prior_ is None
    json.dumps(to_dict(GaussianMixture(2, prior=PRIORS[1]).fit(X)))


def _document():
    return to_dict(GaussianMixture(2, prior=PRIORS[1], random_state=0).fit(X))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["params"].update(prior="wishart"), "params are not valid"),
        (lambda d: d["params"].update(prior={"gamma": {}}), "params.prior"),
        (
            lambda d: d["params"]["prior"]["conjugate_prior"].update(mean=[1.0]),
            r"params.prior.conjugate_prior.mean must be a nested array",
        ),
        (
            lambda d: d["params"]["prior"]["conjugate_prior"].update(dof=-1),
            r"params.prior.conjugate_prior.dof must be >= 0",
        ),
        (
            lambda d: d["params"]["prior"]["conjugate_prior"].update(scale="big"),
            r"params.prior.conjugate_prior.scale must be a number",
        ),
        (
            lambda d: d["fitted"]["prior"]["conjugate_prior"].update(mean=None),
            r"fitted.prior.conjugate_prior.mean must be a nested array",
        ),
        (lambda d: d["fitted"].update(prior=[1.0]), "fitted.prior must be"),
    ],
)
def test_invalid_prior_in_a_document_is_refused(edit, message):
    document = copy.deepcopy(_document())
    edit(document)
    with pytest.raises(ValueError, match=message):
        from_dict(document)


def test_unknown_prior_object_is_not_stored():
    class MyPrior(ConjugatePrior):
        pass

    gm = GaussianMixture(2, prior=ConjugatePrior(), random_state=0).fit(X)
    gm.prior = MyPrior()
    with pytest.warns(UserWarning, match="prior"):
        document = to_dict(gm)
    assert from_dict(document).prior is None
    assert np.all(np.isfinite(from_dict(document).prior_.scale))
