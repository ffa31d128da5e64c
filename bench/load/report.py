"""Print the load-test figures from locust's CSV files, against the targets."""

import csv
import sys

PAGE_P95_MS, API_P95_MS = 300, 150


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(ceiling_csv, journeys_csv, failures_csv):
    ceiling = next((r for r in rows(ceiling_csv) if r["Name"] == "Aggregated"), None)
    print(f"ceiling (trivial view): {float(ceiling['Requests/s']):.0f} req/s" if ceiling else "ceiling: no data")
    print(f"{'request':32} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  target")
    ok = True
    for r in rows(journeys_csv):
        name = r["Name"]
        p95 = float(r["95%"] or 0)
        target = API_P95_MS if name.startswith("api:") and r["Type"] == "GET" else PAGE_P95_MS
        if name == "Aggregated" or name == "login":
            # The login POST hashes the password (PBKDF2, deliberately slow): not a page-speed target.
            target = None
        meets = target is None or p95 <= target
        fails = int(r["Failure Count"])
        ok &= meets and fails == 0
        print(
            f"{name[:32]:32} {r['Request Count']:>7} {fails:>5} {float(r['Requests/s']):7.1f} "
            f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6}  {'' if target is None else f'p95<{target}'}"
            f"{'' if meets else '  MISSED'}"
        )
    for f in rows(failures_csv)[:10]:
        print(f"failure: {f['Method']} {f['Name']}: {f['Error'][:120]} x{f['Occurrences']}")
    print("all targets met" if ok else "some targets missed")


if __name__ == "__main__":
    main(*sys.argv[1:4])
