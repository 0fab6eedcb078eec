"""The provider registry: a new provider is one module and one registry line; unknown
providers are errors, never a fallback."""

from __future__ import annotations

import pytest

import sim
from sim import providers
from sim.errors import InputError
from tests import fake_provider
from tests.conftest import write_trace_scenario

GIB = 2**30
CATALOG = """catalog: fake-catalog
provider: fakecloud
region: nowhere-1
currency: USD
compiled: "2026-12-04"
bytes_per_gib: 1073741824
sources: {test: "made up for the test"}
storage_usd_per_gib_month: {value: 0.01, source: test, as_of: "2026-12-04", confidence: D}
"""


@pytest.fixture
def fakecloud():
    providers.register(fake_provider.PROVIDER)
    yield
    providers.unregister("fakecloud")


def test_a_registered_provider_runs_a_scenario(tmp_path, fakecloud):
    """2 GiB uploaded 2027-01-01 00:00, kept all of January (31 days) at $0.01 per GiB-month:
    2 x 0.01 = $0.02; nothing outside the provider's module knows its name."""
    path = write_trace_scenario(tmp_path, f"study_id,created,size_bytes,objects,modality,"
                                f"patient_id\nA,2027-01-01T00:00:00Z,{2 * GIB},1,CT,p\n",
                                horizon_months=1)
    (tmp_path / "fake-catalog.yaml").write_text(CATALOG)
    text = path.read_text()
    start = text.index("  - name: flat")
    end = text.index("finance:")
    path.write_text(text[:start] + "  - name: fake\n    kind: cloud\n    provider: fakecloud\n"
                    f"    catalog: {tmp_path / 'fake-catalog.yaml'}\n" + text[end:])
    ledger = sim.run(sim.load_scenario(path)).ledger
    assert list(ledger.tier) == ["FAKE"]
    assert ledger.quantity.iloc[0] == pytest.approx(2.0)
    assert ledger.amount_usd.iloc[0] == pytest.approx(0.02)


def test_unknown_providers_are_errors(tmp_path):
    path = write_trace_scenario(tmp_path, "study_id,created,size_bytes,objects,modality,"
                                "patient_id\nA,2027-01-01T00:00:00Z,10,1,CT,p\n")
    text = path.read_text()
    start = text.index("  - name: flat")
    end = text.index("finance:")
    path.write_text(text[:start] + "  - {name: c, kind: cloud, provider: fakecloud}\n"
                    + text[end:])
    with pytest.raises(InputError, match="provider 'fakecloud' is not known; known: aws"):
        sim.load_scenario(path)
    with pytest.raises(ValueError, match="provider 'nope' is not known"):
        providers.get("nope")


def test_the_built_in_providers_and_the_documents_they_read():
    assert set(providers.names()) >= {"aws", "azure", "gcp", "aws-healthimaging"}
    kinds = [k.name for k in providers.document_kinds()]
    assert kinds == ["S3 Lifecycle configuration", "S3 Intelligent-Tiering configuration",
                     "Azure lifecycle management policy", "GCS lifecycle configuration"]
