#!/usr/bin/env python3
"""Prints the tests run and the failures of Surefire (unit) and Failsafe (integration) from their
XML reports, so a CI log says plainly what ran and what failed. Exits 1 if any test failed."""
import glob
import sys
import xml.etree.ElementTree as ET

failed_any = False
for label, folder in (("unit (Surefire)", "target/surefire-reports"),
                      ("integration (Failsafe)", "target/failsafe-reports")):
    tests = failures = errors = skipped = 0
    broken = []
    failed_classes = set()
    for path in sorted(glob.glob(folder + "/TEST-*.xml")):
        suite = ET.parse(path).getroot()
        # Counted from the test cases: for a class with @Nested classes Surefire writes tests="0"
        # on the suite while listing every nested case in it.
        for case in suite.iter("testcase"):
            tests += 1
            failures += case.find("failure") is not None
            errors += case.find("error") is not None
            skipped += case.find("skipped") is not None
            for kind in ("failure", "error"):
                problem = case.find(kind)
                if problem is not None:
                    failed_classes.add(case.get("classname"))
                    message = (problem.get("message") or "").strip().splitlines()
                    broken.append("%s.%s: %s %s" % (case.get("classname"), case.get("name"), kind,
                                                     message[0][:300] if message else ""))
    print("%-24s tests %5d  failures %3d  errors %3d  skipped %3d" % (label, tests, failures, errors, skipped))
    for line in broken:
        print("  FAILED " + line)
    for path in sorted(glob.glob(folder + "/*-output.txt")):
        if any(path.endswith("/" + c + "-output.txt") for c in failed_classes):
            with open(path, errors="replace") as f:
                tail = f.readlines()[-60:]
            print("  --- last lines of " + path)
            for line in tail:
                print("  | " + line.rstrip()[:240])
    failed_any = failed_any or failures > 0 or errors > 0
sys.exit(1 if failed_any else 0)
