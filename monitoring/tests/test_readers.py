"""The readers on the real samples of ../shared/testdata/monitoring, against the figures
SOURCES.md states, and on hostile or broken input. Pure functions: no database."""

import json
import shutil
import zipfile

import pytest

from monitoring.readers.acoustic import read_acoustic
from monitoring.readers.camtrap import read_camtrap
from monitoring.readers.dwca import read_occurrences
from monitoring.readers.files import expand
from monitoring.services import guess_kind
from monitoring.stats import poisson_interval, wilson_interval

BIRDNET = "monitoring/birdnet-analyzer-example"


def _values(result, metric):
    return {(v.taxon, v.period): v for v in result.values if v.metric == metric}


def test_camtrap_dp_example_gives_the_documented_effort_and_events(testdata, tmp_path):
    files, problems = expand([testdata / "monitoring/camtrapdp-tdwg-example"], tmp_path)
    assert problems == []
    result = read_camtrap(files, {})
    assert not result.failed and result.problems == []  # the extra "individuals" resource is tolerated
    s = result.summary
    assert s["deployments"] == 4 and s["deployment_days"] == 73.37
    assert s["deployments_per_year"] == {"2020": 3, "2021": 1}
    assert s["observations"]["rows"] == 549 and s["observations"]["event_level"] == 36
    # 24 animal events, 26 (event, taxon) pairs: two events hold two taxa.
    assert s["events"] == 26 and len(s["taxa"]) == 9
    rate = _values(result, "detection_rate")
    # 2020: 32.28 + 9.95 + 9.11 = 51.34 trap-nights; A. platyrhynchos: 12 events there.
    mallard = rate[("Anas platyrhynchos", "2020")]
    assert mallard.effort == pytest.approx(51.34, abs=0.01) and mallard.effort_unit == "trap-nights"
    assert mallard.value == pytest.approx(12 / 51.3392 * 100, rel=1e-4)
    assert mallard.ci_low < mallard.value < mallard.ci_high
    assert not mallard.comparable  # under 100 trap-nights: not to be compared with 2021
    assert rate[("Anas platyrhynchos", "2021")].value == 0  # a zero is a value, not a gap
    assert rate[("Mustela putorius", "2020")].value == pytest.approx(3 / 51.3392 * 100, rel=1e-4)
    occupancy = _values(result, "naive_occupancy")
    assert occupancy[("Anas platyrhynchos", "2020")].effort == 3
    assert 0 < occupancy[("Anas platyrhynchos", "2020")].value <= 1
    assert occupancy[("Ardea", "2021")].value == 1.0 and occupancy[("Ardea", "2021")].effort == 1
    assert len(result.points) == 4 and {p.kind for p in result.points} == {"deployment"}


def test_camtrap_problems_are_reported_per_file_row_and_column(testdata, tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(testdata / "monitoring/camtrapdp-tdwg-example", package, ignore=shutil.ignore_patterns("media"))
    (package / "deployments.csv").chmod(0o644)
    (package / "observations.csv").chmod(0o644)
    lines = (package / "deployments.csv").read_text().splitlines()
    # Deployment 577b543a (row 3) ends before it starts.
    lines[3] = lines[3].replace("2020-06-29T01:33:22+02:00", "2020-06-01T01:33:22+02:00")
    (package / "deployments.csv").write_text("\n".join(lines) + "\n")
    observations = (package / "observations.csv").read_text().splitlines()
    observations[1] = observations[1].replace("00a2c20d", "ffffffff", 1)
    # Row 3's event (deployment 00a2c20d, May 2020) moved to 2019: before its deployment started.
    observations[3] = observations[3].replace("2020-05-", "2019-05-")
    (package / "observations.csv").write_text("\n".join(observations) + "\n")
    result = read_camtrap(sorted(p for p in package.iterdir() if p.is_file()), {})
    assert not result.failed
    where = {(p.file, p.row, p.column) for p in result.problems}
    assert ("deployments.csv", 3, "deploymentEnd") in where
    assert ("observations.csv", 1, "deploymentID") in where
    assert ("observations.csv", 3, "eventStart") in where
    assert any("ffffffff" in p.message for p in result.problems)
    # Observations of the dropped deployment are reported too, and none of them is counted.
    assert result.summary["deployments"] == 3
    (package / "observations.csv").unlink()
    missing = read_camtrap(sorted(p for p in package.iterdir() if p.is_file()), {})
    assert missing.failed and missing.values == []
    assert any(p.file == "observations.csv" and p.fatal for p in missing.problems)


def test_gbif_dwca_counts_records_and_species_per_year(testdata, tmp_path):
    files, _ = expand([testdata / "monitoring/gbif-dwca-doi-inthanon/0084005-210914110416597.zip"], tmp_path)
    result = read_occurrences(files, {})
    assert not result.failed
    counts = _values(result, "record_count")
    assert counts[(None, "2010")].value == 29 and counts[(None, "2011")].value == 39
    richness = _values(result, "species_richness")
    assert richness[(None, "2010")].value + richness[(None, "2011")].value == 68
    assert result.summary["records"] == 68 and result.summary["taxa"] == 68
    assert len(result.points) == 66  # two records have no coordinates: counted, not mapped, reported
    assert [(p.file, p.column) for p in result.problems] == [("occurrence.txt", "decimalLatitude")] * 2
    assert all(18.49 < p.lat < 18.76 and 98.50 < p.lon < 98.79 for p in result.points)


def test_dwca_without_any_coordinates_says_so(tmp_path):
    folder = tmp_path / "dwca"
    folder.mkdir()
    (folder / "meta.xml").write_text(
        '<archive xmlns="http://rs.tdwg.org/dwc/text/"><core encoding="UTF-8" fieldsTerminatedBy="\\t" '
        'linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" '
        'rowType="http://rs.tdwg.org/dwc/terms/Occurrence"><files><location>occurrence.txt</location></files>'
        '<id index="0"/><field index="1" term="http://rs.tdwg.org/dwc/terms/scientificName"/>'
        '<field index="2" term="http://rs.tdwg.org/dwc/terms/eventDate"/></core></archive>'
    )
    (folder / "occurrence.txt").write_text("id\tname\tdate\n1\tPanthera tigris\t2019-04-02\n2\tCuon alpinus\t2019\n")
    result = read_occurrences(sorted(folder.iterdir()), {})
    assert not result.failed
    assert _values(result, "species_richness")[(None, "2019")].value == 2
    assert result.points == []
    assert any(p.message == "No record has coordinates: the dataset has no map." for p in result.problems)


@pytest.mark.parametrize(
    "name",
    ["soundscape.BirdNET.selection.table.txt", "soundscape.BirdNET.results.csv", "soundscape.BirdNET.results.txt"],
)
def test_birdnet_tables_give_33_detections_and_4_at_half_confidence(testdata, name):
    path = testdata / BIRDNET / name
    everything = read_acoustic([path], {"year": 2022})
    assert everything.summary["detections"] == 33 and everything.summary["species"] == 8
    assert everything.summary["recording_hours"] == pytest.approx(120 / 3600, rel=1e-3)
    half = read_acoustic([path], {"min_confidence": 0.5, "year": 2022})
    assert half.summary["detections_kept"] == 4
    rates = {v.taxon: v.value for v in half.values if v.value}
    if name.endswith(".csv") or name.endswith("results.txt"):
        assert rates == {"Haemorhous mexicanus": 60.0, "Junco hyemalis": 60.0}  # 2 per 120 s
    else:  # the Raven table names species by common name only, and says so
        assert rates == {"House Finch": 60.0, "Dark-eyed Junco": 60.0}
        assert any("no scientific names" in p.message for p in half.problems)


def test_birdnet_three_layouts_of_one_recording_are_counted_once(testdata):
    result = read_acoustic(sorted((testdata / BIRDNET).iterdir()), {"year": 2022})
    assert result.summary["detections"] == 33
    assert sum("already read" in p.message for p in result.problems) == 2


def test_detection_table_with_unknown_columns_is_refused_clearly(tmp_path):
    table = tmp_path / "detections.csv"
    table.write_text("when,what,how sure\n0,Strix aluco,0.9\n")
    result = read_acoustic([table], {})
    assert result.failed and result.values == []
    assert "found: when,what,how sure" in result.problems[0].message


def test_kind_is_told_from_content_not_names(testdata, tmp_path):
    assert guess_kind([testdata / "monitoring/camtrapdp-tdwg-example"]) == "camtrap"
    assert guess_kind([testdata / "monitoring/gbif-dwca-doi-inthanon/0084005-210914110416597.zip"]) == "occurrences"
    assert guess_kind([testdata / BIRDNET / "soundscape.BirdNET.results.txt"]) == "acoustic"
    assert guess_kind([testdata / "monitoring/hansen-gfc-v1.8-sierra-de-neiba"]) == "forest"
    renamed = tmp_path / "data.bin"
    shutil.copy(testdata / BIRDNET / "soundscape.BirdNET.results.csv", renamed)
    assert guess_kind([renamed]) == "acoustic"
    (tmp_path / "notes.txt").write_text("nothing to see")
    assert guess_kind([tmp_path / "notes.txt"]) is None


def test_hostile_archive_is_refused_before_reading(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.xml", "0" * 50_000_000)
    files, problems = expand([bomb], tmp_path / "out")
    assert files == [] and problems and problems[0].fatal and "bomb" in problems[0].message
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/passwd", "x")
    _, problems = expand([evil], tmp_path / "out2")
    assert problems and "outside the archive" in problems[0].message
    package = tmp_path / "dp"
    package.mkdir()
    (package / "datapackage.json").write_text(json.dumps({"resources": [{"name": "deployments", "path": "../x.csv"}]}))
    result = read_camtrap([package / "datapackage.json"], {})
    assert result.failed  # a resource path leaving the package is not followed
    (package / "datapackage.json").write_text(" " * 5_000_001)
    (package / "deployments.csv").write_text("deploymentID,deploymentStart,deploymentEnd\n")
    (package / "observations.csv").write_text("deploymentID\n")
    big = read_camtrap(sorted(package.iterdir()), {})
    assert big.failed and big.problems[0].message == "datapackage.json is larger than 5 MB; it was not read."


def test_intervals():
    assert poisson_interval(0) == (0.0, pytest.approx(3.689, abs=1e-3))
    low, high = poisson_interval(10)
    assert low == pytest.approx(4.795, abs=0.001) and high == pytest.approx(18.390, abs=0.001)  # exact (Garwood)
    assert poisson_interval(2) == (pytest.approx(0.2422, abs=1e-4), pytest.approx(7.2247, abs=1e-4))
    low, high = poisson_interval(400)  # Byar above EXACT_MAX
    assert low == pytest.approx(361.76, abs=0.05) and high == pytest.approx(441.19, abs=0.05)
    low, high = wilson_interval(1, 3)
    assert low == pytest.approx(0.0615, abs=1e-3) and high == pytest.approx(0.7923, abs=1e-3)


def test_camtrap_years_at_other_sites_are_not_comparable_whatever_their_effort(testdata, tmp_path):
    # SOURCES.md: the TDWG example's 2020 cameras stood at three sites, its 2021 camera at a fourth.
    files, _problems = expand([testdata / "monitoring/camtrapdp-tdwg-example"], tmp_path)
    result = read_camtrap(files, {"min_trap_nights": 1, "min_deployments": 1})  # effort is no longer the reason
    years = {v.period for v in result.values}
    assert years == {"2020", "2021"}
    assert not any(v.comparable for v in result.values)
    assert {v.reason for v in result.values} == {"sites"}


def _package(folder, deployments):
    """A Camtrap DP package: deployments (id, location, year), 120 nights each, one mallard a night."""
    folder.mkdir()
    rows = ["deploymentID,locationID,deploymentStart,deploymentEnd"]
    observations = ["observationID,deploymentID,eventID,eventStart,observationLevel,observationType,scientificName"]
    for did, location, year in deployments:
        rows.append(f"{did},{location},{year}-01-01T00:00:00Z,{year}-05-01T00:00:00Z")
        for n in range(1 + len(observations) % 7):
            observations.append(f"{did}{n},{did},{did}e{n},{year}-02-{n + 1:02d}T10:00:00Z,event,animal,Anas")
    (folder / "deployments.csv").write_text("\n".join(rows) + "\n")
    (folder / "observations.csv").write_text("\n".join(observations) + "\n")
    return sorted(folder.iterdir())


def test_a_rotating_design_draws_no_trend_and_the_same_sites_do(tmp_path):
    from monitoring.outcomes import trend

    def rates(files):
        values = [v for v in read_camtrap(files, {"min_deployments": 1}).values if v.metric == "detection_rate"]
        return [{"period": v.period, "value": v.value, "comparable": v.comparable} for v in values], values

    # given three years of 120+ trap-nights each, the cameras moved to new sites every year
    rotated, values = rates(_package(tmp_path / "r", [("a", "A", 2020), ("b", "B", 2021), ("c", "C", 2022)]))
    assert [v.comparable for v in values] == [False, False, False] and {v.reason for v in values} == {"sites"}
    assert trend(rotated) is None
    # a camera lost one year (3 of 4 sites, Jaccard 0.75) still compares; a year at new sites does not
    same = [("a1", "A", 2020), ("b1", "B", 2020), ("c1", "C", 2020), ("d1", "D", 2020)]
    same += [("a2", "A", 2021), ("b2", "B", 2021), ("c2", "C", 2021)]
    same += [("a3", "A", 2022), ("b3", "B", 2022), ("c3", "C", 2022), ("d3", "D", 2022)]
    same += [("x4", "X", 2023), ("y4", "Y", 2023)]
    kept, values = rates(_package(tmp_path / "s", same))
    assert {v.period: v.comparable for v in values} == {"2020": True, "2021": True, "2022": True, "2023": False}
    assert next(v.reason for v in values if v.period == "2023") == "sites"
    line = trend(kept)
    assert line is not None and (line["from"], line["to"], line["periods"]) == ("2020", "2022", 3)


def test_every_reader_gets_the_csv_field_limit_whichever_is_imported_first():
    # The limit is the readers' package's, not a side effect of importing the camtrap reader: the
    # acoustic reader alone (the web process guessing a kind) reads 1 MB fields as the worker does.
    import subprocess
    import sys
    from pathlib import Path

    from monitoring.readers import CSV_FIELD_MAX

    code = "import csv, monitoring.readers.acoustic; print(csv.field_size_limit())"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert int(out.stdout) == CSV_FIELD_MAX == 1024 * 1024
