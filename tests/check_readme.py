#!/usr/bin/env python3
"""Fails unless README.md shows examples/readme_example.cc verbatim in its ```cpp block, so the
README's example is exactly the code the build compiles and the test suite runs."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text()
example = (root / "examples" / "readme_example.cc").read_text().rstrip()
start = readme.find("```cpp\n")
end = readme.find("\n```", start + 7)
if start < 0 or end < 0:
    sys.exit("README.md has no ```cpp block")
shown = readme[start + 7:end]
if shown != example:
    sys.exit("README.md's example differs from examples/readme_example.cc; copy the file into the README")
print("README example matches examples/readme_example.cc")
