"""`archive-sim validate` on policy documents: AWS's examples pass; AWS's own rejections are
reported with the rule ID and the field, exit 2, no traceback."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO
from tests.test_cli import cli

POLICIES = REPO / "tests" / "policies"


@pytest.mark.parametrize("name", ["aws-example-expire-and-glacier.json",
                                  "aws-example-tags-and-size.json", "aws-example.xml"])
def test_aws_examples_are_accepted(name):
    result = cli("validate", POLICIES / name)
    assert result.returncode == 0, result.stderr
    assert "valid S3 Lifecycle configuration" in result.stdout


def test_bundled_policies_are_accepted():
    for path in sorted((REPO / "scenarios" / "policies").iterdir()):
        result = cli("validate", path)
        assert result.returncode == 0, (path, result.stderr)


def _rule(**body):
    return {"Rules": [{"ID": "bad-rule", "Status": "Enabled", "Filter": {}, **body}]}


REJECTED = [
    ("10-day STANDARD_IA", _rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}]),
     "rule 'bad-rule' Transitions[0] Days: got 10; objects must be stored at least 30 days "
     "before a transition to STANDARD_IA"),
    ("IT to STANDARD_IA", _rule(Transitions=[{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"},
                                             {"Days": 60, "StorageClass": "STANDARD_IA"}]),
     "rule 'bad-rule': a transition from INTELLIGENT_TIERING to STANDARD_IA is not allowed"),
    ("Days and Date", _rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}],
                            Expiration={"Date": "2030-01-01T00:00:00Z"}),
     "rule 'bad-rule': mixes Days and Date"),
    ("unknown class", _rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER_DEEP"}]),
     "rule 'bad-rule' Transitions[0] StorageClass: got 'GLACIER_DEEP'; allowed: STANDARD_IA"),
    ("both Days and Date in one transition",
     _rule(Transitions=[{"Days": 30, "Date": "2030-01-01T00:00:00Z", "StorageClass": "GLACIER"}]),
     "rule 'bad-rule' Transitions[0]: give exactly one of Days and Date"),
    ("IA then GLACIER too close", _rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                                                     {"Days": 45, "StorageClass": "GLACIER"}]),
     "GLACIER at day 45 is less than 30 days after STANDARD_IA at day 30"),
    ("filter without And", _rule(Filter={"Prefix": "a/", "Tag": {"Key": "k", "Value": "v"}},
                                 Transitions=[{"Days": 1, "StorageClass": "GLACIER"}]),
     "more than one condition must be wrapped in And"),
    ("misspelt element", _rule(Transition=[{"Days": 1, "StorageClass": "GLACIER"}]),
     "rule 'bad-rule' Transition: unknown element"),
    ("date not midnight", _rule(Transitions=[{"Date": "2030-01-01T10:00:00Z",
                                              "StorageClass": "GLACIER"}]),
     "lifecycle dates are always midnight UTC"),
]


@pytest.mark.parametrize(("label", "doc", "expected"), REJECTED, ids=[r[0] for r in REJECTED])
def test_aws_rejections(tmp_path, label, doc, expected):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc))
    result = cli("validate", path)
    assert result.returncode == 2, (label, result.stdout)
    message = " ".join(result.stderr.split())
    assert expected in message, message
    assert str(path) in message.replace(" ", "") or "policy.json" in message
    assert "Traceback" not in result.stderr


def test_bad_json_and_bad_intelligent_tiering(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"Rules": [')
    result = cli("validate", broken)
    assert result.returncode == 2 and "not valid JSON: line 1" in result.stderr
    it = tmp_path / "it.json"
    it.write_text(json.dumps({"Id": "x", "Status": "Enabled",
                              "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 30}]}))
    result = cli("validate", it)
    assert result.returncode == 2
    assert "configuration 'x' Tierings[0] Days: got 30; ARCHIVE_ACCESS takes 90 to 730 days" in \
        " ".join(result.stderr.split())


# ------------------------------------------------------------------- Azure and Google documents

def _azure(base_blob=None, filters=None, **rule):
    body = {"enabled": True, "name": "bad-rule", "type": "Lifecycle",
            "definition": {"filters": filters or {"blobTypes": ["blockBlob"]},
                           "actions": {"baseBlob": base_blob or {}}}}
    body.update(rule)
    return {"rules": [body]}


AZURE_REJECTED = [
    ("tierToHot", _azure({"tierToHot": {"daysAfterModificationGreaterThan": 1}}),
     "rule 'bad-rule' actions.baseBlob.tierToHot: only Premium block blob accounts support it"),
    ("two clocks", _azure({"tierToCool": {"daysAfterModificationGreaterThan": 1,
                                          "daysAfterCreationGreaterThan": 2}}),
     "rule 'bad-rule' actions.baseBlob.tierToCool: give exactly one of"),
    ("tier change on cool", _azure({"tierToCool": {"daysAfterModificationGreaterThan": 1,
                                                   "daysAfterLastTierChangeGreaterThan": 2}}),
     "actions.baseBlob.tierToCool.daysAfterLastTierChangeGreaterThan: only tierToArchive"),
    ("auto-hot without last access",
     _azure({"enableAutoTierToHotFromCool": True,
             "tierToCool": {"daysAfterModificationGreaterThan": 30}}),
     "enableAutoTierToHotFromCool: works only with tierToCool.daysAfterLastAccessTimeGreaterThan"),
    ("negative days", _azure({"delete": {"daysAfterModificationGreaterThan": -1}}),
     "actions.baseBlob.delete.daysAfterModificationGreaterThan: got -1; a whole number of days"),
    ("no blob types", _azure({"delete": {"daysAfterModificationGreaterThan": 1}},
                             filters={"prefixMatch": ["studies/"]}),
     "rule 'bad-rule' filters.blobTypes: got None"),
    ("index op", _azure({"delete": {"daysAfterModificationGreaterThan": 1}},
                        filters={"blobTypes": ["blockBlob"],
                                 "blobIndexMatch": [{"name": "m", "op": ">", "value": "1"}]}),
     "filters.blobIndexMatch[0].op: got '>'; allowed: =="),
    ("type", _azure({"delete": {"daysAfterModificationGreaterThan": 1}}, type="Expiry"),
     "rule 'bad-rule' type: got 'Expiry'; allowed: Lifecycle"),
    ("append blob tiering", _azure({"tierToCool": {"daysAfterModificationGreaterThan": 1}},
                                   filters={"blobTypes": ["appendBlob"]}),
     "filters.blobTypes: appendBlob supports the delete action only"),
    ("misspelt action", _azure({"tierToCol": {"daysAfterModificationGreaterThan": 1}}),
     "actions.baseBlob tierToCol: unknown element"),
]

GCS_REJECTED = [
    ("no storage class", {"rule": [{"action": {"type": "SetStorageClass"},
                                    "condition": {"age": 30}}]},
     "rule 1 action.storageClass: got None; allowed: STANDARD, NEARLINE, COLDLINE, ARCHIVE"),
    ("unknown action", {"rule": [{"action": {"type": "Archive"}, "condition": {"age": 30}}]},
     "rule 1 action.type: got 'Archive'; allowed: Delete, SetStorageClass"),
    ("no condition", {"rule": [{"action": {"type": "Delete"}, "condition": {}}]},
     "rule 1 condition: must be an object with at least one condition"),
    ("bad age", {"rule": [{"action": {"type": "Delete"}, "condition": {"age": "old"}}]},
     "rule 1 condition.age: got 'old'; a whole number >= 0"),
    ("bad date", {"rule": [{"action": {"type": "Delete"},
                            "condition": {"createdBefore": "2027-13-01"}}]},
     "rule 1 condition.createdBefore: got '2027-13-01'; a date YYYY-MM-DD"),
    ("warmer class", {"rule": [{"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
                                "condition": {"age": 1, "matchesStorageClass": ["COLDLINE"]}}]},
     "rule 1 action.storageClass: NEARLINE is not colder than any class in matchesStorageClass"),
    ("legacy class", {"rule": [{"action": {"type": "SetStorageClass",
                                           "storageClass": "REGIONAL"}, "condition": {"age": 1}}]},
     "REGIONAL is a legacy class"),
    ("misspelt condition", {"rule": [{"action": {"type": "Delete"}, "condition": {"ages": 1}}]},
     "rule 1 condition ages: unknown element"),
]


@pytest.mark.parametrize(("label", "doc", "expected"), AZURE_REJECTED,
                         ids=[r[0] for r in AZURE_REJECTED])
def test_azure_rejections(label, doc, expected):
    from sim.errors import InputError
    from sim.tiering.azure_lifecycle import parse_management_policy

    with pytest.raises(InputError) as caught:
        parse_management_policy(doc)
    assert expected in " ".join(caught.value.message.split())


@pytest.mark.parametrize(("label", "doc", "expected"), GCS_REJECTED,
                         ids=[r[0] for r in GCS_REJECTED])
def test_gcs_rejections(label, doc, expected):
    from sim.errors import InputError
    from sim.tiering.gcs_lifecycle import parse_gcs_lifecycle

    with pytest.raises(InputError) as caught:
        parse_gcs_lifecycle(doc)
    assert expected in " ".join(caught.value.message.split())


def test_validate_explains_every_problem_of_azure_and_gcs_documents(tmp_path):
    azure = tmp_path / "azure.json"
    azure.write_text(json.dumps({"policy": _azure(
        {"tierToHot": {"daysAfterModificationGreaterThan": 1},
         "delete": {"daysAfterModificationGreaterThan": "soon"}})}))
    result = cli("validate", azure)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "azure.json: 2 problems" in message
    assert "rule 'bad-rule' actions.baseBlob.tierToHot" in message
    assert "rule 'bad-rule' actions.baseBlob.delete.daysAfterModificationGreaterThan: got " \
           "'soon'" in message
    gcs = tmp_path / "gcs.json"
    gcs.write_text(json.dumps({"lifecycle": {"rule": GCS_REJECTED[0][1]["rule"]
                                             + GCS_REJECTED[3][1]["rule"]}}))
    result = cli("validate", gcs)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "gcs.json: 2 problems" in message
    assert "rule 1 action.storageClass" in message and "rule 2 condition.age" in message


def test_azure_and_gcs_examples_in_their_published_shapes_are_accepted(tmp_path):
    # Azure's documented example (portal code view) and the az CLI's wrapped form
    doc = {"rules": [{"enabled": True, "name": "agingRule", "type": "Lifecycle",
                      "definition": {"filters": {"blobTypes": ["blockBlob"],
                                                 "prefixMatch": ["container1/foo"]},
                                     "actions": {
                                         "baseBlob": {
                                             "tierToCool": {"daysAfterModificationGreaterThan": 30},
                                             "tierToArchive": {
                                                 "daysAfterModificationGreaterThan": 90}},
                                         "snapshot": {
                                             "delete": {"daysAfterCreationGreaterThan": 90}}}}}]}
    for n, wrapped in enumerate((doc, {"policy": doc, "name": "DefaultManagementPolicy"})):
        path = tmp_path / f"azure{n}.json"
        path.write_text(json.dumps(wrapped))
        result = cli("validate", path)
        assert result.returncode == 0, result.stderr
        assert "valid Azure lifecycle management policy, 1 rule(s)" in result.stdout
        assert "actions.snapshot" in result.stdout  # reported as not simulated
    gcs = tmp_path / "gcs.json"
    gcs.write_text(json.dumps({"rule": [
        {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
         "condition": {"age": 365, "matchesStorageClass": ["STANDARD", "NEARLINE"]}},
        {"action": {"type": "Delete"}, "condition": {"isLive": False, "numNewerVersions": 3}}]}))
    result = cli("validate", gcs)
    assert result.returncode == 0, result.stderr
    assert "1 rule(s) applied" in result.stdout and "noncurrent versions" in result.stdout
