"""The example adapter's own tests: the OneWindow conformance kit (one test per contract check, through
the pytest plugin enabled in pyproject.toml) plus what is particular to this department."""

from __future__ import annotations

from importlib import resources

from adapters.api import AdapterContext, Credentials, LookupRequest, SessionState
from adapters.api.schema import validate_manifest_text
from onewindow_example_adapter.adapter import create_adapter
from onewindow_example_adapter.server import DEMO_ACCOUNTS, CivilAffairsServer

RETIREE = LookupRequest(id_number="330106196603151316", name="周建国", consent_ref="CONSENT-1", purpose="test")


def test_contract(conformance_check):
    assert conformance_check.ok, conformance_check.message


def _adapter(url: str):
    text = (resources.files("onewindow_example_adapter") / "manifest.toml").read_text(encoding="utf-8")
    manifest = validate_manifest_text(text)
    config = manifest.resolve_config({"endpoint": url, "timeout_s": 2.0})
    account, secret = next(iter(DEMO_ACCOUNTS.items()))
    return create_adapter(AdapterContext(manifest, config, lambda: Credentials(account, secret)))


def test_department_marriage_codes_become_canonical_marital_status():
    with CivilAffairsServer() as server:
        adapter = _adapter(server.url)
        try:
            # the department says 21 (first marriage); the canonical dictionary only knows 20 (married)
            assert adapter.lookup(RETIREE).as_dict()["person.marital_status"] == "20"
        finally:
            adapter.close()


def test_an_expired_token_is_renewed_without_the_clerk_noticing():
    with CivilAffairsServer() as server:
        adapter = _adapter(server.url)
        try:
            adapter.open_session()
            server.expire_tokens()
            assert adapter.lookup(RETIREE).as_dict()["person.name"] == "周建国"
            assert adapter.session_info().state is SessionState.CONNECTED
        finally:
            adapter.close()


def test_the_preview_masks_the_id_number(adapter_under_test, adapter_sample_application):
    payload = adapter_under_test.render(adapter_sample_application)
    id_number = adapter_sample_application.fields["person.id_number"]
    assert id_number.encode() in payload.body
    assert id_number not in payload.preview and id_number[:6] + "********" in payload.preview
